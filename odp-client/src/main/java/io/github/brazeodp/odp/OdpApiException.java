package io.github.brazeodp.odp;

import java.util.List;
import java.util.Map;

/**
 * ODP answered with a non-success HTTP status; subclasses name the common statuses.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/rate-limits">ODP
 *     errors and limits</a>
 */
public class OdpApiException extends OdpException {
  private final int status;
  private final Map<String, List<String>> headers;
  private final String title;
  private final String detail;
  private final String body;

  /**
   * Creates an exception.
   *
   * @param endpoint the API family name
   * @param message the full message
   * @param status the HTTP status
   * @param headers the response headers
   * @param title ODP's {@code title}, or null
   * @param detail ODP's {@code detail.message} or {@code message}, or null
   * @param body the response body, truncated
   */
  public OdpApiException(
      String endpoint,
      String message,
      int status,
      Map<String, List<String>> headers,
      String title,
      String detail,
      String body) {
    super(endpoint, message, null);
    this.status = status;
    this.headers = headers == null ? Map.of() : Map.copyOf(headers);
    this.title = title;
    this.detail = detail;
    this.body = body == null ? "" : body;
  }

  /** Returns the HTTP status. */
  public int status() {
    return status;
  }

  /** Returns the response headers (names in lower case). */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** Returns ODP's {@code title}, e.g. {@code "Bad Request"}, or null when absent. */
  public String title() {
    return title;
  }

  /** Returns ODP's {@code detail.message} (or top-level {@code message}), or null when absent. */
  public String detail() {
    return detail;
  }

  /** Returns the response body text, truncated at the exchange body cap. */
  public String body() {
    return body;
  }
}
