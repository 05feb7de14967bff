package io.github.brazeodp.odp;

/**
 * The API families of ODP, used as rate-budget keys and as the stable endpoint name in {@link
 * OdpExchange} and exceptions.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/rate-limits">ODP
 *     rate limits</a>
 */
public enum OdpApi {
  /** {@code POST /v3/events}. */
  EVENTS("events"),
  /** {@code /v3/profiles}. */
  PROFILES("profiles"),
  /** {@code /v3/lists} and {@code /v3/lists/subscriptions}. */
  LISTS("lists"),
  /** {@code /v3/schema/...}. */
  SCHEMA("schema"),
  /** {@code POST /v3/graphql}. */
  GRAPHQL("graphql"),
  /** {@code /v3/export-segment-members}. */
  EXPORTS("exports"),
  /** Downloads of export files from their presigned URLs (not the ODP host; no key is sent). */
  EXPORT_FILES("export-files");

  private final String endpoint;

  OdpApi(String endpoint) {
    this.endpoint = endpoint;
  }

  /** Returns the stable family name, e.g. {@code "events"}. */
  public String endpoint() {
    return endpoint;
  }
}
