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
}
