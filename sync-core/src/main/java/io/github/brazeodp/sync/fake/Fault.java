package io.github.brazeodp.sync.fake;

/** A failure a fake can inject into its next calls. */
public enum Fault {
  /** The service answers 429 (rate limited); nothing is processed. */
  RATE_LIMITED,
  /** The service answers 503; nothing is processed. */
  SERVER_ERROR,
  /** The connection fails before the request leaves; nothing is processed. */
  CONNECTION_REFUSED,
  /**
   * The request reaches the service and is processed, but the response is lost (a timeout after
   * sending): the caller cannot know the outcome.
   */
  RESPONSE_LOST
}
