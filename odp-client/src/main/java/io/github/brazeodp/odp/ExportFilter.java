package io.github.brazeodp.odp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code filter} of a data export ({@code POST /v3/exports}), as ODP's "Filtering" page of the
 * Exports API defines it: a single {@linkplain Clause clause} {@code {"field", "operator",
 * "value"}}, or an {@linkplain And and} / {@linkplain Or or} of nested filters. The combinators are
 * written in lowercase, as ODP requires.
 *
 * <pre>{@code
 * ExportFilter paid = ExportFilter.and(
 *     ExportFilter.clause("event_type", ExportFilter.Operator.EQUALS, "order"),
 *     ExportFilter.clause("ts", ExportFilter.Operator.GREATER_THAN, 1733500000));
 * }</pre>
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/filtering">ODP
 *     Exports API: Filtering</a>
 */
public sealed interface ExportFilter
    permits ExportFilter.Clause, ExportFilter.And, ExportFilter.Or {

  /** The comparison of a clause, written as ODP's {@code operator} symbol. */
  enum Operator {
    /** {@code =}; in a text value {@code %} matches any characters, as ODP's example shows. */
    EQUALS("="),
    /** {@code !=}. */
    NOT_EQUALS("!="),
    /** {@code >}. */
    GREATER_THAN(">"),
    /** {@code >=}. */
    GREATER_THAN_OR_EQUAL(">="),
    /** {@code <}. */
    LESS_THAN("<"),
    /** {@code <=}. */
    LESS_THAN_OR_EQUAL("<=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    /** Returns the symbol ODP expects in {@code operator}. */
    public String symbol() {
      return symbol;
    }
  }

  /**
   * One comparison of a field with a value.
   *
   * @param field the field, e.g. {@code event_type} or {@code product.name}
   * @param operator the comparison
   * @param value text, a number or a boolean
   */
  record Clause(String field, Operator operator, Object value) implements ExportFilter {
    /** Validates the field name and the value's type. */
    public Clause {
      RowEncoder.requireText("filter.field", field);
      Objects.requireNonNull(operator, "filter.operator");
      Objects.requireNonNull(value, "filter.value of " + field);
      if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
        throw new IllegalArgumentException(
            "filter.value of "
                + field
                + ": must be text, a number or a boolean, was "
                + value.getClass().getSimpleName()
                + " "
                + value);
      }
    }
  }

  /**
   * All nested filters must hold.
   *
   * @param filters at least one
   */
  record And(List<ExportFilter> filters) implements ExportFilter {
    /** Copies the filters; at least one is required. */
    public And {
      filters = nonEmpty("and", filters);
    }
  }

  /**
   * At least one nested filter must hold.
   *
   * @param filters at least one
   */
  record Or(List<ExportFilter> filters) implements ExportFilter {
    /** Copies the filters; at least one is required. */
    public Or {
      filters = nonEmpty("or", filters);
    }
  }

  /**
   * Returns a clause.
   *
   * @param field the field
   * @param operator the comparison
   * @param value text, a number or a boolean
   * @return the clause
   */
  static ExportFilter clause(String field, Operator operator, Object value) {
    return new Clause(field, operator, value);
  }

  /**
   * Returns an {@code and} of the filters.
   *
   * @param filters at least one
   * @return the combination
   */
  static ExportFilter and(ExportFilter... filters) {
    return new And(Arrays.asList(filters));
  }

  /**
   * Returns an {@code or} of the filters.
   *
   * @param filters at least one
   * @return the combination
   */
  static ExportFilter or(ExportFilter... filters) {
    return new Or(Arrays.asList(filters));
  }

  /**
   * Returns the filter as the JSON object ODP expects: {@code {"field","operator","value"}}, {@code
   * {"and":[...]}} or {@code {"or":[...]}}.
   *
   * @return a fresh map of plain JSON values
   */
  default Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    if (this instanceof Clause c) {
      json.put("field", c.field());
      json.put("operator", c.operator().symbol());
      json.put("value", c.value());
    } else {
      List<ExportFilter> nested = this instanceof And a ? a.filters() : ((Or) this).filters();
      List<Object> parts = new ArrayList<>(nested.size());
      nested.forEach(f -> parts.add(f.toJson()));
      json.put(this instanceof And ? "and" : "or", parts);
    }
    return json;
  }

  private static List<ExportFilter> nonEmpty(String name, List<ExportFilter> filters) {
    Objects.requireNonNull(filters, name);
    if (filters.isEmpty()) {
      throw new IllegalArgumentException("filter." + name + ": at least one filter is required");
    }
    for (int i = 0; i < filters.size(); i++) {
      Objects.requireNonNull(filters.get(i), "filter." + name + "[" + i + "]");
    }
    return List.copyOf(filters);
  }
}
