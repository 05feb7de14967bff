package io.github.brazeodp.sync.adapter;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.ExportRows;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.port.OdpGateway;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/** {@link OdpGateway} over a real {@link OdpClient}; the client owns batching, retries, pacing. */
public final class OdpClientGateway implements OdpGateway {
  private static final String CUSTOMERS = "customers";

  private final OdpClient client;

  /** Wraps {@code client}. */
  public OdpClientGateway(OdpClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public BatchResult upsertProfiles(List<ProfileUpdate> updates) {
    return client.profiles().upsert(updates);
  }

  @Override
  public BatchResult sendEvents(List<OdpEvent> events) {
    return client.events().send(events);
  }

  @Override
  public List<SchemaField> customerFields() {
    return client.schema().fields(CUSTOMERS);
  }

  @Override
  public SchemaField createCustomerField(SchemaField field) {
    return client.schema().createField(CUSTOMERS, field);
  }

  @Override
  public Stream<ExportRow> segmentMembers(String segment, List<String> fields) {
    ExportRows rows = client.exports().segmentMembers(List.of(segment), fields);
    return rows.stream().onClose(rows::close);
  }
}
