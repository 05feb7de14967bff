package io.github.brazeodp.braze;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import mockwebserver3.MockWebServer;
import okio.Buffer;

/** Shared test helpers: a settable clock, a recording sleeper, fixtures, a client factory. */
final class TestSupport {
  private TestSupport() {}

  static final Instant START = Instant.parse("2026-11-29T10:00:00Z");

  /** A clock tests move by hand; the recording sleeper moves it too. */
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

  /** Records every wait and advances the clock instead of sleeping. */
  static final class RecordingSleeper implements Sleeper {
    final List<Duration> waits = new ArrayList<>();
    private final MutableClock clock;

    RecordingSleeper(MutableClock clock) {
      this.clock = clock;
    }

    @Override
    public synchronized void sleep(Duration duration) {
      waits.add(duration);
      clock.advance(duration);
    }
  }

  static BrazeClient.Builder client(MockWebServer server, MutableClock clock, Sleeper sleeper) {
    return BrazeClient.builder()
        .apiKey("test-key-123")
        .baseUrl(server.url("/").toString())
        .clock(clock)
        .sleeper(sleeper)
        .jitter(new SplittableRandom(42))
        .rateLimits(RateLimits.unlimited());
  }

  /** Reads a file of ../shared/fixtures, skipping the test with a visible notice when absent. */
  static String fixture(String relative) {
    String root = System.getProperty("brazeodp.root", "..");
    Path dir = Path.of(root).resolve("../shared/fixtures").normalize();
    if (!Files.isDirectory(dir)) {
      dir = Path.of("../../shared/fixtures").toAbsolutePath().normalize();
    }
    boolean present = Files.isDirectory(dir);
    if (!present) {
      System.err.println(
          "NOTICE: ../shared/fixtures not found; skipping fixture-based test (" + relative + ")");
    }
    assumeTrue(present, "shared fixtures folder absent: " + dir);
    try {
      return Files.readString(dir.resolve(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses JSON into maps and lists so that key order does not matter in comparisons. */
  static Object json(String text) {
    try {
      return JsonReader.of(new Buffer().writeUtf8(text)).readJsonValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
