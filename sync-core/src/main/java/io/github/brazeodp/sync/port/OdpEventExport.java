package io.github.brazeodp.sync.port;

import io.github.brazeodp.odp.ExportFilter;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.SchemaField;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads ODP events back out of ODP through the data export ({@code POST /v3/exports} with {@code
 * select.object = "events"}), for sources that poll ODP instead of receiving events.
 *
 * <p>A port of its own, beside {@link OdpGateway}, so flows that never read events need not
 * implement it. Implemented by {@link io.github.brazeodp.sync.adapter.OdpClientGateway} and {@link
 * io.github.brazeodp.sync.fake.InMemoryOdp}; both pass the same contract test.
 *
 * <p>Rows carry one column per requested field ({@code ["*"]}: every field of the {@code events}
 * object): {@code event_type}, {@code action}, {@code ts} (Unix seconds), {@code idempotence_id},
 * the identifiers and the data fields; a field the event lacks is an empty cell.
 */
public interface OdpEventExport {
  /** Field {@code event_type} of ODP's events object. */
  String EVENT_TYPE = "event_type";

  /** Field {@code action}. */
  String ACTION = "action";

  /** Field {@code ts}: when the event happened, in Unix seconds. */
  String TS = "ts";

  /** Field {@code idempotence_id}: the event's id. */
  String IDEMPOTENCE_ID = "idempotence_id";

  /**
   * Returns the fields of ODP's {@code events} object.
   *
   * @return the fields
   */
  List<SchemaField> eventFields();

  /**
   * Exports the events matching {@code filter} and streams them; close the stream to release the
   * download.
   *
   * @param filter which events
   * @param fields the fields to export, {@code ["*"]} for all
   * @return the rows, in no guaranteed order
   */
  Stream<ExportRow> exportEvents(ExportFilter filter, List<String> fields);
}
