package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.odp.BatchSettings;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.RateLimits;
import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * Load sample for the Currents flow, end to end over loopback HTTP: client threads post Currents
 * batches of 100 events, as Braze does, to the sample server ({@link CurrentsHttpServer}, {@code
 * POST /currents}); the receiver queues them in the SQLite outbox and the forwarder sends them with
 * the real {@link OdpClient} to an ODP stand-in (MockWebServer answering 202).
 *
 * <p>Reports the POST latency (p50, p99, max: what Braze waits for an acknowledgment) and two
 * rates: events acknowledged per second, and events delivered to ODP per second (from the first
 * measured post until the stand-in accepted every event and the forwarder removed it from the
 * outbox).
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.CurrentsLoad [batches] [clients] [odpBatch] [warmup]
 * </pre>
 *
 * Defaults: 2,000 measured batches (200,000 events), 4 client threads, ODP requests of 500 events
 * (10 reproduces Optimizely's Java SDK default request size), warm-up rounds of 6,000 batches until
 * one spends less than a tenth of its time compiling (at most six).
 */
public final class CurrentsLoad {
  private static final int EVENTS_PER_BATCH = 100;
  private static final String TOKEN = "bG9hZC10ZXN0LXRva2Vu";

  private CurrentsLoad() {}

  /**
   * Runs the load.
   *
   * @param args measured batches, client threads, ODP batch size, warm-up batches
   * @throws Exception if the load cannot run
   */
  public static void main(String[] args) throws Exception {
    int batches = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int odpBatch = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    // Warm-up rounds, as SegmentSyncLoad's: each request runs the HTTP, receiver and commit code
    // once and each ODP request the forwarder's, so per-request methods reach C2 only after several
    // thousand requests (more when the compile queue is long). After one round of 3,000 batches
    // the compiler still took 5.1-5.7 s of CPU within the 5.4-5.8 s measured part (JFR: C2
    // compiles of the receiver's accept, the forwarder's drain, the store's inserts and Jetty's
    // header parser, 0.2-0.6 s each), which a long-running receiver does not pay: with 12,000
    // warm-up batches the measured part compiled 0.9 s and ran at 60,700 instead of 37,300
    // events/s. Rounds of 3,000 still compiled a third of their time after six; rounds of 6,000
    // settled after four.
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : Math.max(clients, batches * 3);

    AtomicLong odpRequests = new AtomicLong();
    Path dir = Files.createTempDirectory("currents-load");
    try (MockWebServer odpServer = new MockWebServer()) {
      // The stand-in of the raw-client comparison (OdpEventsRttLoad): no body kept, no Nagle
      // delay on its answers. Delivered events are the ones ODP answered 202 for and the
      // forwarder then removed from the outbox (its forwarded counter).
      odpServer.setBodyLimit(0);
      odpServer.setServerSocketFactory(new OdpEventsBenchmark.NoDelayServerSockets());
      odpServer.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              odpRequests.incrementAndGet();
              return new MockResponse.Builder()
                  .code(202)
                  .addHeader("Content-Type", "application/json")
                  .body(
                      "{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"2026-01-01T00:00:00Z\"}")
                  .build();
            }
          });
      odpServer.start();
      try (OdpClient client =
              OdpClient.builder()
                  .apiKey("load-odp-key")
                  .baseUrl(odpServer.url("/v3/").toString())
                  .rateLimits(RateLimits.unlimited())
                  // Requests of odpBatch events, as the raw-client comparison sends.
                  .batching(BatchSettings.builder().maxItems(odpBatch).build())
                  .build();
          SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"))) {
        CurrentsForwarder forwarder =
            CurrentsForwarder.builder()
                .odp(new OdpClientGateway(client))
                .state(store)
                .batchSize(odpBatch)
                .build();
        CurrentsReceiver receiver =
            CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).build();
        forwarder.start();
        try (CurrentsHttpServer server =
            CurrentsHttpServer.start(new InetSocketAddress("127.0.0.1", 0), receiver, 8)) {
          URI uri = URI.create("http://127.0.0.1:" + server.port() + CurrentsHttpServer.PATH);
          HttpClient http =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .connectTimeout(Duration.ofSeconds(5))
                  .build();

          AtomicLong threadNumber = new AtomicLong();
          // One pool for the warm-up and the measured part: its threads' CPU is read at the end.
          ExecutorService pool =
              Executors.newFixedThreadPool(
                  clients, r -> new Thread(r, "load-client-" + threadNumber.incrementAndGet()));
          java.util.function.LongSupplier delivered = () -> receiver.counts().forwarded();
          Jit.warmUp(
              w -> {
                run(pool, http, uri, "warmup" + w, warmup, clients);
                awaitDelivered(delivered, (long) (w + 1) * warmup * EVENTS_PER_BATCH);
              });
          java.lang.management.CompilationMXBean jit =
              java.lang.management.ManagementFactory.getCompilationMXBean();
          long deliveredBefore = delivered.getAsLong();
          Jit.settle();
          long requestsBefore = odpRequests.get();
          // Process CPU per event, next to the rates: on a shared machine the rates move with the
          // other load, the CPU an event costs much less so.
          com.sun.management.OperatingSystemMXBean os =
              (com.sun.management.OperatingSystemMXBean)
                  java.lang.management.ManagementFactory.getOperatingSystemMXBean();
          long cpuBefore = os.getProcessCpuTime();
          long jitBefore = jit.getTotalCompilationTime();

          System.out.println("warm-up done, measuring");
          ThreadCpu threadCpu = ThreadCpu.start();
          long start = System.nanoTime();
          long[] latencies = run(pool, http, uri, "run", batches, clients);
          long acknowledged = System.nanoTime();
          long events = (long) batches * EVENTS_PER_BATCH;
          awaitDelivered(delivered, deliveredBefore + events);
          long done = System.nanoTime();
          long cpu = os.getProcessCpuTime() - cpuBefore;
          long jitMillis = jit.getTotalCompilationTime() - jitBefore;

          Arrays.sort(latencies);
          System.out.printf(
              "Currents load: %,d batches of %d events (%,d events), %d client threads,"
                  + " ODP requests of up to %d events, SQLite outbox%n",
              batches, EVENTS_PER_BATCH, events, clients, odpBatch);
          System.out.printf(
              "POST latency ms: p50 %.2f, p99 %.2f, max %.2f%n",
              ms(latencies[(int) (latencies.length * 0.50)]),
              ms(latencies[Math.min(latencies.length - 1, (int) (latencies.length * 0.99))]),
              ms(latencies[latencies.length - 1]));
          System.out.printf(
              "acknowledged: %,.0f events/s; delivered to ODP: %,.0f events/s in %,d ODP requests"
                  + " (%.1f s)%n",
              events / seconds(acknowledged - start),
              events / seconds(done - start),
              odpRequests.get() - requestsBefore,
              seconds(done - start));
          System.out.printf(
              "process CPU: %.1f µs per event (load generator and ODP stand-in included; JIT"
                  + " compiling %,d ms meanwhile)%n",
              cpu / 1e3 / events, jitMillis);
          Map<String, Long> groups = threadCpu.groups();
          System.out.println(
              "CPU µs per event by thread group: " + ThreadCpu.perUnit(groups, events));
          // The load generator (Braze's side) and the ODP stand-in are not the durable path; the
          // JVM's own threads (JIT, GC) are counted with neither.
          long generator = ThreadCpu.sum(groups, CurrentsLoad::generatorThread);
          long standIn = ThreadCpu.sum(groups, n -> n.startsWith("MockWebServer"));
          long other = ThreadCpu.sum(groups, n -> n.startsWith("other"));
          long durable = ThreadCpu.sum(groups, n -> true) - generator - standIn - other;
          System.out.printf(
              "CPU µs per event: durable path %.2f (receiver, outbox, forwarder, HTTP server and"
                  + " client), load generator %.2f, ODP stand-in %.2f, JIT/GC/other %.2f%n",
              durable / 1e3 / events,
              generator / 1e3 / events,
              standIn / 1e3 / events,
              other / 1e3 / events);
          System.out.println("counters: " + receiver.counts());
          pool.shutdownNow();
        }
        forwarder.close();
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The load generator's threads: its client pool and the JDK HTTP client's own. */
  private static boolean generatorThread(String group) {
    return group.startsWith("load-client") || group.startsWith("HttpClient");
  }

  /** Posts {@code batches} batches from {@code clients} threads; returns each POST's latency. */
  private static long[] run(
      ExecutorService pool, HttpClient http, URI uri, String tag, int batches, int clients)
      throws Exception {
    AtomicLong next = new AtomicLong();
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      results.add(
          pool.submit(
              () -> {
                List<Long> mine = new ArrayList<>();
                long b;
                while ((b = next.getAndIncrement()) < batches) {
                  byte[] body = batch(tag + "-" + b);
                  HttpRequest request =
                      HttpRequest.newBuilder(uri)
                          .header("Authorization", "Bearer " + TOKEN)
                          .header("Braze-Currents-Version", "1")
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                          .build();
                  long t0 = System.nanoTime();
                  HttpResponse<String> response =
                      http.send(request, HttpResponse.BodyHandlers.ofString());
                  mine.add(System.nanoTime() - t0);
                  if (response.statusCode() != 200) {
                    throw new IllegalStateException(
                        "POST answered " + response.statusCode() + ": " + response.body());
                  }
                }
                return mine;
              }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> f : results) {
      all.addAll(f.get());
    }
    return all.stream().mapToLong(Long::longValue).toArray();
  }

  /** A batch shaped like Braze's email open events, with unique ids. */
  private static byte[] batch(String prefix) {
    StringBuilder sb = new StringBuilder(EVENTS_PER_BATCH * 900).append("{\"events\":[");
    for (int i = 0; i < EVENTS_PER_BATCH; i++) {
      if (i > 0) {
        sb.append(',');
      }
      String id = prefix + "-" + i;
      sb.append("{\"event_type\":\"users.messages.email.Open\",\"id\":\"")
          .append(id)
          .append("\",\"time\":2033802504,\"user\":{\"user_id\":\"639a35d192b0df004d06514c\",")
          .append("\"external_user_id\":\"ext-")
          .append(i)
          .append("\",\"timezone\":\"America/New_York\"},\"properties\":{")
          .append("\"app_group_id\":\"f47ac10b-58cc-4372-a567-0e02b2c3d479\",")
          .append("\"campaign_id\":\"f47ac10b-58cc-4372-a567-0e02b2c3d479\",")
          .append(
              "\"campaign_name\":\"Spring launch\",\"dispatch_id\":\"639a35d192b0df004d06514c\",")
          .append("\"email_address\":\"user")
          .append(i)
          .append("@example.com\",\"esp\":\"SendGrid\",\"from_domain\":\"braze.com\",")
          .append("\"is_amp\":false,\"machine_open\":\"true\",\"send_id\":\"send_id\",")
          .append("\"message_variation_id\":\"f47ac10b-58cc-4372-a567-0e02b2c3d479\",")
          .append("\"user_agent\":\"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)\"}}");
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void awaitDelivered(java.util.function.LongSupplier delivered, long target)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (delivered.getAsLong() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + delivered.getAsLong() + " of " + target + " events reached ODP in 5 minutes");
      }
      Thread.sleep(5);
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
