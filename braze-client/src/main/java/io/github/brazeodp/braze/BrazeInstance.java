package io.github.brazeodp.braze;

/**
 * Braze instances (data centers) and their REST endpoints.
 *
 * <p>See <a href="https://www.braze.com/docs/api/basics/#endpoints">API basics: endpoints</a>. New
 * instances keep appearing; use {@link BrazeClient.Builder#baseUrl(String)} for one not listed
 * here.
 */
public enum BrazeInstance {
  /** US-01, dashboard-01.braze.com. */
  US_01("https://rest.iad-01.braze.com"),
  /** US-02. */
  US_02("https://rest.iad-02.braze.com"),
  /** US-03. */
  US_03("https://rest.iad-03.braze.com"),
  /** US-04. */
  US_04("https://rest.iad-04.braze.com"),
  /** US-05. */
  US_05("https://rest.iad-05.braze.com"),
  /** US-06. */
  US_06("https://rest.iad-06.braze.com"),
  /** US-07. */
  US_07("https://rest.iad-07.braze.com"),
  /** US-08. */
  US_08("https://rest.iad-08.braze.com"),
  /**
   * US-10. Older docs named {@code rest.iad-10.braze.com}; the current docs name the host used
   * here.
   */
  US_10("https://rest.us-10.braze.com"),
  /** EU-01, dashboard-01.braze.eu. */
  EU_01("https://rest.fra-01.braze.eu"),
  /** EU-02. */
  EU_02("https://rest.fra-02.braze.eu"),
  /** AU-01. */
  AU_01("https://rest.au-01.braze.com"),
  /** ID-01. */
  ID_01("https://rest.id-01.braze.com"),
  /** JP-01. */
  JP_01("https://rest.jp-01.braze.com"),
  /** KR-01. */
  KR_01("https://rest.kr-01.braze.com");

  private final String restUrl;

  BrazeInstance(String restUrl) {
    this.restUrl = restUrl;
  }

  /** Returns the REST base URL of this instance, without a trailing slash. */
  public String restUrl() {
    return restUrl;
  }

  /** Returns the dashboard-style name of the instance, for example {@code US-01}. */
  public String displayName() {
    return name().replace('_', '-');
  }
}
