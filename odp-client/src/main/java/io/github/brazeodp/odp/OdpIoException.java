package io.github.brazeodp.odp;

/** The request failed without an HTTP response (connect, timeout, reset, interrupted wait). */
public final class OdpIoException extends OdpException {
  /**
   * Creates an exception.
   *
   * @param endpoint the API family name
   * @param message the message
   * @param cause the I/O failure
   */
  public OdpIoException(String endpoint, String message, Throwable cause) {
    super(endpoint, message, cause);
  }
}
