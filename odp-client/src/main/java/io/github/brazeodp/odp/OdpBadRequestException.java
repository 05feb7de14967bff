package io.github.brazeodp.odp;

import java.util.List;
import java.util.Map;

/**
 * HTTP 400: ODP rejected the request; {@link #invalids()} holds its {@code detail.invalids[]}.
 *
 * <p>Batch calls do not throw this: they report the rejected rows in {@link BatchResult}.
 */
public final class OdpBadRequestException extends OdpApiException {
  private final List<OdpInvalid> invalids;

  /**
   * Creates an exception.
   *
   * @param endpoint the API family name
   * @param message the full message
   * @param headers the response headers
   * @param title ODP's {@code title}, or null
   * @param detail ODP's detail message, or null
   * @param body the response body, truncated
   * @param invalids the parsed {@code detail.invalids[]}
   */
  public OdpBadRequestException(
      String endpoint,
      String message,
      Map<String, List<String>> headers,
      String title,
      String detail,
      String body,
      List<OdpInvalid> invalids) {
    super(endpoint, message, 400, headers, title, detail, body);
    this.invalids = invalids == null ? List.of() : List.copyOf(invalids);
  }

  /** Returns ODP's {@code detail.invalids[]}, in order; empty when it sent none. */
  public List<OdpInvalid> invalids() {
    return invalids;
  }
}
