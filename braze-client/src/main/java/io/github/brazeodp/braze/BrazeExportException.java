package io.github.brazeodp.braze;

/**
 * An export archive could not be fetched: not ready by the deadline, expired, or stored in your own
 * bucket rather than behind a URL.
 */
public class BrazeExportException extends BrazeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  /** Creates the exception; {@code status} is the last HTTP status seen, or -1. */
  public BrazeExportException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** Returns the last HTTP status seen from the download URL, or -1. */
  public int status() {
    return status;
  }
}
