package io.github.brazeodp.braze;

/**
 * Sees every HTTP attempt the client makes, for troubleshooting and metrics.
 *
 * <p>Called on the thread that made the request, once per attempt, retries included, and once per
 * wait of the client ({@link #onWait(BrazeWait)}). A listener that throws is logged and ignored: it
 * never breaks a request.
 */
@FunctionalInterface
public interface BrazeEventListener {
  /** Receives one exchange. */
  void onExchange(BrazeExchange exchange);

  /**
   * Receives one wait before it starts, on the thread that is about to wait: rate pacing, a pause
   * Braze asked for, or a retry backoff (waits for an export to be ready are not reported). Ignored
   * by default; a listener that throws is logged and ignored, and the wait happens anyway.
   */
  default void onWait(BrazeWait wait) {}

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
