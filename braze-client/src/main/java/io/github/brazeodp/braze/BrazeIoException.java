package io.github.brazeodp.braze;

import java.io.IOException;

/**
 * The request failed on the network: connection refused, reset, timed out.
 *
 * <p>{@link #requestSent()} tells whether the request may have reached Braze; when it is false the
 * failure happened while connecting and repeating the request is safe even for a trigger send.
 */
public class BrazeIoException extends BrazeException {
  private static final long serialVersionUID = 1L;
  private final String endpoint;
  private final boolean requestSent;

  /** Creates the exception. */
  public BrazeIoException(String endpoint, boolean requestSent, IOException cause) {
    super(
        endpoint
            + (requestSent ? " failed after the request was sent: " : " failed to connect: ")
            + cause,
        cause);
    this.endpoint = endpoint;
    this.requestSent = requestSent;
  }

  /** Returns the endpoint path. */
  public String endpoint() {
    return endpoint;
  }

  /** Returns whether the request may have reached Braze (the outcome is then unknown). */
  public boolean requestSent() {
    return requestSent;
  }
}
