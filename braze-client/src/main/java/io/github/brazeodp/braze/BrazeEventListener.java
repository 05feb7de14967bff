package io.github.brazeodp.braze;

/**
 * Sees every HTTP attempt the client makes, for troubleshooting and metrics.
 *
 * <p>Called on the thread that made the request, once per attempt, retries included. A listener
 * that throws is logged and ignored: it never breaks a request.
 */
@FunctionalInterface
public interface BrazeEventListener {
  /** Receives one exchange. */
  void onExchange(BrazeExchange exchange);

  /** Returns a listener that ignores everything. */
  static BrazeEventListener none() {
    return NoListener.INSTANCE;
  }
}

/** The listener that ignores everything; recognised so that bodies are not copied for nobody. */
enum NoListener implements BrazeEventListener {
  INSTANCE;

  @Override
  public void onExchange(BrazeExchange exchange) {}
}
