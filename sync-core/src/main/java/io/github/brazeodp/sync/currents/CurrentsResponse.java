package io.github.brazeodp.sync.currents;

import java.util.Map;
import java.util.Objects;

/**
 * What to answer Braze: a status, headers and a JSON body. Hosts copy all three onto their HTTP
 * response.
 *
 * @param status the HTTP status: 200, 400, 401, 413 or 503
 * @param headers headers to set, always {@code Content-Type}; {@code WWW-Authenticate} with 401,
 *     {@code Retry-After} with 503
 * @param body the JSON body, with counts or the reason for a refusal
 */
public record CurrentsResponse(int status, Map<String, String> headers, String body) {

  /**
   * Copies the headers.
   *
   * @param status the HTTP status
   * @param headers headers to set
   * @param body the JSON body
   */
  public CurrentsResponse {
    headers = Map.copyOf(headers);
    Objects.requireNonNull(body, "body");
  }

  /**
   * Returns whether Braze takes this answer as success and will not resend the batch.
   *
   * @return true for a 2xx status
   */
  public boolean acknowledged() {
    return status >= 200 && status < 300;
  }
}
