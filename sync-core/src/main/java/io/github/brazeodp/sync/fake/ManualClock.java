package io.github.brazeodp.sync.fake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A clock that only moves when told, and a sleeper that records each wait and moves the clock
 * instead of sleeping: hand it to the clients, the fakes and the flows so that tests of retries,
 * pacing, export polling and schedules run instantly and deterministically.
 *
 * <pre>{@code
 * ManualClock time = new ManualClock(Instant.parse("2026-11-29T02:00:00Z"));
 * BrazeClient braze = BrazeClient.builder().clock(time).sleeper(time)...build();
 * InMemoryBraze fake = new InMemoryBraze(time, time, TrackLimit.COMBINED_50);
 * }</pre>
 *
 * <p>Implements both clients' {@code Sleeper} interfaces. Thread-safe.
 */
public final class ManualClock extends Clock
    implements io.github.brazeodp.braze.Sleeper, io.github.brazeodp.odp.Sleeper {
  private final List<Duration> sleeps = new ArrayList<>();
  private Instant now;

  /** Starts the clock at {@code start}. */
  public ManualClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  /** Moves the clock forward. */
  public synchronized void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a clock does not go back: " + duration);
    }
    now = now.plus(duration);
  }

  /** Sets the time, for example to jump to the next scheduled run; it may also go back. */
  public synchronized void set(Instant instant) {
    now = Objects.requireNonNull(instant, "instant");
  }

  /** Records the wait and advances the clock by it. */
  @Override
  public synchronized void sleep(Duration duration) {
    sleeps.add(duration);
    if (!duration.isNegative()) {
      now = now.plus(duration);
    }
  }

  /** Returns every wait recorded so far, in order. */
  public synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  /** Returns the sum of the recorded waits. */
  public synchronized Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
