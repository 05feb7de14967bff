package io.github.brazeodp.sync.inspect;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP exchange seen by an {@link EventInspector}: what was sent, what came back, how long it
 * took.
 *
 * <p>Exchanges that reach a built-in inspector are redacted (see {@link EventInspector#redact}).
 * Bodies are text, already truncated by the client that reported them (64 KiB by default).
 *
 * @param time when the attempt started (for ODP, the end of the attempt minus its duration)
 * @param source which side of the integration the exchange belongs to
 * @param method HTTP method, for example {@code POST}
 * @param url full URL
 * @param endpoint the endpoint as its client names it: a path such as {@code /users/track} for
 *     Braze, an API family such as {@code events} for ODP, the path for Currents
 * @param attempt 1 for the first attempt, 2 for the first retry, and so on
 * @param status HTTP status, or -1 when no response arrived
 * @param duration time from sending to the response headers or the failure
 * @param requestHeaders request headers in their original order
 * @param requestBody request body, or empty
 * @param responseHeaders response headers, empty when no response arrived
 * @param responseBody response body, or empty
 * @param error the failure when no response arrived, else null
 */
public record InspectedExchange(
    Instant time,
    Source source,
    String method,
    String url,
    String endpoint,
    int attempt,
    int status,
    Duration duration,
    Map<String, List<String>> requestHeaders,
    String requestBody,
    Map<String, List<String>> responseHeaders,
    String responseBody,
    String error) {

  /** Which side of the integration an exchange belongs to. */
  public enum Source {
    /** A call to the Braze REST API. */
    BRAZE,
    /** A call to the ODP REST API. */
    ODP,
    /** A batch Braze Currents posted to the integration's receiver. */
    CURRENTS
  }

  /**
   * Checks the required fields and copies the header maps; null bodies become empty.
   *
   * @throws NullPointerException if time, source, method, url, endpoint or duration is null
   * @throws IllegalArgumentException if attempt is below 1 or status below -1
   */
  public InspectedExchange {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(duration, "duration");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    if (status < -1) {
      throw new IllegalArgumentException("status must be -1 (no response) or an HTTP status");
    }
    requestHeaders = copy(requestHeaders);
    responseHeaders = copy(responseHeaders);
    requestBody = requestBody == null ? "" : requestBody;
    responseBody = responseBody == null ? "" : responseBody;
  }

  /** Returns whether no response arrived or the response was an error (status 400 or above). */
  public boolean failed() {
    return status == -1 || status >= 400;
  }

  /**
   * Returns a builder for an exchange of {@code source}, for reporters other than the two clients
   * (the Currents receiver, tests).
   */
  public static Builder builder(Source source, String method, String url) {
    return new Builder(source, method, url);
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
    if (headers == null || headers.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          if (name != null && values != null) {
            out.put(name, values.stream().filter(Objects::nonNull).toList());
          }
        });
    return Collections.unmodifiableMap(out);
  }

  /** Builds an {@link InspectedExchange}; only the time is required beyond the factory's. */
  public static final class Builder {
    private final Source source;
    private final String method;
    private final String url;
    private Instant time;
    private String endpoint;
    private int attempt = 1;
    private int status = -1;
    private Duration duration = Duration.ZERO;
    private Map<String, List<String>> requestHeaders = Map.of();
    private String requestBody = "";
    private Map<String, List<String>> responseHeaders = Map.of();
    private String responseBody = "";
    private String error;

    private Builder(Source source, String method, String url) {
      this.source = Objects.requireNonNull(source, "source");
      this.method = Objects.requireNonNull(method, "method");
      this.url = Objects.requireNonNull(url, "url");
    }

    /** Sets when the exchange started (required). */
    public Builder time(Instant time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    /** Sets the endpoint (default: the URL's path). */
    public Builder endpoint(String endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** Sets the attempt number (default 1). */
    public Builder attempt(int attempt) {
      this.attempt = attempt;
      return this;
    }

    /** Sets the HTTP status (default -1, no response). */
    public Builder status(int status) {
      this.status = status;
      return this;
    }

    /** Sets the duration (default zero). */
    public Builder duration(Duration duration) {
      this.duration = Objects.requireNonNull(duration, "duration");
      return this;
    }

    /** Sets the request headers and body. */
    public Builder request(Map<String, List<String>> headers, String body) {
      this.requestHeaders = headers;
      this.requestBody = body;
      return this;
    }

    /** Sets the response headers and body. */
    public Builder response(Map<String, List<String>> headers, String body) {
      this.responseHeaders = headers;
      this.responseBody = body;
      return this;
    }

    /** Sets the failure when no response arrived. */
    public Builder error(String error) {
      this.error = error;
      return this;
    }

    /**
     * Builds the exchange.
     *
     * @throws IllegalStateException if the time was not set
     */
    public InspectedExchange build() {
      if (time == null) {
        throw new IllegalStateException("time is required");
      }
      return new InspectedExchange(
          time,
          source,
          method,
          url,
          endpoint != null ? endpoint : pathOf(url),
          attempt,
          status,
          duration,
          requestHeaders,
          requestBody,
          responseHeaders,
          responseBody,
          error);
    }

    private static String pathOf(String url) {
      try {
        String path = new URI(url).getRawPath();
        return path == null ? "" : path;
      } catch (URISyntaxException e) {
        return "";
      }
    }
  }
}
