package io.github.brazeodp.odp;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Client-side request budgets per ODP API, in requests per second, shared by all threads of one
 * client.
 *
 * <p>ODP sends no rate-limit headers, so the client paces itself, at 95 % of each budget (arrival
 * jitter at ODP would otherwise tip a full budget into 429s) and slower for a while after a 429.
 * Defaults follow the newer rate-limit page: Profiles and Lists 10 req/s, GraphQL 500 req/s, Events
 * and Objects unlimited. The older page said 10 req/s for Events and Export; the export poller
 * keeps that 10 req/s, and accounts on the older limits can set {@code with(OdpApi.EVENTS, 10)}.
 * Immutable.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/rate-limits">ODP
 *     rate limits</a>
 */
public final class RateLimits {
  private static final RateLimits DEFAULTS;

  static {
    Map<OdpApi, Double> m = new EnumMap<>(OdpApi.class);
    m.put(OdpApi.PROFILES, 10d);
    m.put(OdpApi.LISTS, 10d);
    m.put(OdpApi.GRAPHQL, 500d);
    m.put(OdpApi.EXPORTS, 10d);
    DEFAULTS = new RateLimits(m);
  }

  private final Map<OdpApi, Double> perSecond;

  private RateLimits(Map<OdpApi, Double> perSecond) {
    this.perSecond = perSecond;
  }

  /** Returns the documented defaults (see the class comment). */
  public static RateLimits defaults() {
    return DEFAULTS;
  }

  /** Returns budgets with no limit on any API. */
  public static RateLimits unlimited() {
    return new RateLimits(new EnumMap<>(OdpApi.class));
  }

  /**
   * Returns a copy with {@code api} limited to {@code requestsPerSecond}.
   *
   * @throws IllegalArgumentException if the rate is not a positive finite number
   */
  public RateLimits with(OdpApi api, double requestsPerSecond) {
    Objects.requireNonNull(api, "api");
    if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
      throw new IllegalArgumentException(
          "rateLimits."
              + api.endpoint()
              + ": requests per second must be > 0: "
              + requestsPerSecond);
    }
    Map<OdpApi, Double> m = new EnumMap<>(OdpApi.class);
    m.putAll(perSecond);
    m.put(api, requestsPerSecond);
    return new RateLimits(m);
  }

  /** Returns a copy with no limit on {@code api}. */
  public RateLimits withoutLimit(OdpApi api) {
    Objects.requireNonNull(api, "api");
    Map<OdpApi, Double> m = new EnumMap<>(OdpApi.class);
    m.putAll(perSecond);
    m.remove(api);
    return new RateLimits(m);
  }

  /** Returns the budget of {@code api}, or empty when it is unlimited. */
  public OptionalDouble perSecond(OdpApi api) {
    Double v = perSecond.get(api);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimits r && r.perSecond.equals(perSecond);
  }

  @Override
  public int hashCode() {
    return perSecond.hashCode();
  }

  @Override
  public String toString() {
    return "RateLimits" + perSecond;
  }
}
