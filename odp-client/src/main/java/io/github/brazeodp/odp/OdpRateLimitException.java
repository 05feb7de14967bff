package io.github.brazeodp.odp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP 429: ODP throttled the request; thrown once the retry policy has given up.
 *
 * <p>ODP documents no 429 body or {@code Retry-After}; when it does send the header, the client
 * honours it and {@link #retryAfter()} exposes it.
 */
public final class OdpRateLimitException extends OdpApiException {
  private final Duration retryAfter;

  /**
   * Creates an exception.
   *
   * @param endpoint the API family name
   * @param message the full message
   * @param headers the response headers
   * @param title ODP's {@code title}, or null
   * @param detail ODP's detail message, or null
   * @param body the response body, truncated
   * @param retryAfter the parsed {@code Retry-After}, or null
   */
  public OdpRateLimitException(
      String endpoint,
      String message,
      Map<String, List<String>> headers,
      String title,
      String detail,
      String body,
      Duration retryAfter) {
    super(endpoint, message, 429, headers, title, detail, body);
    this.retryAfter = retryAfter;
  }

  /** Returns the delay ODP asked for in {@code Retry-After}, if it sent one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
