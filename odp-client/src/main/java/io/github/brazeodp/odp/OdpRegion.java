package io.github.brazeodp.odp;

import java.util.Objects;

/**
 * The ODP data centre an account lives in; every call of an account must use its region's host.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/realtimesegments-api-usage">ODP
 *     regional hosts</a>
 */
public enum OdpRegion {
  /** United States: {@code https://api.zaius.com/v3/}, the host Optimizely's SDKs and docs use. */
  US("https://api.zaius.com/v3/"),
  /** Europe: {@code https://api.eu1.odp.optimizely.com/v3/}. */
  EU("https://api.eu1.odp.optimizely.com/v3/"),
  /** Asia-Pacific: {@code https://api.au1.odp.optimizely.com/v3/}. */
  AU("https://api.au1.odp.optimizely.com/v3/");

  private final String baseUrl;

  OdpRegion(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** Returns the v3 base URL of this region, ending in {@code /v3/}. */
  public String baseUrl() {
    return baseUrl;
  }

  /**
   * Detects the region from an API key the way Optimizely's own Node SDK does.
   *
   * <p>Everything after the last {@code '.'} is dropped; a remainder ending in {@code -eu1} means
   * EU, {@code -au1} means AU, anything else US.
   *
   * @param apiKey the key, never null
   * @return the detected region
   */
  public static OdpRegion fromApiKey(String apiKey) {
    Objects.requireNonNull(apiKey, "apiKey");
    int dot = apiKey.lastIndexOf('.');
    String prefix = dot >= 0 ? apiKey.substring(0, dot) : apiKey;
    if (prefix.endsWith("-eu1")) {
      return EU;
    }
    if (prefix.endsWith("-au1")) {
      return AU;
    }
    return US;
  }
}
