package io.github.brazeodp.odp.internal;

import io.github.brazeodp.odp.OdpList;
import io.github.brazeodp.odp.SchemaField;
import java.util.List;
import java.util.Map;

/** JSON shapes that only the transport sees; public models live in the root package. */
public final class Wire {
  private Wire() {}

  /**
   * ODP's error body: {@code {title, status, timestamp, detail:{invalids[], message}}} or {@code
   * {message}}.
   */
  public record ErrorBody(
      String title, Integer status, String timestamp, ErrorDetail detail, String message) {}

  /** The {@code detail} object of an error body. */
  public record ErrorDetail(List<Invalid> invalids, String message) {}

  /**
   * One {@code detail.invalids[]} item: {@code {event, message}} for rows, {@code {field, reason}}
   * for schema.
   */
  public record Invalid(
      Integer event, Integer index, String field, String reason, String message) {}

  /** {@code GET /v3/lists} body. */
  public record ListsBody(List<OdpList> lists) {}

  /** {@code POST /v3/lists} request. */
  public record CreateListBody(String name) {}

  /** {@code POST /v3/lists} response. */
  public record CreatedListBody(OdpList created) {}

  /** A fields list wrapped in an object, tolerated besides a bare array. */
  public record FieldsBody(List<SchemaField> fields) {}

  /** {@code GET /v3/profiles} body. */
  public record ProfileBody(Map<String, Object> attributes) {}

  /** A GraphQL request with variables, so values are never spliced into the query text. */
  public record GraphQlRequest(String query, Map<String, Object> variables) {}

  /** A GraphQL response; errors arrive with HTTP 200. */
  public record GraphQlResponse(GraphQlData data, List<GraphQlErrorBody> errors) {}

  /** One {@code errors[]} item. */
  public record GraphQlErrorBody(
      String message, List<Object> path, Map<String, Object> extensions) {}

  /** {@code data} of the audiences query. */
  public record GraphQlData(Customer customer) {}

  /** {@code data.customer}. */
  public record Customer(Audiences audiences) {}

  /** {@code customer.audiences}. */
  public record Audiences(List<Edge> edges) {}

  /** One audience edge. */
  public record Edge(Node node) {}

  /** One audience and the customer's state in it. */
  public record Node(String name, String state) {}

  /** {@code POST /v3/export-segment-members} request. */
  public record SegmentExportBody(String format, String delimiter, Select select) {}

  /** The {@code select} object of a segment export. */
  public record Select(List<String> segments, List<String> fields, String maxDelay) {}

  /** {@code POST /v3/exports} request. */
  public record DataExportBody(String format, String delimiter, DataSelect select) {}

  /** The {@code select} object of a data export; {@code filter} is omitted when null. */
  public record DataSelect(
      String object,
      List<String> fields,
      Map<String, Object> filter,
      List<Map<String, String>> sorts) {}
}
