package io.github.brazeodp.samples.currents;

import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.currents.CurrentsResponse;
import io.github.brazeodp.sync.currents.RequestHeaders;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link CurrentsReceiver} at {@code POST /currents}, and {@code GET /health}, on an
 * embedded Jetty 12 server built to face the open internet.
 *
 * <ul>
 *   <li>The token, the content coding and the declared length are checked from the headers ({@link
 *       CurrentsReceiver#precheck}) before any byte of the body is read: a wrong token costs no
 *       body memory at all.
 *   <li>Bodies are read without blocking a thread, so slow clients (slowloris, in the headers or
 *       the body) hold a socket but no thread; requests are processed on a small pool of their own.
 *   <li>The body bytes being read across all requests are bounded ({@code maxInFlightBytes}): past
 *       it a request gets 503 with {@code Retry-After} before its body is read.
 *   <li>A connection idle for {@code idleTimeout} is closed, in the headers or the body, and a body
 *       must arrive whole within {@code bodyTimeout} (408 otherwise); at most {@code
 *       maxConnections} connections are open at once.
 * </ul>
 *
 * <p>Put it behind a TLS terminating proxy or load balancer: Braze posts over HTTPS.
 */
public final class CurrentsHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CurrentsHttpServer.class);

  /** The path Braze posts to. */
  public static final String PATH = "/currents";

  /** The path of the health check for load balancers and Kubernetes probes. */
  public static final String HEALTH_PATH = "/health";

  private static final int SELECTORS = 4;

  private final Server server;
  private final ServerConnector connector;
  private final ExecutorService workers;
  private final CurrentsHandler handler;

  private CurrentsHttpServer(
      Server server, ServerConnector connector, ExecutorService workers, CurrentsHandler handler) {
    this.server = server;
    this.connector = connector;
    this.workers = workers;
    this.handler = handler;
  }

  /** The path of the Prometheus scrape, served only when {@link Builder#metrics} was given. */
  public static final String METRICS_PATH = "/metrics";

  /** The content type of Prometheus's text exposition format. */
  public static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /**
   * Tells whether an {@code Authorization} header carries {@code token} as its bearer token,
   * comparing in constant time.
   *
   * @param header the header's value, or null when absent
   * @param token the expected token's UTF-8 bytes
   * @return whether it matches
   */
  public static boolean bearerMatches(String header, byte[] token) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return java.security.MessageDigest.isEqual(given, token);
  }

  /** What {@code GET /health} reports; no secrets, so it needs no token. */
  public record Health(boolean ready, String json) {}

  /**
   * Starts serving {@code receiver} on {@code address} with the default limits.
   *
   * @param address where to listen; port 0 picks a free port
   * @param receiver the receiver
   * @param threads how many requests are processed at once
   * @return the running server; close it to stop
   * @throws IOException if the address cannot be bound
   */
  public static CurrentsHttpServer start(
      InetSocketAddress address, CurrentsReceiver receiver, int threads) throws IOException {
    return builder(receiver).address(address).threads(threads).start();
  }

  /**
   * Returns a builder for a server in front of {@code receiver}.
   *
   * @param receiver the receiver
   * @return a builder with the default limits
   */
  public static Builder builder(CurrentsReceiver receiver) {
    return new Builder(receiver);
  }

  /**
   * Returns the port the server listens on.
   *
   * @return the port
   */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * Returns the body bytes reserved by requests whose bodies are being read, for metrics.
   *
   * @return the bytes in flight
   */
  public long inFlightBodyBytes() {
    return handler.inFlightBytes.get();
  }

  /**
   * Stops accepting posts, lets running ones finish (up to 1 s; an unfinished post is resent by
   * Braze and de-duplicated) and stops the threads.
   */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (TimeoutException e) {
      // Slow or idle clients still connected after the 1 s grace: they are cut off, as intended.
      log.info("Currents HTTP server stopped; connections still open after 1 s were closed");
    } catch (Exception e) {
      log.warn("Currents HTTP server did not stop cleanly: {}", e.toString());
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Builds and starts {@link CurrentsHttpServer}s. */
  public static final class Builder {
    private final CurrentsReceiver receiver;
    private InetSocketAddress address = new InetSocketAddress(8080);
    private int threads = 8;
    private long maxInFlightBytes = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 4);
    private Duration idleTimeout = Duration.ofSeconds(10);
    private Duration bodyTimeout = Duration.ofSeconds(30);
    private int maxConnections = 10_000;
    private Duration retryAfter = Duration.ofSeconds(5);
    private Supplier<Health> health = () -> new Health(true, "{\"status\":\"UP\"}");
    private Supplier<String> metrics;
    private byte[] metricsToken;

    private Builder(CurrentsReceiver receiver) {
      this.receiver = Objects.requireNonNull(receiver, "receiver");
    }

    /** Sets where to listen (default port 8080 on every interface). */
    public Builder address(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Sets how many requests are processed at once (default 8). */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Sets the bound on body bytes being read across all requests (default 64 MiB or a quarter of
     * the heap, whichever is smaller); it must hold at least one body of the receiver's limit.
     */
    public Builder maxInFlightBytes(long bytes) {
      if (bytes < receiver.maxBodyBytes()) {
        throw new IllegalArgumentException(
            "maxInFlightBytes "
                + bytes
                + " is below the receiver's body limit "
                + receiver.maxBodyBytes());
      }
      this.maxInFlightBytes = bytes;
      return this;
    }

    /** Sets how long a connection may stay silent, in its headers or body (default 10 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idleTimeout");
      return this;
    }

    /** Sets how long a whole body may take to arrive (default 30 s). */
    public Builder bodyTimeout(Duration timeout) {
      this.bodyTimeout = positive(timeout, "bodyTimeout");
      return this;
    }

    /** Sets how many connections may be open at once (default 10,000). */
    public Builder maxConnections(int connections) {
      if (connections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, was " + connections);
      }
      this.maxConnections = connections;
      return this;
    }

    /** Sets what {@code GET /health} answers: 200 when ready, else 503, with the JSON given. */
    public Builder health(Supplier<Health> health) {
      this.health = Objects.requireNonNull(health, "health");
      return this;
    }

    /**
     * Serves {@code GET /metrics} with what {@code scrape} returns (Prometheus's text exposition),
     * to requests that carry {@code token} as their bearer token: this port listens beyond loopback
     * for Braze, so without a token (null) every scrape is refused with 401.
     */
    public Builder metrics(Supplier<String> scrape, String token) {
      this.metrics = Objects.requireNonNull(scrape, "scrape");
      this.metricsToken = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /**
     * Starts the server.
     *
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public CurrentsHttpServer start() throws IOException {
      if (maxInFlightBytes < receiver.maxBodyBytes()) {
        maxInFlightBytes = receiver.maxBodyBytes();
      }
      // Jetty's own threads only parse and dispatch; reads never block. Each selector holds one
      // while it produces, hence the headroom over the selectors, the acceptor and reserved ones.
      QueuedThreadPool pool = new QueuedThreadPool(32, 4);
      pool.setName("currents-jetty");
      pool.setDaemon(true);
      Server server = new Server(pool);
      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      http.setSendDateHeader(false);
      http.setRequestHeaderSize(16 * 1024);
      // Four selectors whatever the core count (Jetty would pick one on two cores): when slow
      // clients trickle a byte each, all at once, one selector wakes them in a single line and a
      // legitimate post waits behind all of them (CurrentsSlowClients 1000: max 0.4-0.9 s with one
      // selector, 0.3-0.4 s with four, on two busy cores).
      ServerConnector connector =
          new ServerConnector(server, 1, SELECTORS, new HttpConnectionFactory(http));
      connector.setHost(address.getHostString());
      connector.setPort(address.getPort());
      connector.setIdleTimeout(idleTimeout.toMillis());
      connector.setAcceptQueueSize(1024);
      server.addConnector(connector);
      server.addBean(new NetworkConnectionLimit(maxConnections, connector));
      AtomicInteger n = new AtomicInteger();
      ExecutorService workers =
          Executors.newFixedThreadPool(
              threads,
              r -> {
                Thread t = new Thread(r, "currents-http-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      CurrentsHandler handler =
          new CurrentsHandler(
              receiver,
              workers,
              maxInFlightBytes,
              bodyTimeout,
              retryAfter,
              health,
              metrics,
              metricsToken);
      server.setHandler(handler);
      server.setStopTimeout(1_000);
      try {
        server.start();
      } catch (IOException e) {
        workers.shutdownNow();
        throw e;
      } catch (Exception e) {
        workers.shutdownNow();
        throw new IOException("cannot start the Currents HTTP server on " + address, e);
      }
      return new CurrentsHttpServer(server, connector, workers, handler);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }
  }

  /** Routes, checks headers, reads the body asynchronously within the byte budget, processes. */
  private static final class CurrentsHandler extends Handler.Abstract.NonBlocking {
    private final CurrentsReceiver receiver;
    private final ExecutorService workers;
    private final long maxInFlightBytes;
    private final Duration bodyTimeout;
    private final Duration retryAfter;
    private final Supplier<Health> health;
    private final Supplier<String> metrics;
    private final byte[] metricsToken;
    private final AtomicLong inFlightBytes = new AtomicLong();

    CurrentsHandler(
        CurrentsReceiver receiver,
        ExecutorService workers,
        long maxInFlightBytes,
        Duration bodyTimeout,
        Duration retryAfter,
        Supplier<Health> health,
        Supplier<String> metrics,
        byte[] metricsToken) {
      this.metrics = metrics;
      this.metricsToken = metricsToken;
      this.receiver = receiver;
      this.workers = workers;
      this.maxInFlightBytes = maxInFlightBytes;
      this.bodyTimeout = bodyTimeout;
      this.retryAfter = retryAfter;
      this.health = health;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      if (path.equals(HEALTH_PATH) || path.equals(HEALTH_PATH + "/live")) {
        health(request, response, callback, path.endsWith("/live"));
        return true;
      }
      if (path.equals(METRICS_PATH) && metrics != null) {
        metrics(request, response, callback);
        return true;
      }
      if (!path.equals(PATH)) {
        send(response, callback, 404, "{\"error\":\"not found\"}");
        return true;
      }
      if (!HttpMethod.POST.is(request.getMethod())) {
        response.getHeaders().put(HttpHeader.ALLOW, "POST");
        send(response, callback, 405, "{\"error\":\"use POST\"}");
        return true;
      }
      RequestHeaders headers = request.getHeaders()::get;
      Optional<CurrentsResponse> early = receiver.precheck(headers);
      if (early.isPresent()) {
        // Refused from the headers: the body is never read, and the connection is not reused.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        send(response, callback, early.get());
        return true;
      }
      long length = request.getLength();
      long reserve = length >= 0 ? length : receiver.maxBodyBytes();
      if (inFlightBytes.addAndGet(reserve) > maxInFlightBytes) {
        inFlightBytes.addAndGet(-reserve);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(retryAfter.toSeconds()));
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        send(
            response,
            callback,
            503,
            "{\"error\":\"too many request bodies in flight; resend later\"}");
        return true;
      }
      CompletableFuture<byte[]> body =
          Content.Source.asByteArrayAsync(request, (int) receiver.maxBodyBytes());
      body.orTimeout(bodyTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete(
              (bytes, failure) -> {
                inFlightBytes.addAndGet(-reserve);
                if (failure != null) {
                  body.cancel(true);
                  refuseBody(response, callback, failure);
                  return;
                }
                try {
                  workers.execute(() -> process(headers, bytes, response, callback));
                } catch (RejectedExecutionException stopping) {
                  send(response, callback, 503, "{\"error\":\"shutting down\"}");
                }
              });
      return true;
    }

    private void process(
        RequestHeaders headers, byte[] body, Response response, Callback callback) {
      try {
        send(response, callback, receiver.handle(headers, body));
      } catch (RuntimeException e) {
        callback.failed(e);
      }
    }

    private void refuseBody(Response response, Callback callback, Throwable failure) {
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      if (cause instanceof TimeoutException) {
        send(
            response,
            callback,
            408,
            "{\"error\":\"the body did not arrive within " + bodyTimeout.toSeconds() + " s\"}");
      } else if (cause instanceof IllegalArgumentException
          || cause instanceof ArithmeticException) {
        send(
            response,
            callback,
            413,
            "{\"error\":\"the body is over the limit of "
                + receiver.maxBodyBytes()
                + " bytes; send smaller batches\"}");
      } else {
        callback.failed(cause);
      }
    }

    private void health(Request request, Response response, Callback callback, boolean live) {
      if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        send(response, callback, 405, "{\"error\":\"use GET\"}");
        return;
      }
      if (live) {
        send(response, callback, 200, "{\"status\":\"UP\"}");
        return;
      }
      // The probe reads the store; run it off Jetty's threads like any other store access.
      try {
        workers.execute(
            () -> {
              Health h;
              try {
                h = health.get();
              } catch (RuntimeException e) {
                h = new Health(false, "{\"status\":\"DOWN\",\"error\":\"health check failed\"}");
              }
              send(response, callback, h.ready() ? 200 : 503, h.json());
            });
      } catch (RejectedExecutionException stopping) {
        send(response, callback, 503, "{\"status\":\"DOWN\"}");
      }
    }

    private void metrics(Request request, Response response, Callback callback) {
      if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        send(response, callback, 405, "{\"error\":\"use GET\"}");
        return;
      }
      if (metricsToken == null
          || !bearerMatches(request.getHeaders().get(HttpHeader.AUTHORIZATION), metricsToken)) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        send(response, callback, 401, "{\"error\":\"a bearer token is required\"}");
        return;
      }
      // Gauges read the store; run it off Jetty's threads like any other store access.
      try {
        workers.execute(
            () -> {
              String text;
              try {
                text = metrics.get();
              } catch (RuntimeException e) {
                send(response, callback, 500, "{\"error\":\"metrics failed\"}");
                return;
              }
              response.getHeaders().put(HttpHeader.CONTENT_TYPE, METRICS_TYPE);
              write(response, callback, 200, text);
            });
      } catch (RejectedExecutionException stopping) {
        send(response, callback, 503, "{\"error\":\"stopping\"}");
      }
    }

    private static void send(Response response, Callback callback, CurrentsResponse r) {
      r.headers().forEach((k, v) -> response.getHeaders().put(k, v));
      write(response, callback, r.status(), r.body());
    }

    private static void send(Response response, Callback callback, int status, String json) {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      write(response, callback, status, json);
    }

    private static void write(Response response, Callback callback, int status, String body) {
      response.setStatus(status);
      byte[] out = body.getBytes(StandardCharsets.UTF_8);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.length);
      response.write(true, ByteBuffer.wrap(out), callback);
    }
  }
}
