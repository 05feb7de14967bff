package io.github.brazeodp.odp;

/**
 * Observes every HTTP attempt the client makes, retries included, for logging or metrics.
 *
 * <p>Called on the calling thread after each attempt. Exceptions thrown by the listener are logged
 * and ignored; they never fail a request. Keep it fast: it runs inside the request.
 */
@FunctionalInterface
public interface OdpEventListener {
  /**
   * Receives one attempt.
   *
   * @param exchange what was sent and received, with the API key redacted
   */
  void onExchange(OdpExchange exchange);

  /**
   * Receives one wait before it starts, on the thread that is about to wait: rate pacing or a retry
   * backoff (waits for an export to be ready are not reported). Ignored by default; a listener that
   * throws is logged and ignored, and the wait happens anyway.
   *
   * @param wait what the client waits for and how long
   */
  default void onWait(OdpWait wait) {}
}
