package io.github.brazeodp.braze;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Braze answered 429: the workspace is over a rate limit, or an export of the segment runs. */
public class BrazeRateLimitException extends BrazeApiException {
  private static final long serialVersionUID = 1L;
  private final Duration retryAfter;

  /** Creates the exception; {@code retryAfter} may be null when Braze gave no hint. */
  public BrazeRateLimitException(
      String endpoint,
      Map<String, List<String>> headers,
      String brazeMessage,
      List<BrazeError> errors,
      String body,
      Duration retryAfter) {
    super(endpoint, 429, headers, brazeMessage, errors, body);
    this.retryAfter = retryAfter;
  }

  /**
   * Returns how long to wait before retrying, from {@code Retry-After} or else {@code
   * X-RateLimit-Reset}, measured when the response arrived.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
