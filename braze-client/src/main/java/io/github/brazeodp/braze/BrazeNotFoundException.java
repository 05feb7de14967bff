package io.github.brazeodp.braze;

import java.util.List;
import java.util.Map;

/** Braze answered 404 Not Found. */
public class BrazeNotFoundException extends BrazeApiException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public BrazeNotFoundException(
      String endpoint,
      int status,
      Map<String, List<String>> headers,
      String brazeMessage,
      List<BrazeError> errors,
      String body) {
    super(endpoint, status, headers, brazeMessage, errors, body);
  }
}
