package io.github.brazeodp.braze;

import java.util.List;
import java.util.Map;

/**
 * Braze answered 401 or 403: the key is invalid, lacks the permission, or belongs to another
 * instance.
 */
public class BrazeAuthException extends BrazeApiException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public BrazeAuthException(
      String endpoint,
      int status,
      Map<String, List<String>> headers,
      String brazeMessage,
      List<BrazeError> errors,
      String body) {
    super(endpoint, status, headers, brazeMessage, errors, body);
  }
}
