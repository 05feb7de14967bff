package io.github.brazeodp.samples.ui;

import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.sync.inspect.InspectedExchange;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.DeadLetterFilter;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The troubleshooting page on an embedded Jetty 12 of its own port: the activity log with a chart
 * of runs, the Currents outbox and dead letters, the event inspector, {@code GET /health} and, when
 * given, {@code GET /metrics} (Prometheus text), which needs the same authorization as the page.
 *
 * <p>{@link Builder#healthOnly()} serves {@code /health} and {@code /metrics} alone, for a daemon
 * that runs neither the page nor the Currents receiver but must still answer its probes.
 *
 * <p>Read-only: starting and stopping the inspector is its one control. Bound to 127.0.0.1 by
 * default; bound to any other address it must be given a bearer token, which every request but
 * {@code /health} must then carry ({@code Authorization: Bearer ...}, else 401). Without a token it
 * answers only requests addressed to a loopback name, so a web page the operator visits cannot
 * reach it through DNS rebinding, and it refuses cross-origin posts.
 */
public final class TroubleshootingServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TroubleshootingServer.class);

  /** How many activity records the page reads to filter and find runs in. */
  static final int ACTIVITY_WINDOW = 1000;

  /** How many filtered runs the activity table lists. */
  static final int LISTED_RUNS = 100;

  /** How many dead letters are sampled. */
  static final int DEAD_LETTER_SAMPLES = 10;

  private final Server server;
  private final ServerConnector connector;

  private TroubleshootingServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /**
   * Returns a builder for a page over {@code store}.
   *
   * @param store the state store whose activity log, outbox and dead letters are shown
   * @return a builder
   */
  public static Builder builder(SyncStateStore store) {
    return new Builder(store);
  }

  /**
   * Returns the port the page is served on.
   *
   * @return the port
   */
  public int port() {
    return connector.getLocalPort();
  }

  /** Stops serving. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("Troubleshooting page did not stop cleanly: {}", e.toString());
    }
  }

  /** Builds and starts {@link TroubleshootingServer}s. */
  public static final class Builder {
    private final SyncStateStore store;
    private InetSocketAddress address =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 8081);
    private String token;
    private UiInspector inspector;
    private Supplier<CurrentsHttpServer.Health> health =
        () -> new CurrentsHttpServer.Health(true, "{\"status\":\"UP\"}");
    private Clock clock = Clock.systemUTC();
    private String prefix = "_braze_";
    private String title = "braze-odp-sync";
    private Supplier<String> metrics;
    private boolean healthOnly;

    private Builder(SyncStateStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** Sets where to listen (default 127.0.0.1:8081; port 0 picks a free port). */
    public Builder address(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Sets the bearer token every request but {@code /health} must carry; required when the address
     * is not a loopback address.
     */
    public Builder token(String token) {
      if (token != null && token.isBlank()) {
        throw new IllegalArgumentException("token must not be blank");
      }
      this.token = token;
      return this;
    }

    /**
     * Sets the inspector the page lists and starts or stops; without one (the default: a page over
     * a state file alone, with no clients to inspect) the inspector section is left out.
     */
    public Builder inspector(UiInspector inspector) {
      this.inspector = inspector;
      return this;
    }

    /** Sets what {@code GET /health} answers: 200 when ready, else 503, with the JSON given. */
    public Builder health(Supplier<CurrentsHttpServer.Health> health) {
      this.health = Objects.requireNonNull(health, "health");
      return this;
    }

    /**
     * Serves {@code GET /metrics}: {@code scrape} returns Prometheus's text exposition. Authorized
     * like the page: the bearer token when one is set, else only requests addressed to a loopback
     * name.
     */
    public Builder metrics(Supplier<String> scrape) {
      this.metrics = Objects.requireNonNull(scrape, "scrape");
      return this;
    }

    /**
     * Serves only {@code /health}, {@code /health/live} and {@code /metrics} (when set), not the
     * page; such a server may listen beyond loopback without a token, since {@code /health} shows
     * no secret, while {@code /metrics} is then refused without the token.
     */
    public Builder healthOnly() {
      this.healthOnly = true;
      return this;
    }

    /** Sets the clock ages are measured with. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the prefix of the Braze fields highlighted in exchanges (default {@code _braze_}). */
    public Builder brazePrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("prefix must not be empty");
      }
      this.prefix = prefix;
      return this;
    }

    /** Sets the page's title, to tell the daemon's page from the receiver's. */
    public Builder title(String title) {
      this.title = Objects.requireNonNull(title, "title");
      return this;
    }

    /**
     * Starts serving.
     *
     * @return the running server
     * @throws IllegalStateException if the address is not loopback and no token was set
     * @throws IOException if the address cannot be bound
     */
    public TroubleshootingServer start() throws IOException {
      boolean loopback = address.getAddress() != null && address.getAddress().isLoopbackAddress();
      if (!loopback && token == null && !healthOnly) {
        throw new IllegalStateException(
            "the troubleshooting page on "
                + address
                + " is not bound to a loopback address, so it needs a bearer token");
      }
      QueuedThreadPool pool = new QueuedThreadPool(8, 2);
      pool.setName("troubleshooting-page");
      pool.setDaemon(true);
      Server server = new Server(pool);
      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      ServerConnector connector =
          new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
      connector.setHost(address.getHostString());
      connector.setPort(address.getPort());
      connector.setIdleTimeout(30_000);
      server.addConnector(connector);
      server.setHandler(
          new PageHandler(
              store,
              token == null ? null : token.getBytes(StandardCharsets.UTF_8),
              inspector,
              health,
              clock,
              prefix,
              title,
              metrics,
              healthOnly,
              loopback));
      server.setStopTimeout(500);
      try {
        server.start();
      } catch (IOException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException("cannot start the troubleshooting page on " + address, e);
      }
      return new TroubleshootingServer(server, connector);
    }
  }

  /** Routes; store reads block, so this runs on Jetty's (small) pool like any blocking handler. */
  private static final class PageHandler extends Handler.Abstract {
    private final SyncStateStore store;
    private final byte[] token;
    private final UiInspector inspector;
    private final Supplier<CurrentsHttpServer.Health> health;
    private final Clock clock;
    private final String prefix;
    private final String title;
    private final Supplier<String> metrics;
    private final boolean healthOnly;
    private final boolean loopbackBound;

    PageHandler(
        SyncStateStore store,
        byte[] token,
        UiInspector inspector,
        Supplier<CurrentsHttpServer.Health> health,
        Clock clock,
        String prefix,
        String title,
        Supplier<String> metrics,
        boolean healthOnly,
        boolean loopbackBound) {
      this.metrics = metrics;
      this.healthOnly = healthOnly;
      this.loopbackBound = loopbackBound;
      this.store = store;
      this.token = token;
      this.inspector = inspector;
      this.health = health;
      this.clock = clock;
      this.prefix = prefix;
      this.title = title;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      boolean get =
          HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod());
      try {
        if (path.equals(CurrentsHttpServer.HEALTH_PATH) || path.equals("/health/live")) {
          if (!get) {
            return methodNotAllowed(response, callback, "GET, HEAD");
          }
          healthCheck(response, callback, path.endsWith("/live"));
          return true;
        }
        boolean metricsPath = path.equals(CurrentsHttpServer.METRICS_PATH) && metrics != null;
        if (healthOnly && !metricsPath) {
          send(response, callback, 404, "text/plain", "not found");
          return true;
        }
        if (!authorized(request)) {
          response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
          send(response, callback, 401, "text/plain", "a bearer token is required");
          return true;
        }
        if (metricsPath) {
          if (!get) {
            return methodNotAllowed(response, callback, "GET, HEAD");
          }
          send(response, callback, 200, CurrentsHttpServer.METRICS_TYPE, metrics.get());
          return true;
        }
        if (path.startsWith("/inspector/") && inspector == null) {
          html(response, callback, 404, Pages.page(title, "<p>No inspector here.</p>"));
          return true;
        }
        if (path.startsWith("/inspector/") && HttpMethod.POST.is(request.getMethod())) {
          return control(request, response, callback, path);
        }
        if (!get) {
          return methodNotAllowed(response, callback, "GET, HEAD");
        }
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        switch (path) {
          case "/" -> html(response, callback, 200, home(query));
          case "/run" -> runDetails(response, callback, query.getValue("id"));
          case "/inspector/exchange" -> exchange(response, callback, query.getValue("n"));
          case "/inspector/count.json" ->
              send(
                  response,
                  callback,
                  200,
                  "application/json",
                  "{\"running\":" + inspector.running() + ",\"seen\":" + inspector.seen() + "}");
          case "/assets/page.js" -> asset(response, callback, "page.js", "text/javascript");
          case "/assets/page.css" -> asset(response, callback, "page.css", "text/css");
          default -> html(response, callback, 404, Pages.page(title, "<p>Not found.</p>"));
        }
      } catch (RuntimeException e) {
        // The store may be failing: say so on the page instead of a bare 500.
        log.warn("Troubleshooting page failed on {}: {}", path, e.toString());
        html(
            response,
            callback,
            500,
            Pages.page(title, "<p class=\"error\">Failed: " + Html.esc(e.toString()) + "</p>"));
      }
      return true;
    }

    private boolean authorized(Request request) {
      if (token != null) {
        return CurrentsHttpServer.bearerMatches(
            request.getHeaders().get(HttpHeader.AUTHORIZATION), token);
      }
      // Only a health-only server listens beyond loopback without a token: there the Host header
      // could be forged, so its /metrics answers connections from this machine alone.
      if (!loopbackBound
          && !(request.getConnectionMetaData().getRemoteSocketAddress()
                  instanceof InetSocketAddress remote
              && remote.getAddress() != null
              && remote.getAddress().isLoopbackAddress())) {
        return false;
      }
      // Loopback without a token: only requests addressed to a loopback name (no DNS rebinding).
      String host = Request.getServerName(request);
      return host.equals("localhost")
          || host.equals("127.0.0.1")
          || host.equals("[::1]")
          || host.equals("::1");
    }

    private String home(Fields query) {
      String error = null;
      Pages.Filter filter;
      try {
        filter =
            new Pages.Filter(
                parse(ActivityRecord.Flow.class, query.getValue("flow"), "flow"),
                parse(ActivityRecord.Status.class, query.getValue("status"), "status"),
                instant(query.getValue("since"), "since"),
                instant(query.getValue("until"), "until"));
      } catch (IllegalArgumentException e) {
        error = e.getMessage();
        filter = new Pages.Filter(null, null, null, null);
      }
      List<ActivityRecord> records =
          filter.flow() == null
              ? store.recentActivity(ACTIVITY_WINDOW)
              : store.recentActivity(filter.flow(), ACTIVITY_WINDOW);
      Pages.Filter f = filter;
      List<ActivityRecord> runs = records.stream().filter(f::accepts).limit(LISTED_RUNS).toList();
      Pages.Outbox outbox =
          new Pages.Outbox(
              store.outboxSize(),
              store.peekOutbox(1),
              store.deadLetterCount(),
              store.deadLetters(DeadLetterFilter.all(), DEAD_LETTER_SAMPLES));
      Instant now = clock.instant();
      return Pages.page(
          title,
          "<p class=\"now\">As of "
              + Html.esc(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
              + " &middot; <a href=\"/health\">health</a></p>"
              + Pages.activity(runs, filter, error)
              + Pages.outbox(outbox, now)
              + (inspector == null ? "" : Pages.inspector(inspector)));
    }

    private void runDetails(Response response, Callback callback, String id) {
      Optional<ActivityRecord> run =
          id == null
              ? Optional.empty()
              : store.recentActivity(ACTIVITY_WINDOW).stream()
                  .filter(r -> r.id().equals(id))
                  .findFirst();
      if (run.isEmpty()) {
        html(
            response,
            callback,
            404,
            Pages.page(
                title,
                "<p>No run "
                    + Html.esc(id)
                    + " among the latest "
                    + ACTIVITY_WINDOW
                    + " runs.</p>"));
        return;
      }
      html(response, callback, 200, Pages.page(title, Pages.run(run.get())));
    }

    private void exchange(Response response, Callback callback, String n) {
      long number;
      try {
        number = Long.parseLong(n == null ? "" : n);
      } catch (NumberFormatException e) {
        html(response, callback, 400, Pages.page(title, "<p>n must be an exchange number.</p>"));
        return;
      }
      Optional<InspectedExchange> found =
          inspector.list().stream()
              .filter(x -> x.number() == number)
              .map(UiInspector.Numbered::exchange)
              .findFirst();
      if (found.isEmpty()) {
        html(
            response,
            callback,
            404,
            Pages.page(title, "<p>Exchange " + number + " is no longer kept.</p>"));
        return;
      }
      html(response, callback, 200, Pages.page(title, Pages.exchange(number, found.get(), prefix)));
    }

    private boolean control(Request request, Response response, Callback callback, String path) {
      String origin = request.getHeaders().get(HttpHeader.ORIGIN);
      if (origin != null && !sameOrigin(origin, request)) {
        send(response, callback, 403, "text/plain", "cross-origin request refused");
        return true;
      }
      switch (path) {
        case "/inspector/start" -> inspector.start();
        case "/inspector/stop" -> inspector.stop();
        default -> {
          send(response, callback, 404, "text/plain", "not found");
          return true;
        }
      }
      response.setStatus(303);
      response.getHeaders().put(HttpHeader.LOCATION, "/#inspector");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
      callback.succeeded();
      return true;
    }

    private static boolean sameOrigin(String origin, Request request) {
      try {
        URI o = URI.create(origin);
        return o.getHost() != null
            && o.getHost().equalsIgnoreCase(Request.getServerName(request))
            && (o.getPort() == -1 ? 80 : o.getPort()) == Request.getServerPort(request);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    private void healthCheck(Response response, Callback callback, boolean live) {
      if (live) {
        send(response, callback, 200, "application/json", "{\"status\":\"UP\"}");
        return;
      }
      CurrentsHttpServer.Health h;
      try {
        h = health.get();
      } catch (RuntimeException e) {
        h =
            new CurrentsHttpServer.Health(
                false, "{\"status\":\"DOWN\",\"error\":\"health check failed\"}");
      }
      send(response, callback, h.ready() ? 200 : 503, "application/json", h.json());
    }

    private static void asset(Response response, Callback callback, String name, String type) {
      try (InputStream in = TroubleshootingServer.class.getResourceAsStream(name)) {
        if (in == null) {
          send(response, callback, 404, "text/plain", "not found");
          return;
        }
        send(response, callback, 200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static boolean methodNotAllowed(Response response, Callback callback, String allow) {
      response.getHeaders().put(HttpHeader.ALLOW, allow);
      send(response, callback, 405, "text/plain", "method not allowed");
      return true;
    }

    private static void html(Response response, Callback callback, int status, String body) {
      send(response, callback, status, "text/html", body);
    }

    private static void send(
        Response response, Callback callback, int status, String type, String body) {
      response.setStatus(status);
      response
          .getHeaders()
          .put(HttpHeader.CONTENT_TYPE, type.contains("charset") ? type : type + "; charset=utf-8");
      // Everything the page needs is served from here; nothing else may run or load.
      response
          .getHeaders()
          .put(
              "Content-Security-Policy",
              "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      response.getHeaders().put("Referrer-Policy", "no-referrer");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      byte[] out = body.getBytes(StandardCharsets.UTF_8);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.length);
      response.write(true, ByteBuffer.wrap(out), callback);
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String name) {
      if (value == null || value.isBlank()) {
        return null;
      }
      try {
        return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            name
                + " must be one of "
                + List.of(type.getEnumConstants())
                + ", was \""
                + value
                + "\"");
      }
    }

    private static Instant instant(String value, String name) {
      if (value == null || value.isBlank()) {
        return null;
      }
      try {
        return Instant.parse(value.strip());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            name + " must be a UTC time such as 2026-12-01T00:00:00Z, was \"" + value + "\"");
      }
    }
  }
}
