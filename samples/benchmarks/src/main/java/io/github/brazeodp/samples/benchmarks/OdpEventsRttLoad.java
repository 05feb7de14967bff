package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.BatchSettings;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * One caller sending ODP events over a simulated wide-area round trip: a loopback MockWebServer
 * holds every answer for {@code rttMillis} before its 202. The caller calls {@code
 * odp.events().send(...)} with {@code perCall} events at a time, as the Currents forwarder does,
 * until {@code events} are delivered; the client keeps up to {@code maxInFlight} requests of {@code
 * maxItems} events in flight within each call.
 *
 * <p>Prints events/s and the ratio to Optimizely's Java SDK at the same round trip (195 events/s at
 * 50 ms, one request of 10 in flight, from {@code shared/reference/peers.md}).
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.OdpEventsRttLoad \
 *   [events] [perCall] [maxItems] [maxInFlight] [rttMillis]</pre>
 *
 * Defaults: 200,000 events, calls of 5,000, the client's defaults (100 per request, 8 in flight),
 * 50 ms.
 */
public final class OdpEventsRttLoad {
  /** Optimizely's Java SDK at a 50 ms round trip, lossless (peers.md). */
  static final double OPTIMIZELY_SDK_AT_50_MS = 195;

  private OdpEventsRttLoad() {}

  /**
   * Runs the load.
   *
   * @param args events, events per call, events per request, requests in flight, round trip ms
   * @throws Exception if the load cannot run
   */
  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int perCall = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    BatchSettings defaults = BatchSettings.defaults();
    int maxItems = args.length > 2 ? Integer.parseInt(args[2]) : defaults.maxItems();
    int maxInFlight = args.length > 3 ? Integer.parseInt(args[3]) : defaults.maxInFlight();
    int rttMillis = args.length > 4 ? Integer.parseInt(args[4]) : 50;

    AtomicInteger requests = new AtomicInteger();
    MockResponse accepted =
        new MockResponse.Builder()
            .code(202)
            .setHeader("Content-Type", "application/json")
            .body("{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"" + Instant.now() + "\"}")
            .headersDelay(rttMillis, TimeUnit.MILLISECONDS)
            .build();
    try (MockWebServer server = new MockWebServer()) {
      server.setBodyLimit(0);
      server.setServerSocketFactory(new OdpEventsBenchmark.NoDelayServerSockets());
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              requests.incrementAndGet();
              return accepted;
            }
          });
      server.start();
      try (OdpClient odp =
          OdpClient.builder()
              .apiKey("rtt-load-odp-key")
              .baseUrl(server.url("/v3/").toString())
              .batching(BatchSettings.builder().maxItems(maxItems).maxInFlight(maxInFlight).build())
              .build()) {
        List<OdpEvent> call = OdpEventsBenchmark.events(perCall);
        // Warm-up: opens the connections and compiles the hot paths, by the same rule as the
        // durable path it is compared with (CurrentsLoad).
        Jit.warmUp(w -> send(odp, call, total));
        requests.set(0);
        Jit.settle();

        ThreadCpu threadCpu = ThreadCpu.start();
        long start = System.nanoTime();
        long delivered = send(odp, call, total);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = delivered / seconds;
        System.out.printf(
            "ODP events, one caller, %d ms round trip: %,d events in calls of %,d, %d per request,"
                + " %d in flight%n",
            rttMillis, delivered, perCall, maxItems, maxInFlight);
        System.out.printf(
            "%,.0f events/s, %,d requests in %.2f s; %.0fx Optimizely's Java SDK"
                + " (%.0f events/s at 50 ms)%n",
            rate, requests.get(), seconds, rate / OPTIMIZELY_SDK_AT_50_MS, OPTIMIZELY_SDK_AT_50_MS);
        Map<String, Long> groups = threadCpu.groups();
        long standIn = ThreadCpu.sum(groups, n -> n.startsWith("MockWebServer"));
        long other = ThreadCpu.sum(groups, n -> n.startsWith("other"));
        long client = ThreadCpu.sum(groups, n -> true) - standIn - other;
        System.out.printf(
            "CPU µs per event: client %.2f (caller and client threads), ODP stand-in %.2f,"
                + " JIT/GC/other %.2f%n",
            client / 1e3 / delivered, standIn / 1e3 / delivered, other / 1e3 / delivered);
      }
    }
  }

  private static long send(OdpClient odp, List<OdpEvent> call, int total) {
    long delivered = 0;
    while (delivered < total) {
      BatchResult r = odp.events().send(call);
      if (!r.allAccepted()) {
        throw new IllegalStateException("not every event was accepted: " + r);
      }
      delivered += r.size();
    }
    return delivered;
  }
}
