package io.github.brazeodp.odp.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Spaces the requests of one API by their start times so that a client never exceeds a
 * requests-per-second budget, and slows down when ODP answers 429.
 *
 * <p>ODP documents budgets but no rate-limit headers, so the client paces itself. Each caller
 * reserves the next free start slot under a lock and then waits outside it, so all threads of one
 * client share the budget without holding the lock while sleeping. Slots follow a fixed grid rather
 * than the previous response, so requests in flight at once keep the budget full and a thread that
 * wakes late does not delay the next slot.
 *
 * <p>Slots are spaced for {@value #HEADROOM} of the budget: the server counts arrivals, which
 * jitter by a few tens of milliseconds on a busy machine, and at 95 % a 1 s window tolerates about
 * half an interval of jitter (52 ms at 10 requests/s) before it sees one request too many. On a 429
 * the rate drops to {@value #DECREASE} of what it was (at most once per second, since one overload
 * answers several requests in flight) and the next slot moves one interval, or a {@code
 * Retry-After} if ODP sent one, into the future; each success then wins back {@value #RECOVERY} of
 * the full rate, so a one-off 429 costs about a second at reduced pace while a budget really shared
 * with another client is found within a few 429s.
 *
 * <p>A thread that wakes late (a busy machine) still sends: its slot is not given up. What a late
 * start can break is the window it opens: the request {@code n} slots later (n being the budget per
 * second) would then reach ODP less than a second after it. So, just before a request starts,
 * {@link #admit()} holds it until at least one second plus a quarter interval has passed since the
 * start {@code n} requests earlier. On time, the grid's {@code n} intervals (1.053 s at 10/s) are
 * longer than that and nobody waits; after a late start only the one request that would close its
 * window too early waits, by the lateness beyond the grid's slack.
 */
public final class Pacer {
  /** The share of the budget the pacer aims at. */
  static final double HEADROOM = 0.95;

  /** The factor applied to the rate after a 429. */
  static final double DECREASE = 0.8;

  /** The share of the full rate each success wins back. */
  static final double RECOVERY = 0.02;

  /** The lowest share of the full rate the pacer falls to. */
  static final double FLOOR = 0.1;

  private static final long SECOND = 1_000_000_000L;

  private final Clock clock;
  private final long fastestIntervalNanos;
  private double share = 1.0;
  private long nextFreeNanos = Long.MIN_VALUE;
  private long lastDecreaseNanos = Long.MIN_VALUE;
  private final long windowNanos;
  // The starts of the last n admitted requests, oldest at admitted % n; MIN_VALUE while unused.
  private final long[] starts;
  private long admitted;

  /**
   * Creates a pacer.
   *
   * @param clock time source; tests pass a fake clock
   * @param requestsPerSecond the budget, greater than zero
   */
  public Pacer(Clock clock, double requestsPerSecond) {
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("requestsPerSecond must be > 0: " + requestsPerSecond);
    }
    this.clock = clock;
    this.fastestIntervalNanos =
        Math.max(1L, Math.round(1_000_000_000d / (requestsPerSecond * HEADROOM)));
    int perWindow = (int) Math.max(1, Math.min(10_000, Math.floor(requestsPerSecond)));
    this.starts = new long[perWindow];
    java.util.Arrays.fill(starts, Long.MIN_VALUE);
    this.windowNanos =
        Math.round(perWindow * 1_000_000_000d / requestsPerSecond)
            + Math.round(1_000_000_000d / requestsPerSecond / 4);
  }

  /** Reserves the next slot and returns how long the caller must wait before using it. */
  public synchronized Duration reserve() {
    long now = epochNanos(clock.instant());
    long slot = Math.max(now, nextFreeNanos);
    nextFreeNanos = slot + intervalNanos();
    return Duration.ofNanos(slot - now);
  }

  /**
   * Admits a request that is about to start (after its slot's wait): returns how much longer it
   * must wait so that no second (plus a quarter interval) holds more starts than the budget, and
   * records its start.
   */
  public synchronized Duration admit() {
    long now = epochNanos(clock.instant());
    int oldest = (int) (admitted % starts.length);
    long start =
        starts[oldest] == Long.MIN_VALUE ? now : Math.max(now, starts[oldest] + windowNanos);
    starts[oldest] = start;
    admitted++;
    return Duration.ofNanos(start - now);
  }

  /** Tells the pacer a request was answered without a 429: the rate creeps back up. */
  public synchronized void succeeded() {
    share = Math.min(1.0, share + RECOVERY);
  }

  /**
   * Tells the pacer ODP answered 429: the rate drops and no slot starts before one interval, or the
   * server's {@code Retry-After}, from now.
   *
   * @param retryAfter the delay ODP asked for, if any
   */
  public synchronized void throttled(Optional<Duration> retryAfter) {
    long now = epochNanos(clock.instant());
    if (lastDecreaseNanos == Long.MIN_VALUE || now - lastDecreaseNanos >= SECOND) {
      share = Math.max(FLOOR, share * DECREASE);
      lastDecreaseNanos = now;
    }
    long pause = retryAfter.map(Duration::toNanos).orElse(intervalNanos());
    nextFreeNanos = Math.max(nextFreeNanos, now + pause);
  }

  /** Returns the current spacing between slots. */
  public synchronized Duration interval() {
    return Duration.ofNanos(intervalNanos());
  }

  private long intervalNanos() {
    return Math.round(fastestIntervalNanos / share);
  }

  private static long epochNanos(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
  }

  @Override
  public synchronized String toString() {
    return "Pacer{intervalNanos=" + intervalNanos() + "}";
  }
}
