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

  /**
   * Whether this gateway sends events it encoded earlier ({@link #encodeEvent}, {@link
   * #sendEncodedEvents}). The Currents outbox then keeps each event as the row ODP receives, and
   * the forwarder sends it without decoding and encoding it again. False by default.
   */
  default boolean sendsEncodedEvents() {
    return false;
  }

  /**
   * Validates and encodes one event as {@link #sendEncodedEvents} sends it.
   *
   * @throws IllegalArgumentException if {@link #sendEvents} would refuse the event
   * @throws UnsupportedOperationException unless {@link #sendsEncodedEvents()}
   */
  default byte[] encodeEvent(OdpEvent event) {
    throw new UnsupportedOperationException(getClass().getName() + " does not encode events");
  }

  /**
   * Sends rows {@link #encodeEvent} returned, with the same per-row result as {@link #sendEvents}.
   *
   * @throws UnsupportedOperationException unless {@link #sendsEncodedEvents()}
   */
  default BatchResult sendEncodedEvents(List<byte[]> rows) {
    throw new UnsupportedOperationException(getClass().getName() + " does not encode events");
  }

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
