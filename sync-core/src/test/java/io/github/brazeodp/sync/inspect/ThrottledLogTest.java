package io.github.brazeodp.sync.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.sync.fake.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;

class ThrottledLogTest {
  private final ManualClock clock = new ManualClock(TestExchanges.T0);
  private final RecordingLogger logger = new RecordingLogger();
  private final ThrottledLog log = new ThrottledLog(logger, clock);

  @Test
  void logsAtMostOncePerMinuteAndSaysHowManyWereSkipped() {
    IOException full = new IOException("No space left on device");

    assertThat(log.warn("write failed", full)).isTrue();
    clock.advance(Duration.ofSeconds(30));
    assertThat(log.warn("write failed", full)).isFalse();
    clock.advance(Duration.ofSeconds(29));
    assertThat(log.warn("write failed", full)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(log.warn("write failed", full)).isTrue();

    assertThat(logger.messages)
        .containsExactly(
            "write failed", "write failed (2 similar failures in the last minute not logged)");
    assertThat(logger.errors).containsExactly(full, full);
  }

  /** Keeps what was logged at WARN. */
  static final class RecordingLogger extends AbstractLogger {
    private static final long serialVersionUID = 1L;
    final List<String> messages = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      if (level == Level.WARN) {
        messages.add(pattern);
        errors.add(throwable);
      }
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return true;
    }
  }
}
