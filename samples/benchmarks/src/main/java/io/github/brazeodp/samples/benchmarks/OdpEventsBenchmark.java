package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.BatchSettings;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.RowStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serializes and sends 5,000 events per operation with {@code odp.events().send(...)} to a loopback
 * MockWebServer that answers every request with ODP's 202. One operation = one {@code send} of all
 * 5,000 events, split into requests of exactly {@code batchSize} events; events/s, requests/s and
 * request-body bytes/s are reported as auxiliary counters.
 *
 * <p>Batch size 10 is what Optimizely's Java SDK sends by default, 100 this client's default (the
 * Node SDK's cap) and 500 ODP's documented maximum; each call keeps the client's default 8 requests
 * in flight. {@code send4Threads} shares one client between 4 threads, each sending its own
 * 5,000-event calls. {@link OdpEventsRttLoad} measures the same sends at a wide-area round trip.
 * Nothing sleeps: the server never fails, events are unpaced by default, and the client's sleeper
 * throws if any wait is ever attempted.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class OdpEventsBenchmark {
  static final int EVENTS = 5_000;
  private static final Instant START = Instant.parse("2026-11-29T06:00:00Z");

  /** Events per request: 10 Optimizely's Java SDK, 100 our default, 500 the documented maximum. */
  @Param({"10", "100", "500"})
  public int batchSize;

  /**
   * Whether the client's sockets set TCP_NODELAY. OkHttp leaves Nagle's algorithm on, so the last
   * partial segment of a request body over 8 KiB can wait for the server's delayed ACK; {@code
   * false} is what {@code OdpClient.builder()} gives today.
   */
  @Param({"false", "true"})
  public boolean clientNoDelay;

  private MockWebServer server;
  private OdpClient odp;
  private OkHttpClient hostClient;
  private List<OdpEvent> events;
  private long bodyBytesPerSend;

  /** Throughput counters (events/s, requests/s, body bytes/s) reported beside the sends/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long events;
    public long requests;
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      events = 0;
      requests = 0;
      bytes = 0;
    }
  }

  /** Answers every request with the same prebuilt 202, without queueing responses. */
  static final class Accepted extends Dispatcher {
    private final MockResponse accepted =
        new MockResponse.Builder()
            .code(202)
            .setHeader("Content-Type", "application/json")
            .body("{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"" + Instant.now() + "\"}")
            .build();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      return accepted;
    }
  }

  /** Client sockets with TCP_NODELAY, for the {@code clientNoDelay=true} runs. */
  static final class NoDelaySockets extends SocketFactory {
    @Override
    public Socket createSocket() throws IOException {
      Socket s = new Socket();
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public Socket createSocket(String host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * Server sockets whose connections set TCP_NODELAY, as production HTTP servers do. MockWebServer
   * flushes the headers and the body of a response separately; with Nagle's algorithm on, the body
   * waits for the client's delayed ACK (40 ms on Linux), which capped a connection near 25
   * requests/s.
   */
  static final class NoDelayServerSockets extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new ServerSocket() {
        @Override
        public Socket accept() throws IOException {
          Socket s = super.accept();
          s.setTcpNoDelay(true);
          return s;
        }
      };
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      throw new UnsupportedOperationException();
    }
  }

  @Setup(Level.Trial)
  public void start() throws IOException, InterruptedException {
    server = new MockWebServer();
    // Bodies are still read in full; only the recorded copy is dropped.
    server.setBodyLimit(0);
    server.setDispatcher(new Accepted());
    server.setServerSocketFactory(new NoDelayServerSockets());
    server.start();
    OdpClient.Builder builder = OdpClient.builder();
    if (clientNoDelay) {
      hostClient = new OkHttpClient.Builder().socketFactory(new NoDelaySockets()).build();
      builder.okHttpClient(hostClient);
    }
    odp =
        builder
            .apiKey("bench-not-a-real-key")
            .baseUrl(server.url("/v3/").toString())
            .batching(BatchSettings.builder().maxItems(batchSize).build())
            .sleeper(
                d -> {
                  if (!d.isNegative() && !d.isZero()) {
                    throw new IllegalStateException("the benchmark must never wait, asked " + d);
                  }
                })
            .build();
    events = events(EVENTS);

    // One checked send: every event accepted, in requests of exactly batchSize events.
    BatchResult r = odp.events().send(events);
    int expected = EVENTS / batchSize;
    if (!r.allAccepted() || r.requestCount() != expected) {
      throw new IllegalStateException(
          "expected " + expected + " accepted requests, got " + r.requestCount() + ": " + r);
    }
    long bytes = 0;
    for (int i = 0; i < expected; i++) {
      RecordedRequest req = server.takeRequest(5, TimeUnit.SECONDS);
      if (req == null || !"/v3/events".equals(req.getTarget())) {
        throw new IllegalStateException("unexpected request " + req);
      }
      bytes += req.getBodySize();
    }
    bodyBytesPerSend = bytes;
  }

  /** Drops the server's records of the requests (headers only), so they don't pile up. */
  @TearDown(Level.Iteration)
  public void drain() throws InterruptedException {
    while (server.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
      // discard
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    odp.close();
    if (hostClient != null) {
      hostClient.dispatcher().executorService().shutdown();
      hostClient.connectionPool().evictAll();
    }
    server.close();
  }

  /** Realistic Braze email engagement events: one email identifier, 5 data fields, a timestamp. */
  static List<OdpEvent> events(int n) {
    List<OdpEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          OdpEvent.builder("braze", "messages_email_open")
              .identifier("email", "user" + i + "@example.com")
              .data("campaign_id", "6f1c2a9e-3b4d-4e5f-8a7b-" + String.format("%012d", i % 50))
              .data("campaign_name", "Winter sale " + (i % 50))
              .data("message_variation_id", "c0ffee00-1234-4abc-9def-" + String.format("%012d", i))
              .data("dispatch_id", "d" + Long.toHexString(0x5e1f00dL * (i + 1)))
              .data("machine_open", i % 3 == 0)
              .ts(START.plusSeconds(i))
              .build());
    }
    return out;
  }

  private BatchResult sendAll(Counters counters) {
    BatchResult r = odp.events().send(events);
    counters.events += r.count(RowStatus.ACCEPTED);
    counters.requests += r.requestCount();
    counters.bytes += bodyBytesPerSend;
    return r;
  }

  @Benchmark
  @Threads(1)
  public BatchResult send(Counters counters) {
    return sendAll(counters);
  }

  @Benchmark
  @Threads(4)
  public BatchResult send4Threads(Counters counters) {
    return sendAll(counters);
  }
}
