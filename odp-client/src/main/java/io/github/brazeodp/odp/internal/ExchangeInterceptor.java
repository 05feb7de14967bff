package io.github.brazeodp.odp.internal;

import io.github.brazeodp.odp.OdpEventListener;
import io.github.brazeodp.odp.OdpExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reports every HTTP attempt to the host's {@link OdpEventListener}, with the key redacted. */
public final class ExchangeInterceptor implements Interceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeInterceptor.class);
  static final String REDACTED = "[REDACTED]";

  private final OdpEventListener listener;
  private final long bodyLimit;

  /**
   * Creates the interceptor.
   *
   * @param listener receives one exchange per attempt
   * @param bodyLimit bodies longer than this many bytes are truncated in the report
   */
  public ExchangeInterceptor(OdpEventListener listener, long bodyLimit) {
    this.listener = listener;
    this.bodyLimit = bodyLimit;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    ExchangeTag tag = request.tag(ExchangeTag.class);
    String endpoint = tag != null ? tag.endpoint() : "unknown";
    int attempt = tag != null ? tag.attempt() : 1;
    boolean capture = tag == null || tag.captureBodies();
    String requestBody = capture ? requestBody(request.body()) : null;
    long start = System.nanoTime();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      report(
          new OdpExchange(
              request.method(),
              redactedUrl(request),
              endpoint,
              headers(request.headers()),
              requestBody,
              -1,
              Map.of(),
              null,
              Duration.ofNanos(System.nanoTime() - start),
              attempt,
              e.toString()));
      throw e;
    }
    String responseBody = null;
    if (capture) {
      try {
        responseBody =
            Bodies.truncated(
                new Buffer().write(response.peekBody(bodyLimit + 1).bytes()), bodyLimit);
      } catch (IOException e) {
        responseBody = "[unreadable: " + e + "]";
      }
    }
    report(
        new OdpExchange(
            request.method(),
            redactedUrl(request),
            endpoint,
            headers(request.headers()),
            requestBody,
            response.code(),
            headers(response.headers()),
            responseBody,
            Duration.ofNanos(System.nanoTime() - start),
            attempt,
            null));
    return response;
  }

  private void report(OdpExchange exchange) {
    try {
      listener.onExchange(exchange);
    } catch (RuntimeException e) {
      // A diagnostics hook must never turn a good request into a failure.
      LOG.warn(
          "ODP event listener threw on {} {}; ignored", exchange.method(), exchange.endpoint(), e);
    }
  }

  private String requestBody(RequestBody body) {
    if (body == null) {
      return null;
    }
    try {
      Buffer buffer = new Buffer();
      body.writeTo(buffer);
      return Bodies.truncated(buffer, bodyLimit);
    } catch (IOException e) {
      return "[unreadable: " + e + "]";
    }
  }

  private static String redactedUrl(Request request) {
    // Presigned download URLs carry credentials in the query string.
    ExchangeTag tag = request.tag(ExchangeTag.class);
    if (tag != null && !tag.captureBodies() && request.url().querySize() > 0) {
      return request.url().newBuilder().query(null).build() + "?" + REDACTED;
    }
    return request.url().toString();
  }

  private static Map<String, List<String>> headers(Headers headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String name : headers.names()) {
      List<String> values = new ArrayList<>(headers.values(name));
      if (name.equalsIgnoreCase("x-api-key") || name.equalsIgnoreCase("authorization")) {
        values.replaceAll(v -> REDACTED);
      }
      out.put(name, values);
    }
    return out;
  }

  @Override
  public String toString() {
    return "ExchangeInterceptor{bodyLimit=" + bodyLimit + "}";
  }
}
