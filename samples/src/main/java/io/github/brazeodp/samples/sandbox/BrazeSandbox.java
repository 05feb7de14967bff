package io.github.brazeodp.samples.sandbox;

import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.braze.Sleeper;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.wire.BrazeWire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Objects;

/**
 * A local Braze: a real HTTP server on 127.0.0.1 speaking Braze's REST API over an {@link
 * InMemoryBraze}.
 *
 * <pre>{@code
 * try (BrazeSandbox sandbox = BrazeSandbox.builder().build();
 *     BrazeClient braze = BrazeClient.builder()
 *         .apiKey(sandbox.apiKey()).baseUrl(sandbox.baseUrl()).build()) {
 *   DemoWorld.seed(sandbox.fake(), new InMemoryOdp(), 42);
 *   braze.segments().list().forEach(System.out::println);
 * }
 * }</pre>
 *
 * <p>Seed and inspect it through {@link #fake()}; inject HTTP faults through {@link #wire()}.
 * Closing stops the server.
 */
public final class BrazeSandbox implements AutoCloseable {
  private final InMemoryBraze fake;
  private final BrazeWire wire;
  private final WireHttpServer server;
  private final Clock clock;
  private final java.util.concurrent.ScheduledExecutorService callbacks;
  private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

  private BrazeSandbox(Builder b) {
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    Sleeper sleeper = b.sleeper != null ? b.sleeper : Sleeper.system();
    this.fake = b.fake != null ? b.fake : new InMemoryBraze(clock, sleeper, TrackLimit.COMBINED_50);
    try {
      // The wire needs the server's URL for download links, and the server needs the wire; the
      // handler reads the field once the constructor has finished.
      BrazeWire[] wireHolder = new BrazeWire[1];
      this.server = new WireHttpServer("braze-sandbox", b.port, r -> wireHolder[0].handle(r));
      this.wire =
          BrazeWire.builder(fake)
              .apiKey(b.apiKey)
              .clock(clock)
              .sleeper(sleeper)
              .rateLimits(b.rateLimits)
              .publicUrl(server.rootUrl())
              .build();
      wireHolder[0] = wire;
      // Braze POSTs {"success": true, "url": ...} to an export's callback_endpoint once it is
      // ready.
      this.callbacks =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "braze-sandbox-callbacks");
                t.setDaemon(true);
                return t;
              });
      callbacks.scheduleWithFixedDelay(
          this::deliverCallbacks, 100, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Braze sandbox on port " + b.port, e);
    }
  }

  private void deliverCallbacks() {
    for (BrazeWire.Callback c : wire.takeDueCallbacks(clock.instant())) {
      try {
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(c.endpoint()))
                .header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(10))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(c.body()))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
      } catch (IOException | RuntimeException e) {
        // Braze does not retry a failed callback either; the host can still poll the URL.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Starts a sandbox over {@code fake} on a random port with the default key. */
  public BrazeSandbox(InMemoryBraze fake) {
    this(builder().fake(fake));
  }

  /** Returns a builder; {@link Builder#build()} starts the server. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the REST base URL to give {@code BrazeClient.Builder.baseUrl}. */
  public String baseUrl() {
    return server.rootUrl() + "/";
  }

  /** Returns the port the server listens on. */
  public int port() {
    return server.port();
  }

  /**
   * Returns how many HTTP requests the sandbox received, every endpoint and answer counted (faults
   * and dropped connections included): what the server saw, to compare with a client's own counts.
   */
  public long requestCount() {
    return server.requestCount();
  }

  /** Returns the API key the sandbox accepts. */
  public String apiKey() {
    return wire.apiKey();
  }

  /** Returns the fake holding the sandbox's state. */
  public InMemoryBraze fake() {
    return fake;
  }

  /** Returns the HTTP stand-in, for HTTP-level fault injection. */
  public BrazeWire wire() {
    return wire;
  }

  /** Stops the server; idempotent. */
  @Override
  public void close() {
    callbacks.shutdownNow();
    server.close();
  }

  @Override
  public String toString() {
    return "BrazeSandbox{" + baseUrl() + "}";
  }

  /** Builds and starts a {@link BrazeSandbox}. */
  public static final class Builder {
    private InMemoryBraze fake;
    private int port;
    private String apiKey = "sandbox-braze-key";
    private Clock clock;
    private Sleeper sleeper;
    private RateLimits rateLimits = RateLimits.defaults();

    private Builder() {}

    /** Serves this fake (default: a new empty one on the given clock). */
    public Builder fake(InMemoryBraze fake) {
      this.fake = Objects.requireNonNull(fake, "fake");
      return this;
    }

    /** Listens on this port; 0 (default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Sets the accepted API key (default {@code sandbox-braze-key}). */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /** Sets the clock of rate windows and export readiness (default the system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the sleeper that realises injected latency (default real sleeping). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Sets the server-side budgets per endpoint family (default Braze's documented limits). */
    public Builder rateLimits(RateLimits rateLimits) {
      this.rateLimits = Objects.requireNonNull(rateLimits, "rateLimits");
      return this;
    }

    /** Starts the sandbox. */
    public BrazeSandbox build() {
      return new BrazeSandbox(this);
    }
  }
}
