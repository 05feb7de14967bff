package io.github.brazeodp.braze;

import java.util.List;
import java.util.Map;

/** Braze answered 5xx: Braze failed to process the request. */
public class BrazeServerException extends BrazeApiException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public BrazeServerException(
      String endpoint,
      int status,
      Map<String, List<String>> headers,
      String brazeMessage,
      List<BrazeError> errors,
      String body) {
    super(endpoint, status, headers, brazeMessage, errors, body);
  }
}
