package io.github.brazeodp.odp;

import io.github.brazeodp.odp.internal.OdpHttpApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sends events to ODP ({@code POST /v3/events}); obtained from {@link OdpClient#events()}.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-events">ODP
 *     events</a>
 */
public final class EventsService {
  private final BatchSender sender;
  private final RowEncoder encoder;
  private final OdpHttpApi http;

  EventsService(BatchSender sender, RowEncoder encoder, OdpHttpApi http) {
    this.sender = sender;
    this.encoder = encoder;
    this.http = http;
  }

  /**
   * Sends any number of events, split into requests under {@link BatchSettings#maxItems()} (default
   * 100; ODP documents 500, Optimizely's Node SDK enforces 100) and {@link
   * BatchSettings#maxBytes()}, with up to {@link BatchSettings#maxInFlight()} requests in flight.
   *
   * <p>Every event is validated before the first request: blank type or action, no identifiers,
   * names ODP would reject, text over 1,024 characters, unsupported or nested values and null
   * entries throw {@link IllegalArgumentException} naming the row and field. Requests are retried
   * per the client's {@link RetrySettings} (events carry {@code idempotence_id}, so resending is
   * safe).
   *
   * <p>Per row, the result says:
   *
   * <ul>
   *   <li>{@link RowStatus#ACCEPTED}: ODP answered its request with success;
   *   <li>{@link RowStatus#REJECTED}: ODP refused it, with its {@link RowError} (HTTP status,
   *       field, message). A request refused whole without a row named (400, 413 or 422, e.g. over
   *       the account's size cap) is split in halves and resent down to single events, so only
   *       events ODP refuses on their own are rejected; one request spends at most as many extra
   *       requests as it holds events, after which the rows still unresolved are rejected with
   *       ODP's reason;
   *   <li>{@link RowStatus#UNCONFIRMED}: its request's 400 named other rows, so whether ODP kept it
   *       is unknown; resending is safe.
   * </ul>
   *
   * @param events the events, in order; the result's indexes refer to this list
   * @return the outcome of every row; ODP's {@code detail.invalids[]} are mapped to input indexes
   * @throws IllegalArgumentException if an event is invalid (nothing is sent)
   * @throws OdpException if a request fails for good (401, 403, or retries spent; never split);
   *     {@link OdpException#partialResult()} tells which rows the finished requests delivered
   */
  public BatchResult send(List<OdpEvent> events) {
    Objects.requireNonNull(events, "events");
    List<byte[]> rows = sender.encode(events.size(), i -> encoder.event(i, events.get(i)));
    return sender.send(OdpApi.EVENTS, rows, http::sendEvents);
  }

  /**
   * Validates and encodes one event exactly as {@link #send} would, without sending it: the row's
   * JSON, for a caller that queues events durably and sends them later with {@link #sendEncoded}
   * without decoding and encoding them again.
   *
   * @throws IllegalArgumentException if the event is invalid, as {@link #send} would refuse it
   */
  public byte[] encode(OdpEvent event) {
    return encoder.event(0, event);
  }

  /**
   * Sends rows that {@link #encode} returned, as {@link #send} sends events: same requests, same
   * per-row result, same splitting of refused requests. The rows are not validated again; each must
   * be the unchanged output of {@code encode} of a client with the same {@link BatchSettings}.
   *
   * @param rows encoded events, in order; the result's indexes refer to this list
   * @throws IllegalArgumentException if a row is null, does not look like an encoded event or is
   *     over the request byte cap (nothing is sent)
   * @throws OdpException as {@link #send}
   */
  public BatchResult sendEncoded(List<byte[]> rows) {
    Objects.requireNonNull(rows, "rows");
    List<byte[]> checked = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      checked.add(encoder.encoded(i, rows.get(i)));
    }
    return sender.send(OdpApi.EVENTS, checked, http::sendEvents);
  }

  @Override
  public String toString() {
    return "EventsService";
  }
}
