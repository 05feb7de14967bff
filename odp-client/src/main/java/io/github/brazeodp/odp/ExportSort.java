package io.github.brazeodp.odp;

import java.util.Objects;

/**
 * One entry of a data export's {@code sorts}: ODP applies it within each produced file (one export
 * may span several files), so readers must not assume a global order across files.
 *
 * @param field the field to sort by
 * @param descending true for {@code "desc"}, false for {@code "asc"}
 */
public record ExportSort(String field, boolean descending) {
  /** Validates the field name. */
  public ExportSort {
    RowEncoder.requireText("sorts.field", field);
  }

  /**
   * Sorts ascending by {@code field}.
   *
   * @param field the field
   * @return the sort
   */
  public static ExportSort ascending(String field) {
    return new ExportSort(Objects.requireNonNull(field, "sorts.field"), false);
  }

  /**
   * Sorts descending by {@code field}.
   *
   * @param field the field
   * @return the sort
   */
  public static ExportSort descending(String field) {
    return new ExportSort(Objects.requireNonNull(field, "sorts.field"), true);
  }

  /** Returns {@code asc} or {@code desc}, as ODP spells the order. */
  String order() {
    return descending ? "desc" : "asc";
  }
}
