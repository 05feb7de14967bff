package io.github.brazeodp.sync.activation;

import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.sync.port.OdpGateway;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the members of a segment-enrolled activation come from: ODP's segment-member export by
 * default ({@link #odp(OdpGateway)}), or a source the host plugs in (a warehouse table, a file).
 *
 * <p>Members are streamed: a run holds one batch at a time, never the whole segment.
 */
@FunctionalInterface
public interface MemberSource {
  /** The column prefix of customer fields in ODP's segment-member export. */
  String CUSTOMER_PREFIX = "customer.";

  /**
   * Streams the members of a segment; the run closes the stream when done.
   *
   * @param segment the segment name
   * @param fields the customer fields the activation needs, without the {@code customer.} prefix
   * @return one map per member, field name (without prefix) to value; a missing or empty value
   *     means the customer has none
   */
  Stream<Map<String, String>> members(String segment, Set<String> fields);

  /**
   * Reads members from ODP's segment-member export, asking for {@code customer.<field>} columns.
   *
   * @param odp the ODP side
   * @return the source
   */
  static MemberSource odp(OdpGateway odp) {
    Objects.requireNonNull(odp, "odp");
    return (segment, fields) -> {
      List<String> columns = fields.stream().map(f -> CUSTOMER_PREFIX + f).toList();
      Stream<ExportRow> rows = odp.segmentMembers(segment, columns);
      return rows.map(MemberSource::strip);
    };
  }

  private static Map<String, String> strip(ExportRow row) {
    Map<String, String> values = new LinkedHashMap<>();
    row.values()
        .forEach(
            (column, value) ->
                values.put(
                    column.startsWith(CUSTOMER_PREFIX)
                        ? column.substring(CUSTOMER_PREFIX.length())
                        : column,
                    value));
    return values;
  }
}
