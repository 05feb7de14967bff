package io.github.brazeodp.samples.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.ActivationRunner;
import io.github.brazeodp.sync.activation.MemberSource;
import io.github.brazeodp.sync.activation.TargetIdentifier;
import io.github.brazeodp.sync.activation.Touchpoint;
import io.github.brazeodp.sync.adapter.BrazeClientGateway;
import io.github.brazeodp.sync.state.LedgerState;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Sends a campaign to 100,000 members through a local Braze stand-in that enforces the 250,000
 * requests/hour messaging limit scaled down for the run, and reports calls, 429s and members/s.
 *
 * <p>The stand-in (a JDK {@code HttpServer}) answers {@code POST /campaigns/trigger/send} with
 * Braze's rate-limit headers ({@code X-RateLimit-Limit}, {@code -Remaining}, {@code -Reset}) over
 * fixed windows, and 429 "Over rate limit" once a window's budget is spent. The limit is scaled
 * down by shrinking the window, keeping Braze's rate: 250,000 requests per hour becomes 694 per
 * 10-second window (69.4 requests/s either way), so that the run (2,000 calls) is larger than one
 * window's budget and pacing and 429s actually happen, in about half a minute. The real {@link
 * BrazeClient} paces itself with the same budget and retries the 429s it still gets (a send is
 * retried only on 429 or a connection that never left). Members come from a host-supplied {@link
 * MemberSource}; the ledger lives in an in-memory store, or SQLite with {@code --sqlite}.
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.ActivationSendBenchmark [members] [perWindow] [windowSeconds] [--sqlite]
 * </pre>
 */
public final class ActivationSendBenchmark {
  private ActivationSendBenchmark() {}

  public static void main(String[] args) throws IOException {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int perWindow = args.length > 1 ? Integer.parseInt(args[1]) : 250_000 / 360;
    int windowSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    boolean sqlite = args.length > 3 && args[3].equals("--sqlite");

    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs,
    // adding about 40 ms to every call: the stand-in, not the SDK, would be measured.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    StandIn standIn = new StandIn(perWindow, windowSeconds);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService serverThreads = Executors.newFixedThreadPool(4);
    server.setExecutor(serverThreads);
    server.createContext("/campaigns/trigger/send", standIn::handle);
    server.start();
    Path dbDir = sqlite ? Files.createTempDirectory("activation-bench-") : null;
    try (BrazeClient client =
            BrazeClient.builder()
                .apiKey("bench-key")
                .baseUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .rateLimits(
                    RateLimits.builder()
                        .limit(
                            EndpointFamily.MESSAGING, perWindow, Duration.ofSeconds(windowSeconds))
                        .build())
                .build();
        SyncStateStore state =
            sqlite
                ? SyncStateStore.sqlite(dbDir.resolve("ledger.db"))
                : SyncStateStore.inMemory()) {
      MemberSource source =
          (segment, fields) ->
              IntStream.range(0, members)
                  .mapToObj(i -> Map.of("ext_id", "user-" + i, "first_name", "Name" + i));
      ActivationRunner runner =
          ActivationRunner.builder()
              .braze(new BrazeClientGateway(client, Clock.systemUTC()))
              .members(source)
              .state(state)
              .build();
      Activation activation =
          Activation.builder("bench")
              .segment("bench_segment")
              .target(TargetIdentifier.externalId("ext_id"))
              .touchpoint(Touchpoint.campaign("bench-campaign"))
              .field("first_name", "{{ customer.first_name | upcase }}")
              .build();

      long start = System.nanoTime();
      SyncReport report = runner.run(activation, "bench-1");
      double seconds = (System.nanoTime() - start) / 1e9;

      long expectedCalls = (members + 49) / 50;
      long sentInLedger = state.ledgerCounts("bench", "bench-1").get(LedgerState.SENT);
      System.out.printf(
          "members=%d budget=%d/%ds status=%s sent=%d ledgerSent=%d runnerCalls=%d"
              + " acceptedCalls=%d (expected %d) recipientsAccepted=%d http429=%d"
              + " seconds=%.2f membersPerSecond=%.0f store=%s%n",
          members,
          perWindow,
          windowSeconds,
          report.status(),
          report.counts().sent(),
          sentInLedger,
          report.counts().brazeCalls(),
          standIn.accepted.get(),
          expectedCalls,
          standIn.recipients.get(),
          standIn.rejected.get(),
          seconds,
          members / seconds,
          sqlite ? "sqlite" : "memory");
      if (standIn.accepted.get() != expectedCalls || report.counts().sent() != members) {
        System.out.println("MISMATCH: calls or sends differ from the expected figures");
        System.exit(1);
      }
    } finally {
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  /** Braze's trigger endpoint with a fixed-window budget and Braze's rate-limit headers. */
  private static final class StandIn {
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong recipients = new AtomicLong();
    private final int perWindow;
    private final long windowMillis;
    private long window = -1;
    private int used;

    StandIn(int perWindow, int windowSeconds) {
      this.perWindow = perWindow;
      this.windowMillis = windowSeconds * 1000L;
    }

    void handle(HttpExchange exchange) throws IOException {
      byte[] request;
      try (InputStream in = exchange.getRequestBody()) {
        request = in.readAllBytes();
      }
      long now = System.currentTimeMillis();
      int remaining;
      long resetSeconds;
      boolean allowed;
      synchronized (this) {
        long current = now / windowMillis;
        if (current != window) {
          window = current;
          used = 0;
        }
        allowed = used < perWindow;
        if (allowed) {
          used++;
        }
        remaining = perWindow - used;
        resetSeconds = ((current + 1) * windowMillis + 999) / 1000;
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("X-RateLimit-Limit", String.valueOf(perWindow));
      exchange.getResponseHeaders().add("X-RateLimit-Remaining", String.valueOf(remaining));
      exchange.getResponseHeaders().add("X-RateLimit-Reset", String.valueOf(resetSeconds));
      String body;
      int status;
      if (allowed) {
        long n = accepted.incrementAndGet();
        recipients.addAndGet(
            count(new String(request, StandardCharsets.UTF_8), "external_user_id"));
        status = 201;
        body = "{\"dispatch_id\":\"dispatch-" + n + "\",\"message\":\"success\"}";
      } else {
        rejected.incrementAndGet();
        status = 429;
        body = "{\"message\":\"Over rate limit\"}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }

    private static int count(String text, String needle) {
      int n = 0;
      for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
        n++;
      }
      return n;
    }
  }
}
