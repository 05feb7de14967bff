package io.github.brazeodp.sync.port;

import io.github.brazeodp.sync.fake.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A hand-moved clock and a sleeper that records waits and moves the clock instead of sleeping. */
final class TestTime {
  final ManualClock clock;

  TestTime(Instant start) {
    this.clock = new ManualClock(start);
  }

  void sleep(Duration d) {
    clock.sleep(d);
  }

  List<Duration> sleeps() {
    return clock.sleeps();
  }

  Duration slept() {
    return clock.slept();
  }

  io.github.brazeodp.braze.Sleeper brazeSleeper() {
    return this::sleep;
  }

  io.github.brazeodp.odp.Sleeper odpSleeper() {
    return this::sleep;
  }
}
