package io.github.brazeodp.odp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What to export with {@code POST /v3/export-segment-members}: segments, fields, delimiter and the
 * acceptable staleness. The client always asks for CSV, which it can stream.
 *
 * @param segments segment names, e.g. {@code my_rts_segment}, {@code rts:x}, {@code classic:y}
 * @param fields fields to export, e.g. {@code customer.email}; {@code ["*"]} for all
 * @param delimiter the CSV delimiter; null means {@link ExportDelimiter#COMMA}
 * @param maxDelay acceptable staleness, at least one hour; null means ODP's default {@code PT1H}
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/start-export-job">ODP
 *     start export job</a>
 */
public record SegmentExportRequest(
    List<String> segments, List<String> fields, ExportDelimiter delimiter, Duration maxDelay) {
  /** Validates and copies: segments and fields non-empty and non-blank, {@code maxDelay >= 1h}. */
  public SegmentExportRequest {
    segments = nonBlank("segments", segments);
    fields = nonBlank("fields", fields);
    delimiter = delimiter == null ? ExportDelimiter.COMMA : delimiter;
    if (delimiter == ExportDelimiter.UNKNOWN) {
      throw new IllegalArgumentException("delimiter: UNKNOWN cannot be requested");
    }
    if (maxDelay != null && maxDelay.compareTo(Duration.ofHours(1)) < 0) {
      throw new IllegalArgumentException("maxDelay: must be at least PT1H, was " + maxDelay);
    }
  }

  /** Returns a request with a comma delimiter and ODP's default staleness. */
  public static SegmentExportRequest of(List<String> segments, List<String> fields) {
    return new SegmentExportRequest(segments, fields, null, null);
  }

  private static List<String> nonBlank(String name, List<String> values) {
    Objects.requireNonNull(values, name);
    if (values.isEmpty()) {
      throw new IllegalArgumentException(name + ": at least one is required");
    }
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(name + "[" + i + "]: must not be blank");
      }
    }
    return List.copyOf(values);
  }
}
