package io.github.brazeodp.samples.currents;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.wire.OdpWire;
import io.github.brazeodp.sync.fake.wire.WireRequest;
import io.github.brazeodp.sync.fake.wire.WireResponse;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the receiver ({@link CurrentsReceiverMain} in a child JVM, Jetty in front, SQLite
 * state file) while a poster streams batches and the forwarder sends to an ODP stand-in in this JVM
 * that counts every idempotence id it accepts. After a restart on the same state file every event
 * that got a 2xx must reach ODP; the copies ODP receives twice measure the crash window.
 */
class CurrentsCrashTest {
  private static final String TOKEN = "Y3Jhc2gtdGVzdC10b2tlbg";
  private static final Pattern IDEMPOTENCE =
      Pattern.compile("\"idempotence_id\"\\s*:\\s*\"([^\"]+)\"");

  @TempDir Path dir;
  private OdpStandIn odp;
  private Path state;
  private int port;
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    odp = new OdpStandIn();
    state = dir.resolve("state.db");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    odp.close();
  }

  @Test
  void killedMidStreamLosesNoAcknowledgedEvent() throws Exception {
    Process first = startReceiver("first");
    Poster poster = new Poster("stream", 20);
    poster.start();
    awaitTrue(() -> poster.acked.size() >= 200, "200 events acknowledged");
    kill9(first);
    poster.stop();
    Set<String> ackedBeforeCrash = Set.copyOf(poster.acked);

    long restart = System.nanoTime();
    startReceiver("second");
    awaitTrue(() -> odp.deliveredAll(ackedBeforeCrash), "the acknowledged events delivered");
    long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);

    // The restarted receiver takes new posts as before.
    Poster after = new Poster("after", 20);
    after.postOnce();
    awaitTrue(() -> odp.deliveredAll(after.acked), "the posts after the restart delivered");

    report("mid-stream", ackedBeforeCrash.size(), drainMillis);
    assertThat(odp.missing(ackedBeforeCrash)).isEmpty();
    assertNothingLeftInTheStore();
  }

  @Test
  void killedWhileAForwardingRequestIsInFlightResendsItOnce() throws Exception {
    odp.latencyMillis = 3_000;
    Process first = startReceiver("first");
    Poster poster = new Poster("slow", 50);
    for (int i = 0; i < 4; i++) {
      poster.postOnce();
    }
    // ODP holds the forwarding request; the crash lands while the receiver waits for its answer.
    awaitTrue(() -> odp.inFlight.get() > 0, "a forwarding request in flight");
    kill9(first);
    odp.latencyMillis = 0;
    Set<String> acked = Set.copyOf(poster.acked);
    assertThat(acked).hasSize(200);

    long restart = System.nanoTime();
    startReceiver("second");
    awaitTrue(() -> odp.deliveredAll(acked), "the acknowledged events delivered");
    long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);
    // The request in flight at the crash: ODP accepted it after the receiver died, so its events
    // arrive twice, with the same idempotence ids, and no more than one forwarding batch.
    awaitTrue(() -> odp.inFlight.get() == 0, "the held request finished");

    report("mid-forwarding, ODP slow", acked.size(), drainMillis);
    assertThat(odp.missing(acked)).isEmpty();
    assertThat(odp.duplicates()).isBetween(1, 500);
    assertNothingLeftInTheStore();
  }

  @Test
  void splittingWholeRequestRefusalsSurvivesAKill() throws Exception {
    // ODP refuses any request over 50 events with a 400 naming no event; the forwarder sends 500.
    odp.fake.requestCap(50);
    odp.latencyMillis = 100;
    Process first = startReceiver("first");
    Poster poster = new Poster("capped", 100);
    for (int i = 0; i < 5; i++) {
      poster.postOnce();
    }
    awaitTrue(() -> odp.refused.get() > 0, "a whole-request 400 from ODP");
    kill9(first);
    Set<String> acked = Set.copyOf(poster.acked);
    assertThat(acked).hasSize(500);

    long restart = System.nanoTime();
    startReceiver("second");
    awaitTrue(() -> odp.deliveredAll(acked), "the acknowledged events delivered");
    long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);

    report("while splitting (cap 50)", acked.size(), drainMillis);
    assertThat(odp.missing(acked)).isEmpty();
    assertNothingLeftInTheStore();
  }

  private void report(String scenario, int acked, long drainMillis) {
    System.out.printf(
        "kill -9 %s: %d acknowledged, %d delivered, 0 lost, %d duplicates (same idempotence id"
            + " twice), %d whole-request 400s; restarted receiver drained in %d ms%n",
        scenario, acked, odp.delivered.size(), odp.duplicates(), odp.refused.get(), drainMillis);
  }

  private void assertNothingLeftInTheStore() throws InterruptedException {
    for (Process p : children) {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    try (SyncStateStore store = SyncStateStore.sqlite(state)) {
      assertThat(store.outboxSize().messages()).isZero();
      assertThat(store.deadLetterCount()).isZero();
    }
  }

  private Process startReceiver(String name) throws Exception {
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                CurrentsReceiverMain.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("CURRENTS_TOKENS", TOKEN);
    env.put("ODP_API_KEY", odp.wire.apiKey());
    env.put("ODP_BASE_URL", odp.baseUrl());
    env.put("PORT", Integer.toString(port));
    env.put("STATE_DB", state.toString());
    Process p = pb.start();
    children.add(p);
    awaitTrue(
        () -> {
          try {
            return Files.exists(log) && Files.readString(log).contains("Currents receiver on");
          } catch (IOException e) {
            return false;
          }
        },
        "the receiver " + name + " listening");
    assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
    return p;
  }

  /** SIGKILL on Unix: no shutdown hook runs, nothing is flushed. */
  private static void kill9(Process p) throws InterruptedException {
    p.destroyForcibly();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(137);
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Posts batches of unique Currents ids, as Braze would, and records the ids that got a 2xx. */
  private final class Poster {
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final String prefix;
    private final int size;
    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean();
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Thread thread;

    Poster(String prefix, int size) {
      this.prefix = prefix;
      this.size = size;
    }

    void start() {
      running.set(true);
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  postOnce();
                }
              },
              "poster-" + prefix);
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }

    void postOnce() {
      int b = batches.getAndIncrement();
      List<String> ids = new ArrayList<>();
      StringBuilder body = new StringBuilder("{\"events\":[");
      for (int i = 0; i < size; i++) {
        String id = prefix + "-" + b + "-" + i;
        ids.add(id);
        body.append(i == 0 ? "" : ",")
            .append("{\"event_type\":\"users.messages.email.Open\",\"id\":\"")
            .append(id)
            .append("\",\"time\":2033802504,\"user\":{\"user_id\":\"b-")
            .append(i)
            .append("\"},\"properties\":{\"email_address\":\"u")
            .append(i)
            .append("@example.com\"}}");
      }
      body.append("]}");
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/currents"))
              .timeout(Duration.ofSeconds(5))
              .header("Authorization", "Bearer " + TOKEN)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
              .build();
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 == 2) {
          acked.addAll(ids);
        }
      } catch (IOException refusedOrCut) {
        // Not acknowledged: Braze would resend it; it is not part of the promise under test.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * ODP's REST API (the shared wire stand-in) on loopback, counting each idempotence id of every
   * accepted events request, with an optional delay before answering.
   */
  private static final class OdpStandIn implements AutoCloseable {
    final InMemoryOdp fake = new InMemoryOdp();
    final OdpWire wire = OdpWire.builder(fake).build();
    final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    volatile long latencyMillis;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    OdpStandIn() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(executor);
      server.createContext("/", this::serve);
      server.start();
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/v3/";
    }

    boolean deliveredAll(Set<String> ids) {
      return missing(ids).isEmpty();
    }

    List<String> missing(Set<String> ids) {
      return ids.stream().filter(id -> !delivered.containsKey(id)).toList();
    }

    int duplicates() {
      return delivered.values().stream().mapToInt(n -> n.get() - 1).sum();
    }

    private void serve(HttpExchange exchange) throws IOException {
      try (exchange) {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
          body = in.readAllBytes();
        }
        boolean events = exchange.getRequestURI().getPath().endsWith("/events");
        if (events) {
          inFlight.incrementAndGet();
        }
        WireResponse response;
        try {
          long delay = latencyMillis;
          if (delay > 0) {
            Thread.sleep(delay);
          }
          response =
              wire.handle(
                  new WireRequest(
                      exchange.getRequestMethod(),
                      exchange.getRequestURI().getPath(),
                      Map.of(),
                      exchange.getRequestHeaders(),
                      body));
          String text = new String(body, StandardCharsets.UTF_8);
          if (events && response.status() / 100 == 2) {
            Matcher m = IDEMPOTENCE.matcher(text);
            while (m.find()) {
              delivered.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet();
            }
          } else if (events && response.status() == 400) {
            refused.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } finally {
          if (events) {
            inFlight.decrementAndGet();
          }
        }
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().put(k, v));
        byte[] out;
        try (InputStream in = response.openBody()) {
          out = in.readAllBytes();
        }
        exchange.sendResponseHeaders(response.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
          try (OutputStream o = exchange.getResponseBody()) {
            o.write(out);
          }
        }
      } catch (IOException clientGone) {
        // The receiver was killed while waiting for this answer: ODP kept the events anyway.
      }
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
