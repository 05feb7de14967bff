package io.github.brazeodp.braze;

import java.util.List;
import java.util.Map;

/**
 * Braze answered 400 Bad Request: the request was malformed or refused (for example \"Invalid
 * Campaign ID\").
 */
public class BrazeBadRequestException extends BrazeApiException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public BrazeBadRequestException(
      String endpoint,
      int status,
      Map<String, List<String>> headers,
      String brazeMessage,
      List<BrazeError> errors,
      String body) {
    super(endpoint, status, headers, brazeMessage, errors, body);
  }
}
