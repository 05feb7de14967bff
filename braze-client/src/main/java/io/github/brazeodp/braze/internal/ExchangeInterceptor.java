package io.github.brazeodp.braze.internal;

import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.braze.BrazeExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Application interceptor that authenticates Braze requests, tells whether a failed request left
 * the machine, and reports each attempt to the listener with secrets redacted.
 */
public final class ExchangeInterceptor implements Interceptor {
  private static final Logger log = LoggerFactory.getLogger(ExchangeInterceptor.class);
  static final String REDACTED = "[REDACTED]";

  private final HttpUrl baseUrl;
  private final String authorization;
  private final BrazeEventListener listener;
  private final Clock clock;
  private final int bodyCap;

  public ExchangeInterceptor(
      HttpUrl baseUrl, String apiKey, BrazeEventListener listener, Clock clock, int bodyCap) {
    this.baseUrl = baseUrl;
    this.authorization = "Bearer " + apiKey;
    this.listener = listener;
    this.clock = clock;
    this.bodyCap = bodyCap;
  }

  /** Marks whether the network interceptor saw the request, i.e. a connection was established. */
  static final class SendMarker {
    volatile boolean sent;
  }

  /** An I/O failure that happened before the request was written to a connection. */
  public static final class NotSentException extends IOException {
    private static final long serialVersionUID = 1L;

    NotSentException(IOException cause) {
      super(cause.toString(), cause);
    }
  }

  /** The network-level half: runs only once a connection exists. */
  public static Interceptor networkMarker() {
    return chain -> {
      SendMarker marker = chain.request().tag(SendMarker.class);
      if (marker != null) {
        marker.sent = true;
      }
      return chain.proceed(chain.request());
    };
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request original = chain.request();
    Request.Builder builder = original.newBuilder();
    // Only API calls to our own host get the key: export downloads go to pre-signed storage URLs,
    // which carry their own credentials, even when a proxy serves them from the same host.
    if (original.tag(Download.class) == null && sameOrigin(original.url())) {
      builder.header("Authorization", authorization);
    }
    SendMarker marker = new SendMarker();
    Request request = builder.tag(SendMarker.class, marker).build();
    Instant started = clock.instant();
    long startNanos = System.nanoTime();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      report(request, started, startNanos, null, e.toString());
      if (!marker.sent) {
        throw new NotSentException(e);
      }
      throw e;
    }
    report(request, started, startNanos, response, null);
    return response;
  }

  private boolean sameOrigin(HttpUrl url) {
    return url.scheme().equals(baseUrl.scheme())
        && url.host().equals(baseUrl.host())
        && url.port() == baseUrl.port();
  }

  private void report(
      Request request, Instant started, long startNanos, Response response, String error) {
    if (listener == BrazeEventListener.none()) {
      return;
    }
    try {
      Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
      String responseBody = "";
      int status = -1;
      Map<String, List<String>> responseHeaders = Map.of();
      if (response != null) {
        status = response.code();
        responseHeaders = headers(response.headers());
        responseBody = describeResponse(request, response);
      }
      Object attemptTag = request.tag(Attempt.class);
      int attempt = attemptTag instanceof Attempt a ? a.number() : 1;
      listener.onExchange(
          new BrazeExchange(
              started,
              request.method(),
              displayUrl(request),
              request.url().encodedPath(),
              attempt,
              redact(headers(request.headers())),
              describeRequest(request.body()),
              status,
              responseHeaders,
              responseBody,
              duration,
              error));
    } catch (RuntimeException | IOException e) {
      log.warn("Braze event listener failed; the request is unaffected", e);
    }
  }

  private static String displayUrl(Request request) {
    HttpUrl url = request.url();
    // Pre-signed download URLs carry credentials in their query string.
    return request.tag(Download.class) == null || url.query() == null
        ? url.toString()
        : url.newBuilder().query(null).build() + "?" + REDACTED;
  }

  private String describeRequest(RequestBody body) throws IOException {
    if (body == null) {
      return "";
    }
    if (body.isOneShot() || body.contentLength() > 16L * bodyCap) {
      return "<" + body.contentLength() + " bytes not captured>";
    }
    Buffer buffer = new Buffer();
    body.writeTo(buffer);
    return truncate(buffer.readString(StandardCharsets.UTF_8));
  }

  private String describeResponse(Request request, Response response) throws IOException {
    if (request.tag(Download.class) != null && response.isSuccessful()) {
      MediaType type = response.body().contentType();
      return "<download " + (type == null ? "" : type + " ") + "not captured>";
    }
    try {
      return truncate(response.peekBody(bodyCap + 1L).string());
    } catch (IOException e) {
      // The caller sees the same failure when it reads the body; the listener gets a note.
      return "<body unreadable: " + e + ">";
    }
  }

  private String truncate(String s) {
    return s.length() <= bodyCap ? s : s.substring(0, bodyCap) + "...[truncated]";
  }

  private static Map<String, List<String>> headers(Headers headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (String name : headers.names()) {
      map.put(name.toLowerCase(java.util.Locale.ROOT), headers.values(name));
    }
    return map;
  }

  private static Map<String, List<String>> redact(Map<String, List<String>> headers) {
    Map<String, List<String>> copy = new LinkedHashMap<>(headers);
    copy.computeIfPresent("authorization", (k, v) -> List.of("Bearer " + REDACTED));
    return copy;
  }

  /** Request tag carrying the attempt number for the listener. */
  public record Attempt(int number) {}

  /** Request tag marking a binary download whose body must not be peeked. */
  public record Download() {}
}
