package io.github.brazeodp.sync.activation;

/**
 * A poll window of an {@link OdpEventSource} could not be read: the events export failed or did not
 * complete in time, or the stored watermark lies in the future. Nothing of the window was
 * committed, so the next window reads the same events again (sends stay guarded by the ledger).
 */
public final class EventSourceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String activation;

  /**
   * Creates the exception.
   *
   * @param activation the activation whose window failed
   * @param message what happened, naming the activation
   * @param cause the underlying failure, or null
   */
  public EventSourceException(String activation, String message, Throwable cause) {
    super(message, cause);
    this.activation = activation;
  }

  /**
   * Returns the activation whose window failed.
   *
   * @return the activation name
   */
  public String activation() {
    return activation;
  }
}
