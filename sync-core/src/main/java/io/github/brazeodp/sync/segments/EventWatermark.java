package io.github.brazeodp.sync.segments;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
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
  private static final int LENGTH = 24;

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

  /**
   * Parses a time in the canonical form without a {@code DateTimeFormatter}, or returns null when
   * {@code s} is in another form or names no valid time (the caller then parses it in full, which
   * decides the same). A first run parses every custom event's time, and the formatter took more of
   * its Java time than building the event.
   */
  static Instant parseCanonical(String s) {
    if (s == null || !canonical(s)) {
      return null;
    }
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    try {
      long day = LocalDate.of(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2)).toEpochDay();
      return Instant.ofEpochSecond(
          day * 86_400L + hour * 3_600L + minute * 60L + second, digits(s, 20, 3) * 1_000_000L);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static int digits(String s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      value = value * 10 + (s.charAt(i) - '0');
    }
    return value;
  }

  private static boolean canonical(String s) {
    if (s.length() != LENGTH
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':'
        || s.charAt(19) != '.'
        || s.charAt(23) != 'Z') {
      return false;
    }
    for (int i = 0; i < LENGTH - 1; i++) {
      if (i == 4 || i == 7 || i == 10 || i == 13 || i == 16 || i == 19) {
        continue;
      }
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
