package io.github.brazeodp.samples.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.brazeodp.sync.fake.wire.WireRequest;
import io.github.brazeodp.sync.fake.wire.WireResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hosts a wire stand-in on the JDK's HTTP server, bound to 127.0.0.1. */
final class WireHttpServer implements AutoCloseable {
  static {
    // The JDK server leaves Nagle's algorithm on, which costs ~40 ms per response against a client
    // that waits for it (delayed ACK); real APIs answer without that stall. Read once, at first
    // use.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(WireHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicLong requests = new AtomicLong();
  private boolean closed;

  WireHttpServer(String name, int port, Function<WireRequest, WireResponse> handler)
      throws IOException {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0 (random) to 65535, was " + port);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    AtomicInteger threads = new AtomicInteger();
    executor =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, name + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          serve(exchange, handler);
        });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Returns how many HTTP requests arrived, whatever was answered (dropped ones included). */
  long requestCount() {
    return requests.get();
  }

  String rootUrl() {
    return "http://127.0.0.1:" + port();
  }

  private static void serve(HttpExchange exchange, Function<WireRequest, WireResponse> handler) {
    try (exchange) {
      WireResponse response;
      try {
        response = handler.apply(toWire(exchange));
      } catch (RuntimeException e) {
        LOG.warn("sandbox handler failed for {}", exchange.getRequestURI().getPath(), e);
        byte[] body = "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(500, body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      if (response.dropConnection()) {
        // Closing the exchange before any response header closes the socket: the client sees an
        // I/O error after having sent its request.
        return;
      }
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().put(k, v));
      try (InputStream in = response.openBody()) {
        long length = response.contentLength();
        exchange.sendResponseHeaders(response.status(), length == 0 ? -1 : length < 0 ? 0 : length);
        if (length != 0) {
          try (OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
          }
        }
      }
    } catch (IOException e) {
      // The client went away mid-response (for example a readiness probe that read one byte).
      LOG.debug("sandbox response aborted: {}", e.toString());
    }
  }

  private static WireRequest toWire(HttpExchange exchange) throws IOException {
    Map<String, List<String>> query = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String k = decode(eq < 0 ? pair : pair.substring(0, eq));
        String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
        query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    return new WireRequest(
        exchange.getRequestMethod(),
        exchange.getRequestURI().getPath(),
        query,
        exchange.getRequestHeaders(),
        body);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
