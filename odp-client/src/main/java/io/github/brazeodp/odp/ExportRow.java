package io.github.brazeodp.odp;

import java.util.Map;

/**
 * One row of an export file, keyed by the file's header.
 *
 * @param fileIndex 0-based index of the file among the job's presigned URLs
 * @param rowNumber 1-based row number within the file, header excluded (for checkpoints)
 * @param values column name to cell text; an empty cell is {@code ""}
 */
public record ExportRow(int fileIndex, long rowNumber, Map<String, String> values) {
  /** Copies the values, keeping column order. */
  public ExportRow {
    values = Maps.copy(values);
  }

  /**
   * Returns the cell of {@code column}.
   *
   * @throws IllegalArgumentException if the file has no such column, so a typo fails loudly
   */
  public String get(String column) {
    String v = values.get(column);
    if (v == null && !values.containsKey(column)) {
      throw new IllegalArgumentException(
          "No column '"
              + column
              + "' in export file "
              + fileIndex
              + "; columns: "
              + values.keySet());
    }
    return v;
  }
}
