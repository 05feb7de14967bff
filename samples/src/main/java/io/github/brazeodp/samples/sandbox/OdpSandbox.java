package io.github.brazeodp.samples.sandbox;

import io.github.brazeodp.odp.Sleeper;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.wire.OdpWire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * A local ODP: a real HTTP server on 127.0.0.1 speaking ODP's v3 REST and GraphQL API over an
 * {@link InMemoryOdp}.
 *
 * <pre>{@code
 * try (OdpSandbox sandbox = OdpSandbox.builder().build();
 *     OdpClient odp = OdpClient.builder()
 *         .apiKey(sandbox.apiKey()).baseUrl(sandbox.baseUrl()).build()) {
 *   odp.events().send(events);
 *   sandbox.fake().events();   // what arrived
 * }
 * }</pre>
 *
 * <p>Seed and inspect it through {@link #fake()}; inject HTTP faults through {@link #wire()}.
 * Closing stops the server.
 */
public final class OdpSandbox implements AutoCloseable {
  private final InMemoryOdp fake;
  private final OdpWire wire;
  private final WireHttpServer server;

  private OdpSandbox(Builder b) {
    this.fake = b.fake != null ? b.fake : new InMemoryOdp();
    OdpWire[] holder = new OdpWire[1];
    try {
      // The wire needs the server's URL for file links; the handler reads it once it is set.
      this.server = new WireHttpServer("odp-sandbox", b.port, r -> holder[0].handle(r));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the ODP sandbox on port " + b.port, e);
    }
    this.wire =
        OdpWire.builder(fake)
            .apiKey(b.apiKey)
            .clock(b.clock)
            .sleeper(b.sleeper)
            .exportReadyAfter(b.exportDelay)
            .publicUrl(server.rootUrl())
            .build();
    holder[0] = wire;
  }

  /** Starts a sandbox over {@code fake} on a random port with the default key. */
  public OdpSandbox(InMemoryOdp fake) {
    this(builder().fake(fake));
  }

  /** Returns a builder; {@link Builder#build()} starts the server. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the v3 base URL (ending in {@code /v3/}) to give {@code OdpClient.Builder.baseUrl}. */
  public String baseUrl() {
    return server.rootUrl() + "/v3/";
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

  /** Returns the API key the sandbox accepts as {@code x-api-key}. */
  public String apiKey() {
    return wire.apiKey();
  }

  /** Returns the fake holding the sandbox's state. */
  public InMemoryOdp fake() {
    return fake;
  }

  /** Returns the HTTP stand-in, for HTTP-level fault injection. */
  public OdpWire wire() {
    return wire;
  }

  /** Stops the server; idempotent. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "OdpSandbox{" + baseUrl() + "}";
  }

  /** Builds and starts an {@link OdpSandbox}. */
  public static final class Builder {
    private InMemoryOdp fake;
    private int port;
    private String apiKey = "sandbox-odp-key";
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Duration exportDelay = Duration.ZERO;

    private Builder() {}

    /** Serves this fake (default: a new one with ODP's default schema). */
    public Builder fake(InMemoryOdp fake) {
      this.fake = Objects.requireNonNull(fake, "fake");
      return this;
    }

    /** Listens on this port; 0 (default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Sets the accepted key (default {@code sandbox-odp-key}). */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /** Sets the clock of export jobs and timestamps (default the system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the sleeper that realises injected latency (default real sleeping). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Sets how long after creation an export job completes (default at once). */
    public Builder exportReadyAfter(Duration delay) {
      this.exportDelay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /** Starts the sandbox. */
    public OdpSandbox build() {
      return new OdpSandbox(this);
    }
  }
}
