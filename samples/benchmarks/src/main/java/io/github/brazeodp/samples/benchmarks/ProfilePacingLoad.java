package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.ProfileUpdate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * How much of ODP's documented profile budget (10 requests/s) the client uses, and how often it is
 * throttled, against a loopback stand-in that enforces the budget: a request arriving when 10
 * requests were accepted in the last second is answered 429 (no {@code Retry-After}, as ODP
 * documents none); every answer is held for {@code rttMillis}. The client runs with its defaults
 * (10 profile requests/s, 100 profiles per request, 8 requests in flight) and upserts {@code
 * perCall} profiles per call until {@code seconds} of budget are spent.
 *
 * <p>{@code busyThreads} threads spin for the whole run, to show the pacing holds on a loaded
 * machine. Prints the share of the budget used (accepted requests per second over 10) and the share
 * of requests answered 429.
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.ProfilePacingLoad [seconds] [busyThreads] [rttMillis]
 *   [perCall]</pre>
 *
 * Defaults: 30 s, no busy thread, 50 ms, 2,000 profiles per call.
 */
public final class ProfilePacingLoad {
  static final int BUDGET_PER_SECOND = 10;

  private ProfilePacingLoad() {}

  /** Accepts at most {@link #BUDGET_PER_SECOND} requests in any one-second window. */
  static final class Budget extends Dispatcher {
    private final ArrayDeque<Long> acceptedAt = new ArrayDeque<>();
    private final List<Long> arrivals = new ArrayList<>();
    private final MockResponse accepted;
    private final MockResponse throttled;
    long accepted202;
    long throttled429;
    long first = -1;
    long last;

    Budget(int rttMillis) {
      accepted =
          new MockResponse.Builder()
              .code(202)
              .setHeader("Content-Type", "application/json")
              .body(
                  "{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"2026-12-07T00:00:00Z\"}")
              .headersDelay(rttMillis, TimeUnit.MILLISECONDS)
              .build();
      throttled =
          new MockResponse.Builder()
              .code(429)
              .setHeader("Content-Type", "application/json")
              .body("{\"title\":\"Too Many Requests\",\"status\":429}")
              .headersDelay(rttMillis, TimeUnit.MILLISECONDS)
              .build();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      long now = System.nanoTime();
      synchronized (this) {
        arrivals.add(now);
        while (!acceptedAt.isEmpty() && now - acceptedAt.peekFirst() >= 1_000_000_000L) {
          acceptedAt.removeFirst();
        }
        if (acceptedAt.size() >= BUDGET_PER_SECOND) {
          throttled429++;
          return throttled;
        }
        acceptedAt.addLast(now);
        accepted202++;
        if (first < 0) {
          first = now;
        }
        last = now;
        return accepted;
      }
    }

    synchronized void reset() {
      accepted202 = 0;
      throttled429 = 0;
      first = -1;
      arrivals.clear();
    }

    /** Returns the gaps between consecutive arrivals (any answer), ascending, in ms. */
    synchronized double[] gapsMillis() {
      double[] gaps = new double[Math.max(0, arrivals.size() - 1)];
      for (int i = 1; i < arrivals.size(); i++) {
        gaps[i - 1] = (arrivals.get(i) - arrivals.get(i - 1)) / 1e6;
      }
      java.util.Arrays.sort(gaps);
      return gaps;
    }
  }

  /**
   * Runs the load.
   *
   * @param args seconds, busy threads, round trip ms, profiles per call
   * @throws Exception if the load cannot run
   */
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int busyThreads = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    int rttMillis = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int perCall = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;

    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> busy = new ArrayList<>();
    for (int i = 0; i < busyThreads; i++) {
      Thread t =
          new Thread(
              () -> {
                long x = 0;
                while (running.get()) {
                  x += System.nanoTime() % 7;
                }
                if (x == 42) {
                  System.out.print("");
                }
              },
              "busy-" + i);
      t.setDaemon(true);
      t.start();
      busy.add(t);
    }
    Budget budget = new Budget(rttMillis);
    try (MockWebServer server = new MockWebServer()) {
      server.setBodyLimit(0);
      server.setServerSocketFactory(new OdpEventsBenchmark.NoDelayServerSockets());
      server.setDispatcher(budget);
      server.start();
      try (OdpClient odp =
          OdpClient.builder()
              .apiKey("pacing-load-odp-key")
              .baseUrl(server.url("/v3/").toString())
              .build()) {
        List<ProfileUpdate> call = profiles(perCall);
        // Warm-up: one call, then a fresh second for the budget.
        odp.profiles().upsert(call);
        Thread.sleep(1_100);
        budget.reset();

        long requests = (long) seconds * BUDGET_PER_SECOND;
        long profiles = 0;
        while (profiles < requests * 100) {
          BatchResult r = odp.profiles().upsert(call);
          if (!r.allAccepted()) {
            throw new IllegalStateException("not every profile was accepted: " + r);
          }
          profiles += r.size();
        }
        synchronized (budget) {
          double span = (budget.last - budget.first) / 1e9;
          // n accepted requests span n - 1 gaps; at the full budget each gap is 1/10 s.
          double used = (budget.accepted202 - 1) / span / BUDGET_PER_SECOND;
          long all = budget.accepted202 + budget.throttled429;
          System.out.printf(
              "Profile pacing against %d requests/s (429 beyond), %d ms round trip,"
                  + " %d busy-loop threads, %d cores: %,d profiles in %,d accepted requests"
                  + " over %.1f s%n",
              BUDGET_PER_SECOND,
              rttMillis,
              busyThreads,
              Runtime.getRuntime().availableProcessors(),
              profiles,
              budget.accepted202,
              span);
          System.out.printf(
              "budget used: %.1f %% (%.2f accepted requests/s); 429s: %d of %d requests (%.2f %%)%n",
              used * 100,
              used * BUDGET_PER_SECOND,
              budget.throttled429,
              all,
              100.0 * budget.throttled429 / all);
          double[] gaps = budget.gapsMillis();
          if (gaps.length > 0) {
            System.out.printf(
                "gaps between arrivals: min %.1f ms, p1 %.1f ms, median %.1f ms%n",
                gaps[0], gaps[gaps.length / 100], gaps[gaps.length / 2]);
          }
        }
      }
    } finally {
      running.set(false);
      for (Thread t : busy) {
        t.join();
      }
    }
  }

  static List<ProfileUpdate> profiles(int n) {
    List<ProfileUpdate> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          ProfileUpdate.builder()
              .identifier("email", "member" + i + "@example.com")
              .attribute("first_name", "Member" + i)
              .attribute("braze_segment", "winter_sale")
              .build());
    }
    return out;
  }
}
