package io.github.brazeodp.sync.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.sync.internal.SegmentEvents;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventWatermarkTest {
  private static final Instant SINCE = Instant.parse("2026-06-28T17:02:43.032456Z");

  @Test
  void skipsOnlyWhatTheFullParseWouldSkip() {
    EventWatermark watermark = new EventWatermark(SINCE);
    List<String> times =
        List.of(
            "2026-06-28T17:02:43.032Z",
            "2026-06-28T17:02:43.033Z",
            "2026-06-28T17:02:43.031Z",
            "2025-12-31T23:59:59.999Z",
            "2027-01-01T00:00:00.000Z",
            "2026-06-28T17:02:43Z",
            "2026-06-28T17:02:43.032+00:00",
            "2026-06-28 17:02:43.000 UTC",
            "2020-13-45T99:99:99.999Z",
            "not a time at all",
            "");
    for (String last : times) {
      if (watermark.certainlyNotAfter(last)) {
        assertThat(fullParseSkips(last)).as(last).isTrue();
      }
    }
    assertThat(watermark.certainlyNotAfter("2026-06-28T17:02:43.032Z")).isTrue();
    assertThat(watermark.certainlyNotAfter("2025-12-31T23:59:59.999Z")).isTrue();
    assertThat(watermark.certainlyNotAfter("2026-06-28T17:02:43.033Z")).isFalse();
    // Other forms are left to the full parse, even when they are old.
    assertThat(watermark.certainlyNotAfter("2020-06-28T17:02:43Z")).isFalse();
    assertThat(watermark.certainlyNotAfter("2020-06-28 17:02:43.000 UTC")).isFalse();
  }

  @Test
  void agreesWithTheFullParseOnRandomCanonicalTimes() {
    EventWatermark watermark = new EventWatermark(SINCE);
    Random random = new Random(12);
    long around = SINCE.toEpochMilli();
    for (int i = 0; i < 10_000; i++) {
      long millis = around + (random.nextInt(2_000_001) - 1_000_000) * (i % 2 == 0 ? 1L : 97L);
      String last = Instant.ofEpochMilli(millis).toString();
      if (last.length() != 24) {
        // Instant.toString drops zero fractions; write the canonical form Braze uses.
        last =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(millis));
      }
      assertThat(watermark.certainlyNotAfter(last)).as(last).isEqualTo(fullParseSkips(last));
    }
  }

  @Test
  void withoutAWatermarkEverythingIsParsed() {
    assertThat(new EventWatermark(null).certainlyNotAfter("2000-01-01T00:00:00.000Z")).isFalse();
  }

  private static boolean fullParseSkips(String last) {
    Instant parsed = SegmentSync.parseInstant(last);
    return parsed == null || !parsed.isAfter(SINCE);
  }

  @Test
  void parsesTheCanonicalFormAsTheFormatterDoes() {
    Random random = new Random(7);
    java.time.format.DateTimeFormatter canonical =
        java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);
    for (int i = 0; i < 10_000; i++) {
      Instant t =
          Instant.ofEpochMilli(
              Math.floorMod(random.nextLong(), 253_402_300_800_000L)); // 1970 to 9999
      String text = canonical.format(t);
      assertThat(SegmentEvents.parseCanonical(text)).as(text).isEqualTo(t);
    }
    // Invalid times and other forms are left to the full parse, which rejects or reads them.
    for (String text :
        List.of(
            "2026-02-29T00:00:00.000Z",
            "2024-02-30T00:00:00.000Z",
            "2026-13-01T00:00:00.000Z",
            "2026-00-01T00:00:00.000Z",
            "2026-06-28T24:00:00.000Z",
            "2026-06-28T23:60:00.000Z",
            "2026-06-28T23:59:60.000Z",
            "2026-06-28T17:02:43Z",
            "2026-06-28T17:02:43.032+00:00",
            "2026-06-28 17:02:43.000 UTC",
            "")) {
      assertThat(SegmentEvents.parseCanonical(text)).as(text).isNull();
    }
    assertThat(SegmentEvents.parseCanonical("2024-02-29T23:59:59.999Z"))
        .isEqualTo(Instant.parse("2024-02-29T23:59:59.999Z"));
    assertThat(SegmentSync.parseInstant("2026-02-29T00:00:00.000Z")).isNull();
    assertThat(SegmentSync.parseInstant("2026-06-28T17:02:43.032+02:00"))
        .isEqualTo(Instant.parse("2026-06-28T15:02:43.032Z"));
  }
}
