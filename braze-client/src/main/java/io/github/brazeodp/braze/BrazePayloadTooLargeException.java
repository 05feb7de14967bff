package io.github.brazeodp.braze;

import java.util.List;
import java.util.Map;

/** Braze answered 413: the body is over Braze's 4 MB limit; split the request. */
public class BrazePayloadTooLargeException extends BrazeApiException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public BrazePayloadTooLargeException(
      String endpoint,
      int status,
      Map<String, List<String>> headers,
      String brazeMessage,
      List<BrazeError> errors,
      String body) {
    super(endpoint, status, headers, brazeMessage, errors, body);
  }
}
