package io.github.brazeodp.samples.currents;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.currents.CurrentsResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a {@link CurrentsReceiver} at {@code POST /currents} on the JDK's built-in HTTP server,
 * the smallest host Braze Currents can post to.
 *
 * <p>The body is read up to the receiver's limit plus one byte, so an oversized post costs at most
 * that much memory and gets 413 (after the token check, as Braze expects). Put it behind a TLS
 * terminating proxy: Braze posts over HTTPS.
 */
public final class CurrentsHttpServer implements AutoCloseable {
  /** The path Braze posts to. */
  public static final String PATH = "/currents";

  private final HttpServer server;
  private final ExecutorService executor;

  private CurrentsHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving {@code receiver} on {@code address}.
   *
   * @param address where to listen; port 0 picks a free port
   * @param receiver the receiver
   * @param threads how many requests are handled at once
   * @return the running server; close it to stop
   * @throws IOException if the address cannot be bound
   */
  public static CurrentsHttpServer start(
      InetSocketAddress address, CurrentsReceiver receiver, int threads) throws IOException {
    Objects.requireNonNull(receiver, "receiver");
    HttpServer server = HttpServer.create(address, 128);
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "currents-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(PATH, exchange -> handle(exchange, receiver));
    server.start();
    return new CurrentsHttpServer(server, executor);
  }

  /**
   * Returns the port the server listens on.
   *
   * @return the port
   */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void handle(HttpExchange exchange, CurrentsReceiver receiver) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(PATH)) {
        send(exchange, 404, "{\"error\":\"not found\"}", "application/json");
        return;
      }
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        send(exchange, 405, "{\"error\":\"use POST\"}", "application/json");
        return;
      }
      byte[] body = readAtMost(exchange.getRequestBody(), receiver.maxBodyBytes() + 1);
      CurrentsResponse response = receiver.handle(exchange.getRequestHeaders(), body);
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      byte[] out = response.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(response.status(), out.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private static byte[] readAtMost(InputStream in, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    int read;
    while (total < limit
        && (read = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) != -1) {
      out.write(buffer, 0, read);
      total += read;
    }
    return out.toByteArray();
  }

  private static void send(HttpExchange exchange, int status, String body, String type)
      throws IOException {
    byte[] out = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, out.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(out);
    }
  }

  /**
   * Stops accepting posts, lets running ones finish (up to 1 s; an unfinished post is resent by
   * Braze and de-duplicated) and stops the threads.
   */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
