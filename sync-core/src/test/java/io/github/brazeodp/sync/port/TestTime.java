package io.github.brazeodp.sync.port;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** A hand-moved clock and a sleeper that records waits and moves the clock instead of sleeping. */
final class TestTime {
  final MutableClock clock;
  private final List<Duration> sleeps = new ArrayList<>();

  TestTime(Instant start) {
    this.clock = new MutableClock(start);
  }

  synchronized void sleep(Duration d) {
    sleeps.add(d);
    clock.advance(d);
  }

  synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  synchronized Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }

  io.github.brazeodp.braze.Sleeper brazeSleeper() {
    return this::sleep;
  }

  io.github.brazeodp.odp.Sleeper odpSleeper() {
    return this::sleep;
  }

  /** A clock tests and the recording sleeper move by hand. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
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
}
