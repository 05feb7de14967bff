package io.github.brazeodp.braze;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One HTTP attempt between the client and Braze, as seen by a {@link BrazeEventListener}.
 *
 * <p>Secrets are already redacted: the {@code Authorization} header reads {@code Bearer
 * [REDACTED]}. Bodies are truncated at the listener's cap; binary downloads (export archives) are
 * described rather than copied.
 *
 * @param startedAt when the attempt started
 * @param method HTTP method
 * @param url full URL (export download URLs lose their query string, which holds a signature)
 * @param endpoint the endpoint path, for example {@code /users/track}
 * @param attempt 1 for the first attempt, 2 for the first retry, and so on
 * @param requestHeaders request headers, secrets redacted
 * @param requestBody request body, or empty
 * @param status HTTP status, or -1 when no response arrived
 * @param responseHeaders response headers
 * @param responseBody response body, or empty
 * @param duration time from sending to the response headers or the failure
 * @param error the failure when no response arrived, else null
 */
public record BrazeExchange(
    Instant startedAt,
    String method,
    String url,
    String endpoint,
    int attempt,
    Map<String, List<String>> requestHeaders,
    String requestBody,
    int status,
    Map<String, List<String>> responseHeaders,
    String responseBody,
    Duration duration,
    String error) {

  /** Copies the header maps. */
  public BrazeExchange {
    requestHeaders = Map.copyOf(requestHeaders);
    responseHeaders = Map.copyOf(responseHeaders);
    requestBody = requestBody == null ? "" : requestBody;
    responseBody = responseBody == null ? "" : responseBody;
  }

  /** Returns whether the attempt got a 2xx response. */
  public boolean successful() {
    return status >= 200 && status < 300;
  }
}
