package io.github.brazeodp.odp;

import com.squareup.moshi.JsonAdapter;
import io.github.brazeodp.odp.internal.OdpHttpApi;
import io.github.brazeodp.odp.internal.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Manages lists and subscriptions ({@code /v3/lists}); obtained from {@link OdpClient#lists()}.
 * Paced at 10 requests/s by default.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/rate-limits">ODP
 *     rate limits (Lists)</a>
 */
public final class ListsService {
  private final Transport transport;
  private final BatchSender sender;
  private final RowEncoder encoder;
  private final OdpHttpApi http;
  private final JsonAdapter<Wire.ListsBody> listsAdapter;
  private final JsonAdapter<Wire.CreatedListBody> createdAdapter;

  ListsService(
      Transport transport,
      BatchSender sender,
      RowEncoder encoder,
      OdpHttpApi http,
      JsonAdapter<Wire.ListsBody> listsAdapter,
      JsonAdapter<Wire.CreatedListBody> createdAdapter) {
    this.transport = transport;
    this.sender = sender;
    this.encoder = encoder;
    this.http = http;
    this.listsAdapter = listsAdapter;
    this.createdAdapter = createdAdapter;
  }

  /** Returns every list of the account ({@code GET /v3/lists}). */
  public List<OdpList> list() {
    Wire.ListsBody body =
        transport.execute(
            OdpApi.LISTS,
            true,
            Transport.retrofit(http::lists),
            r -> Transport.decode(OdpApi.LISTS, listsAdapter, r));
    return body.lists() == null ? List.of() : List.copyOf(body.lists());
  }

  /**
   * Creates a list ({@code POST /v3/lists}); ODP derives the id from the name.
   *
   * <p>Not retried after the request may have reached ODP: a repeat would fail with 400 because the
   * list exists.
   *
   * @param name the display name
   * @return the created list
   * @throws OdpBadRequestException if the list already exists
   */
  public OdpList create(String name) {
    RowEncoder.requireText("name", name);
    Wire.CreatedListBody body =
        transport.execute(
            OdpApi.LISTS,
            false,
            Transport.retrofit(tag -> http.createList(new Wire.CreateListBody(name), tag)),
            r -> Transport.decode(OdpApi.LISTS, createdAdapter, r));
    if (body.created() == null) {
      throw new OdpDecodingException(
          OdpApi.LISTS.endpoint(), "ODP lists create returned no 'created' object", null);
    }
    return body.created();
  }

  /**
   * Subscribes email addresses to a list, batched like {@link EventsService#send}.
   *
   * @param listId the list id
   * @param emails the addresses; the result's indexes refer to this list
   * @return the outcome of every row
   */
  public BatchResult subscribe(String listId, List<String> emails) {
    return updateSubscriptions(changes(listId, emails, true));
  }

  /**
   * Unsubscribes email addresses from a list, batched like {@link EventsService#send}.
   *
   * @param listId the list id
   * @param emails the addresses; the result's indexes refer to this list
   * @return the outcome of every row
   */
  public BatchResult unsubscribe(String listId, List<String> emails) {
    return updateSubscriptions(changes(listId, emails, false));
  }

  /**
   * Applies any number of subscription changes ({@code POST /v3/lists/subscriptions}).
   *
   * @param changes the changes; the result's indexes refer to this list
   * @return the outcome of every row
   * @throws IllegalArgumentException if a change is invalid (nothing is sent)
   */
  public BatchResult updateSubscriptions(List<ListSubscription> changes) {
    Objects.requireNonNull(changes, "changes");
    List<byte[]> rows = new ArrayList<>(changes.size());
    for (int i = 0; i < changes.size(); i++) {
      rows.add(encoder.subscription(i, changes.get(i)));
    }
    return sender.send(OdpApi.LISTS, rows, http::updateSubscriptions);
  }

  private static List<ListSubscription> changes(
      String listId, List<String> emails, boolean subscribed) {
    Objects.requireNonNull(emails, "emails");
    List<ListSubscription> changes = new ArrayList<>(emails.size());
    for (String email : emails) {
      changes.add(new ListSubscription(listId, "email", email, subscribed));
    }
    return changes;
  }

  @Override
  public String toString() {
    return "ListsService";
  }
}
