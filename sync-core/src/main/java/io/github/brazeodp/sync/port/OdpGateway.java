package io.github.brazeodp.sync.port;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.SchemaField;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ODP operations the flows need, and nothing more.
 *
 * <p>Implemented by {@link io.github.brazeodp.sync.adapter.OdpClientGateway} over the real client
 * and by {@link io.github.brazeodp.sync.fake.InMemoryOdp}; both pass the same contract test.
 * Partial success is data ({@link BatchResult}); whole-call failures are odp-client's exceptions,
 * already retried.
 */
public interface OdpGateway {
  /** Upserts customer profiles; identifiers travel inside the attributes as ODP wants. */
  BatchResult upsertProfiles(List<ProfileUpdate> updates);

  /** Sends events; each carries an idempotence id, so resending is safe. */
  BatchResult sendEvents(List<OdpEvent> events);

  /** Returns the fields of the {@code customers} object. */
  List<SchemaField> customerFields();

  /** Creates a field on the {@code customers} object. */
  SchemaField createCustomerField(SchemaField field);

  /**
   * Streams the members of an ODP segment with the given customer fields; close the stream to
   * release the download.
   */
  Stream<ExportRow> segmentMembers(String segment, List<String> fields);
}
