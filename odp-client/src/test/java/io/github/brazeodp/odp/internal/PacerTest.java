package io.github.brazeodp.odp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PacerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration INTERVAL = Duration.ofNanos(105_263_158);

  /** A clock moved by hand; never sleeps. */
  static final class HandClock extends Clock {
    private volatile Instant now = T0;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final HandClock clock = new HandClock();
  final Pacer pacer = new Pacer(clock, 10);

  /** Reserves a slot and returns its start, as an offset from T0. */
  private Duration start() {
    Duration wait = pacer.reserve();
    return Duration.between(T0, clock.instant()).plus(wait);
  }

  /** Waits for the next slot on the hand clock, admits the request and returns its start. */
  private Duration sendAt(Duration lateBy) {
    clock.advance(pacer.reserve().plus(lateBy));
    clock.advance(pacer.admit());
    return Duration.between(T0, clock.instant());
  }

  @Test
  void requestsOnTheGridAreAdmittedAtOnce() {
    for (int i = 0; i < 40; i++) {
      clock.advance(pacer.reserve());
      assertThat(pacer.admit()).isZero();
    }
  }

  @Test
  void aLateStartHoldsOnlyTheRequestThatWouldCloseItsWindowTooEarly() {
    List<Duration> starts = new ArrayList<>();
    starts.add(sendAt(Duration.ZERO));
    // Slot 1 wakes 80 ms late (a busy machine) and still goes: no slot is given up.
    starts.add(sendAt(Duration.ofMillis(80)));
    for (int i = 2; i <= 12; i++) {
      starts.add(sendAt(Duration.ZERO));
    }
    assertThat(starts.get(1)).isEqualTo(INTERVAL.plusMillis(80));
    // Requests 2..10 keep their grid slots (the late one did not push them back) ...
    for (int i = 2; i <= 10; i++) {
      assertThat(starts.get(i)).isEqualTo(INTERVAL.multipliedBy(i));
    }
    // ... and the tenth after the late one waits until a second and a quarter interval after it;
    // the grid alone would have started it only 973 ms after it.
    Duration window = Duration.ofSeconds(1).plus(Duration.ofNanos(25_000_000));
    assertThat(starts.get(11)).isEqualTo(starts.get(1).plus(window));
    for (int i = 0; i + 10 < starts.size(); i++) {
      assertThat(Duration.between(T0.plus(starts.get(i)), T0.plus(starts.get(i + 10))))
          .isGreaterThanOrEqualTo(window);
    }
  }

  @Test
  void slotsAreSpacedForNinetyFivePercentOfTheBudget() {
    assertThat(pacer.interval()).isEqualTo(INTERVAL);
    assertThat(start()).isZero();
    assertThat(start()).isEqualTo(INTERVAL);
    assertThat(start()).isEqualTo(INTERVAL.multipliedBy(2));
  }

  @Test
  void slotsFollowStartTimesNotResponses() {
    // Three requests in flight: each reserves without waiting for the previous answer.
    List<Duration> starts = List.of(start(), start(), start());
    // The first answer arrives 250 ms later; the next slot is still on the grid, not 250 ms + 105.
    clock.advance(Duration.ofMillis(250));
    pacer.succeeded();
    assertThat(starts).containsExactly(Duration.ZERO, INTERVAL, INTERVAL.multipliedBy(2));
    assertThat(start()).isEqualTo(INTERVAL.multipliedBy(3));
  }

  @Test
  void aWakeUpLateDoesNotDelayTheFollowingSlot() {
    assertThat(start()).isZero();
    Duration second = start();
    // The second caller oversleeps by 30 ms; the third slot stays where it was planned.
    clock.advance(second.plusMillis(30));
    assertThat(start()).isEqualTo(INTERVAL.multipliedBy(2));
  }

  @Test
  void manyThreadsNeverGetTwoSlotsCloserThanOneInterval() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Duration>>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(
            pool.submit(
                () -> {
                  List<Duration> mine = new ArrayList<>();
                  for (int i = 0; i < 200; i++) {
                    mine.add(start());
                  }
                  return mine;
                }));
      }
      List<Duration> all = new ArrayList<>();
      for (Future<List<Duration>> f : futures) {
        all.addAll(f.get());
      }
      Collections.sort(all);
      assertThat(all).hasSize(1_600);
      for (int i = 1; i < all.size(); i++) {
        assertThat(all.get(i).minus(all.get(i - 1))).isEqualTo(INTERVAL);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a429SlowsDownPausesOneIntervalThenSuccessesRecover() {
    start();
    start();
    clock.advance(Duration.ofMillis(150));
    pacer.throttled(Optional.empty());

    Duration slower = Duration.ofNanos(Math.round(INTERVAL.toNanos() / 0.8));
    assertThat(pacer.interval()).isEqualTo(slower);
    // The grid had slot 210 ms next; the pause pushes it to 150 ms + the slower interval.
    assertThat(start()).isEqualTo(Duration.ofMillis(150).plus(slower));

    // A second 429 from the same overload (within 1 s) does not slow down again.
    pacer.throttled(Optional.empty());
    assertThat(pacer.interval()).isEqualTo(slower);

    for (int i = 0; i < 10; i++) {
      pacer.succeeded();
    }
    assertThat(pacer.interval()).isEqualTo(INTERVAL);
    pacer.succeeded();
    assertThat(pacer.interval()).isEqualTo(INTERVAL);
  }

  @Test
  void repeated429sApartInTimeKeepSlowingDownToAFloor() {
    for (int i = 0; i < 30; i++) {
      clock.advance(Duration.ofSeconds(1));
      pacer.throttled(Optional.empty());
    }
    assertThat(pacer.interval()).isEqualTo(Duration.ofNanos(Math.round(INTERVAL.toNanos() / 0.1)));
  }

  @Test
  void retryAfterHoldsEverySlotUntilItEnds() {
    start();
    pacer.throttled(Optional.of(Duration.ofSeconds(3)));
    assertThat(start()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void budgetMustBePositive() {
    assertThatThrownBy(() -> new Pacer(clock, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestsPerSecond must be > 0: 0.0");
  }
}
