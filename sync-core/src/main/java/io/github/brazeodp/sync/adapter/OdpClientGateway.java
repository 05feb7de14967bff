package io.github.brazeodp.sync.adapter;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.DataExportRequest;
import io.github.brazeodp.odp.ExportFilter;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.ExportRows;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.RowError;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.port.OdpEventExport;
import io.github.brazeodp.sync.port.OdpGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@link OdpGateway} over a real {@link OdpClient}; the client owns batching, retries, pacing.
 *
 * <p>Rows the client refuses before sending (text over 1,024 characters, invalid names or values)
 * come back as {@link RowStatus#REJECTED} with the client's message, like rows ODP rejects, and the
 * other rows are still sent.
 */
public final class OdpClientGateway implements OdpGateway, OdpEventExport {
  private static final String CUSTOMERS = "customers";
  private static final String EVENTS = "events";

  /** How the client names a refused row: {@code events[3].data.name: reason}. */
  private static final Pattern REFUSED_ROW =
      Pattern.compile("^(?:profiles|events)\\[(\\d+)\\]((?:\\.[A-Za-z0-9_]+)*):");

  private final OdpClient client;

  /** Wraps {@code client}. */
  public OdpClientGateway(OdpClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public BatchResult upsertProfiles(List<ProfileUpdate> updates) {
    return withoutRefusedRows(updates, rows -> client.profiles().upsert(rows));
  }

  @Override
  public BatchResult sendEvents(List<OdpEvent> events) {
    return withoutRefusedRows(events, rows -> client.events().send(rows));
  }

  @Override
  public boolean sendsEncodedEvents() {
    return true;
  }

  @Override
  public byte[] encodeEvent(OdpEvent event) {
    return client.events().encode(event);
  }

  @Override
  public BatchResult sendEncodedEvents(List<byte[]> rows) {
    return withoutRefusedRows(rows, batch -> client.events().sendEncoded(batch));
  }

  /**
   * Sends the rows the client accepts and reports the others as rejected, so that one bad row is
   * data, as the port promises, rather than an exception that loses the whole batch.
   *
   * <p>The client validates every row before the first request and refuses the batch with an {@link
   * IllegalArgumentException} naming the first bad row ({@code profiles[3].attributes.x: ...});
   * that row is set aside and the rest is tried again, until the client takes it.
   */
  private static <T> BatchResult withoutRefusedRows(
      List<T> rows, Function<List<T>, BatchResult> send) {
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      kept.add(i);
    }
    Map<Integer, RowError> refused = new TreeMap<>();
    BatchResult sent = null;
    while (!kept.isEmpty()) {
      List<T> batch = new ArrayList<>(kept.size());
      kept.forEach(i -> batch.add(rows.get(i)));
      try {
        sent = send.apply(batch);
        break;
      } catch (IllegalArgumentException e) {
        Matcher m = REFUSED_ROW.matcher(String.valueOf(e.getMessage()));
        if (!m.find()) {
          throw e;
        }
        int local = Integer.parseInt(m.group(1));
        if (local >= kept.size()) {
          throw e;
        }
        int original = kept.remove(local);
        String path = m.group(2);
        String field = path.substring(path.lastIndexOf('.') + 1);
        refused.put(
            original, new RowError(original, field.isEmpty() ? null : field, e.getMessage()));
      }
    }
    if (refused.isEmpty() && sent != null) {
      return sent;
    }
    List<RowStatus> statuses = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      statuses.add(RowStatus.REJECTED);
    }
    List<RowError> errors = new ArrayList<>(refused.values());
    if (sent != null) {
      for (int i = 0; i < kept.size(); i++) {
        statuses.set(kept.get(i), sent.status(i));
      }
      for (RowError e : sent.errors()) {
        int original = kept.get(e.index());
        errors.add(new RowError(original, e.field(), e.message(), e.status()));
      }
    }
    return BatchResult.of(statuses, errors, sent == null ? 0 : sent.requestCount());
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

  @Override
  public List<SchemaField> eventFields() {
    return client.schema().fields(EVENTS);
  }

  @Override
  public Stream<ExportRow> exportEvents(ExportFilter filter, List<String> fields) {
    ExportRows rows = client.exports().data(DataExportRequest.of(EVENTS, fields, filter));
    return rows.stream().onClose(rows::close);
  }
}
