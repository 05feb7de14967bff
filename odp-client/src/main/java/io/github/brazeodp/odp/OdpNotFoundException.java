package io.github.brazeodp.odp;

import java.util.List;
import java.util.Map;

/** HTTP 404: the object, field, customer or job does not exist. */
public final class OdpNotFoundException extends OdpApiException {
  /**
   * Creates an exception; see {@link OdpApiException#OdpApiException}.
   *
   * @param endpoint the API family name
   * @param message the full message
   * @param status the HTTP status
   * @param headers the response headers
   * @param title ODP's {@code title}, or null
   * @param detail ODP's detail message, or null
   * @param body the response body, truncated
   */
  public OdpNotFoundException(
      String endpoint,
      String message,
      int status,
      Map<String, List<String>> headers,
      String title,
      String detail,
      String body) {
    super(endpoint, message, status, headers, title, detail, body);
  }
}
