package io.github.brazeodp.braze;

/** Root of every exception thrown by the Braze client; unchecked. */
public class BrazeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public BrazeException(String message) {
    super(message);
  }

  /** Creates an exception with a message and a cause. */
  public BrazeException(String message, Throwable cause) {
    super(message, cause);
  }
}
