package io.github.brazeodp.odp;

/** ODP answered with success but the body could not be read as the documented shape. */
public final class OdpDecodingException extends OdpException {
  /**
   * Creates an exception.
   *
   * @param endpoint the API family name
   * @param message the message
   * @param cause the parse failure, may be null
   */
  public OdpDecodingException(String endpoint, String message, Throwable cause) {
    super(endpoint, message, cause);
  }
}
