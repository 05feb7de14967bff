package io.github.brazeodp.braze;

/**
 * Groups of Braze endpoints that share one rate limit.
 *
 * <p>See <a href="https://www.braze.com/docs/api/api_limits">API rate limits</a>.
 */
public enum EndpointFamily {
  /** {@code /users/track}: 3,000 requests per 3 seconds by default. */
  USERS_TRACK,
  /**
   * {@code /users/export/ids}: 250 requests per minute for workspaces onboarded since 2024-08-22.
   */
  USERS_EXPORT_IDS,
  /**
   * {@code /campaigns/trigger/send}, {@code /canvas/trigger/send} and {@code /messages/send} to
   * specific users: 250,000 requests per hour, shared.
   */
  MESSAGING,
  /** Every other endpoint: the shared pool of 250,000 requests per hour. */
  DEFAULT
}
