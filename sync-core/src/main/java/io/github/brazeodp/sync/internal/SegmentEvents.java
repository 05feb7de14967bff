package io.github.brazeodp.sync.internal;

import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.odp.OdpEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ODP events of the segment sync (a Braze custom-event summary, a segment entry or exit), built
 * in one place so that the codec-only benchmark encodes exactly the JSON the sync sends.
 */
public final class SegmentEvents {
  private static final DateTimeFormatter BRAZE_TEXT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
  private static final int CANONICAL_LENGTH = 24;

  private SegmentEvents() {}

  /** One custom event of {@code brazeId} as Braze summarizes it, sent at its last occurrence. */
  public static OdpEvent customEvent(
      String prefix,
      String brazeId,
      Map<String, String> ids,
      ExportedUser.Activity e,
      Instant last) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put(prefix + "event_name", e.name());
    if (e.count() != null) {
      data.put(prefix + "event_count", e.count());
    }
    if (e.first() != null) {
      data.put(prefix + "event_first", e.first());
    }
    data.put(prefix + "event_last", e.last());
    return new OdpEvent(
        "braze",
        "custom_event",
        ids,
        data,
        last,
        Hashes.of("custom_event", brazeId, e.name(), e.last()));
  }

  /** A segment entry or exit ({@code action}) of one member, once per segment run. */
  public static OdpEvent membership(
      String prefix,
      String action,
      String segmentId,
      String segmentName,
      String brazeId,
      Map<String, String> ids,
      Instant at,
      String segmentRunId) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put(prefix + "segment_id", segmentId);
    data.put(prefix + "segment_name", segmentName);
    data.put(prefix + "braze_id", brazeId);
    return new OdpEvent(
        "braze", action, ids, data, at, Hashes.of(action, segmentId, brazeId, segmentRunId));
  }

  /**
   * Reads a Braze event time: ISO with an offset, or {@code yyyy-MM-dd HH:mm:ss.SSS UTC}; null when
   * it is neither.
   */
  public static Instant parseTime(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    Instant canonical = parseCanonical(text);
    if (canonical != null) {
      return canonical;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(text.replace(" UTC", ""), BRAZE_TEXT).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /**
   * Parses a time in the form Braze exports ({@code 2026-06-28T17:02:43.032Z}) without a {@code
   * DateTimeFormatter}, or returns null when {@code s} is in another form or names no valid time
   * (the full parse then decides, alike). A first run parses every custom event's time, and the
   * formatter took more of its Java time than building the event.
   */
  public static Instant parseCanonical(String s) {
    if (s == null || !isCanonical(s)) {
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

  /**
   * Whether {@code s} has the shape {@code dddd-dd-ddTdd:dd:dd.dddZ}; the values are not checked.
   */
  public static boolean isCanonical(String s) {
    if (s.length() != CANONICAL_LENGTH
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':'
        || s.charAt(19) != '.'
        || s.charAt(23) != 'Z') {
      return false;
    }
    for (int i = 0; i < CANONICAL_LENGTH - 1; i++) {
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

  private static int digits(String s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      value = value * 10 + (s.charAt(i) - '0');
    }
    return value;
  }
}
