package io.github.brazeodp.sync.segments;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.port.OdpGateway;
import java.util.List;
import java.util.stream.Stream;

/** Forwards to another gateway; tests override single methods to simulate crashes. */
public class DelegatingOdp implements OdpGateway {
  private final OdpGateway delegate;

  public DelegatingOdp(OdpGateway delegate) {
    this.delegate = delegate;
  }

  @Override
  public BatchResult upsertProfiles(List<ProfileUpdate> updates) {
    return delegate.upsertProfiles(updates);
  }

  @Override
  public BatchResult sendEvents(List<OdpEvent> events) {
    return delegate.sendEvents(events);
  }

  @Override
  public List<SchemaField> customerFields() {
    return delegate.customerFields();
  }

  @Override
  public SchemaField createCustomerField(SchemaField field) {
    return delegate.createCustomerField(field);
  }

  @Override
  public Stream<ExportRow> segmentMembers(String segment, List<String> fields) {
    return delegate.segmentMembers(segment, fields);
  }
}
