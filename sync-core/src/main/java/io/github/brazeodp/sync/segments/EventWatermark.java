package io.github.brazeodp.sync.segments;

import io.github.brazeodp.sync.internal.SegmentEvents;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Decides without parsing that a custom event's {@code last} time is not after the run's watermark,
 * for the one form Braze exports ({@code 2026-06-28T17:02:43.032Z}). Fixed-width UTC timestamps
 * sort as text in time order, so a string compare replaces a date parse for the events an unchanged
 * rerun skips; parsing them was a sixth of the rerun's Java time. Any other form, and any event
 * that may be newer, goes through the full parse as before.
 */
final class EventWatermark {
  private static final DateTimeFormatter CANONICAL =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  // The watermark cut to milliseconds: a time at or before it is at or before the watermark too.
  private final String floor;

  EventWatermark(Instant since) {
    String text = since == null ? null : CANONICAL.format(since.truncatedTo(ChronoUnit.MILLIS));
    this.floor = text != null && canonical(text) ? text : null;
  }

  /**
   * Returns true when {@code last} is certainly not after the watermark (or, being in the canonical
   * form, is no valid time at all, which the full parse would also skip); false means "parse it".
   */
  boolean certainlyNotAfter(String last) {
    return floor != null && last != null && canonical(last) && last.compareTo(floor) <= 0;
  }

  private static boolean canonical(String s) {
    return SegmentEvents.isCanonical(s);
  }
}
