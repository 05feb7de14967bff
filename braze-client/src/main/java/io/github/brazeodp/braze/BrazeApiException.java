package io.github.brazeodp.braze;

import java.util.List;
import java.util.Map;

/**
 * Braze answered with an HTTP error status.
 *
 * <p>Carries the endpoint, status, response headers, Braze's {@code message} and {@code errors}.
 * Subclasses narrow the status; catch this type to handle any of them.
 */
public class BrazeApiException extends BrazeException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial")
  private final Map<String, List<String>> headers;

  @SuppressWarnings("serial")
  private final List<BrazeError> errors;

  private final String endpoint;
  private final int status;
  private final String brazeMessage;
  private final String body;

  /** Creates the exception; prefer the subclasses. */
  public BrazeApiException(
      String endpoint,
      int status,
      Map<String, List<String>> headers,
      String brazeMessage,
      List<BrazeError> errors,
      String body) {
    super(describe(endpoint, status, brazeMessage, errors));
    this.endpoint = endpoint;
    this.status = status;
    this.headers = Map.copyOf(headers);
    this.brazeMessage = brazeMessage;
    this.errors = List.copyOf(errors);
    this.body = body;
  }

  private static String describe(
      String endpoint, int status, String brazeMessage, List<BrazeError> errors) {
    StringBuilder sb = new StringBuilder().append(endpoint).append(" answered ").append(status);
    if (brazeMessage != null && !brazeMessage.isEmpty()) {
      sb.append(": ").append(brazeMessage);
    }
    if (!errors.isEmpty()) {
      sb.append(" ").append(errors.size() > 5 ? errors.subList(0, 5) + " ..." : errors);
    }
    return sb.toString();
  }

  /** Returns the endpoint path, for example {@code /users/track}. */
  public String endpoint() {
    return endpoint;
  }

  /** Returns the HTTP status code. */
  public int status() {
    return status;
  }

  /** Returns the response headers, names lower-cased. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** Returns Braze's {@code message}, or null when the body had none. */
  public String brazeMessage() {
    return brazeMessage;
  }

  /** Returns Braze's {@code errors}, empty when there were none. */
  public List<BrazeError> errors() {
    return errors;
  }

  /** Returns the raw response body (truncated for very large bodies). */
  public String body() {
    return body;
  }
}
