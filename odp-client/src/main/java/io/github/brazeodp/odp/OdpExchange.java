package io.github.brazeodp.odp;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP attempt as reported to an {@link OdpEventListener}; the {@code x-api-key} header value
 * is replaced by {@code "[REDACTED]"}.
 *
 * @param method HTTP method
 * @param url full request URL (for presigned export downloads, the query is redacted)
 * @param endpoint stable API family name, e.g. {@code "events"}; see {@link OdpApi#endpoint()}
 * @param requestHeaders request headers set by the client
 * @param requestBody request body text, truncated at the configured cap; null when there is none or
 *     for binary downloads
 * @param status HTTP status, or -1 when no response arrived
 * @param responseHeaders response headers, empty when no response arrived
 * @param responseBody response body text, truncated; null when no response arrived or for downloads
 * @param duration time from sending to receiving the response headers
 * @param attempt 1-based attempt number within the call
 * @param error the I/O failure, or null when a response arrived
 */
public record OdpExchange(
    String method,
    String url,
    String endpoint,
    Map<String, List<String>> requestHeaders,
    String requestBody,
    int status,
    Map<String, List<String>> responseHeaders,
    String responseBody,
    Duration duration,
    int attempt,
    String error) {
  /** Copies the header maps so the record stays immutable. */
  public OdpExchange {
    requestHeaders = copy(requestHeaders);
    responseHeaders = copy(responseHeaders);
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
    if (headers == null) {
      return Map.of();
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    headers.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(out);
  }
}
