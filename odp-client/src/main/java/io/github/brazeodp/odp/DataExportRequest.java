package io.github.brazeodp.odp;

import java.util.List;
import java.util.Objects;

/**
 * What to export with {@code POST /v3/exports}: the {@code select} of one object (e.g. {@code
 * events}), its fields, an optional {@link ExportFilter} and sorts. The client always asks for CSV,
 * which it can stream.
 *
 * @param object the ODP object, e.g. {@code events} or {@code customers}
 * @param fields fields to export; {@code ["*"]} for all fields of the object (relations not
 *     followed)
 * @param filter which rows, or null for all
 * @param sorts order within each file; may be empty
 * @param delimiter the CSV delimiter; null means {@link ExportDelimiter#COMMA}
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/filtering">ODP
 *     Exports API: Filtering</a>
 */
public record DataExportRequest(
    String object,
    List<String> fields,
    ExportFilter filter,
    List<ExportSort> sorts,
    ExportDelimiter delimiter) {
  /** Validates and copies: object and fields non-blank, a requestable delimiter. */
  public DataExportRequest {
    RowEncoder.requireName("object", object);
    Objects.requireNonNull(fields, "fields");
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("fields: at least one is required (\"*\" for all)");
    }
    for (int i = 0; i < fields.size(); i++) {
      String f = fields.get(i);
      if (f == null || f.isBlank()) {
        throw new IllegalArgumentException("fields[" + i + "]: must not be blank");
      }
    }
    fields = List.copyOf(fields);
    sorts = sorts == null ? List.of() : List.copyOf(sorts);
    delimiter = delimiter == null ? ExportDelimiter.COMMA : delimiter;
    if (delimiter == ExportDelimiter.UNKNOWN) {
      throw new IllegalArgumentException("delimiter: UNKNOWN cannot be requested");
    }
  }

  /**
   * Exports {@code fields} of {@code object} rows matching {@code filter}, comma-separated,
   * unsorted.
   *
   * @param object the ODP object
   * @param fields the fields
   * @param filter the filter, or null for every row
   * @return the request
   */
  public static DataExportRequest of(String object, List<String> fields, ExportFilter filter) {
    return new DataExportRequest(object, fields, filter, List.of(), null);
  }

  /**
   * Returns a copy sorted by {@code sorts}.
   *
   * @param sorts the sort order within each file
   * @return the new request
   */
  public DataExportRequest sortedBy(ExportSort... sorts) {
    return new DataExportRequest(object, fields, filter, List.of(sorts), delimiter);
  }
}
