package io.github.brazeodp.braze;

/** A response or export body could not be decoded as the documented JSON. */
public class BrazeDecodingException extends BrazeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public BrazeDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
