package io.github.brazeodp.odp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records each wait and advances the fake clock instead of sleeping. */
final class RecordingSleeper implements Sleeper {
  private final FakeClock clock;
  private final List<Duration> sleeps = new ArrayList<>();

  RecordingSleeper(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void sleep(Duration duration) {
    sleeps.add(duration);
    clock.advance(duration);
  }

  synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }
}
