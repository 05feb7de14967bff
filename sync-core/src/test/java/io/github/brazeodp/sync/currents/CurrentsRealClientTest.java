package io.github.brazeodp.sync.currents;

import static io.github.brazeodp.sync.currents.CurrentsTestSupport.NOW;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.TOKEN;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.batch;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.headers;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.read;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.RateLimits;
import io.github.brazeodp.odp.RetrySettings;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.IdentityRecord;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fixture, transformed, passes the real ODP client's validation (names, text length, flat
 * values) and reaches the wire as ODP wants it.
 */
class CurrentsRealClientTest {
  @Test
  void everyFixtureIsAcceptedByTheRealClient() throws Exception {
    List<String> events = new ArrayList<>();
    List<Path> files = CurrentsTestSupport.httpFixtures();
    for (int i = 0; i < files.size(); i++) {
      String json = read(files.get(i));
      if (json.contains("\"time\" : \"(required")) {
        continue; // docs templates: shape only
      }
      // The samples share ids; real events each have their own.
      events.add(json.replaceFirst("\n  \"id\": \"[^\"]*\"", "\n  \"id\": \"evt-" + i + "\""));
    }
    try (MockWebServer server = new MockWebServer();
        SyncStateStore store = SyncStateStore.inMemory()) {
      for (int i = 0; i < 3; i++) {
        server.enqueue(
            new MockResponse.Builder()
                .code(202)
                .addHeader("Content-Type", "application/json")
                .body(
                    "{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"2026-01-01T00:00:00Z\"}")
                .build());
      }
      server.start();
      // Every sample belongs to the same Braze user; the identity map makes them all matched.
      store.putIdentities(
          List.of(
              new IdentityRecord(
                  "639a35d192b0df004d06514c", null, Map.of("email", "user@example.com"), NOW),
              new IdentityRecord(
                  "0123456789abcdef01234567", null, Map.of("phone", "+15551234567"), NOW)));
      try (OdpClient client =
          OdpClient.builder()
              .apiKey("test-odp-key")
              .baseUrl(server.url("/v3/").toString())
              .rateLimits(RateLimits.unlimited())
              .retry(RetrySettings.none())
              .build()) {
        CurrentsForwarder f =
            CurrentsForwarder.builder().odp(new OdpClientGateway(client)).state(store).build();
        CurrentsReceiver r = CurrentsReceiver.builder().tokens(TOKEN).forwarder(f).build();
        CurrentsResponse response = r.handle(headers(TOKEN), batch(events.toArray(String[]::new)));
        assertThat(response.status()).isEqualTo(200);
        // agentconsole.ToolInvocation carries no user at all: unmatched.
        assertThat(response.body()).contains("\"queued\":92", "\"unmatched\":1");
        DrainResult d = f.drainOnce();
        assertThat(d.failed()).as(String.valueOf(d.failure())).isFalse();
        assertThat(d.forwarded()).isEqualTo(92);
        f.close();
      }
      RecordedRequest request = server.takeRequest();
      assertThat(request.getTarget()).isEqualTo("/v3/events");
      String body = request.getBody().utf8();
      assertThat(body)
          .startsWith("[{\"type\":\"braze\",\"action\":\"")
          .contains("\"action\":\"messages_email_open\"")
          .contains("\"_braze_custom_properties_list_property\":\"[\\\"a\\\"]\"")
          .contains("\"ts\":2033802504")
          .contains("\"idempotence_id\":\"evt-");
    }
  }

  /**
   * An ODP account whose size limit is 50 events per request answers a larger request with a 400
   * that names no event; the real client reports every row refused with one reason, and the
   * forwarder splits until every event is delivered.
   */
  @Test
  void aWholeRequest400FromAnAccountCappedAt50LosesNothing() throws Exception {
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    AtomicInteger refusedRequests = new AtomicInteger();
    try (MockWebServer server = new MockWebServer();
        SyncStateStore store = SyncStateStore.inMemory()) {
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              String body = request.getBody() == null ? "" : request.getBody().utf8();
              Matcher ids = Pattern.compile("\"idempotence_id\":\"([^\"]+)\"").matcher(body);
              List<String> inRequest = new ArrayList<>();
              while (ids.find()) {
                inRequest.add(ids.group(1));
              }
              if (inRequest.size() > 50) {
                refusedRequests.incrementAndGet();
                return new MockResponse.Builder()
                    .code(400)
                    .addHeader("Content-Type", "application/json")
                    .body(
                        "{\"title\":\"Bad Request\",\"status\":400,\"timestamp\":"
                            + "\"2026-01-01T00:00:00Z\",\"detail\":{\"message\":"
                            + "\"A maximum batch size of 50 is allowed in a single request\"}}")
                    .build();
              }
              delivered.addAll(inRequest);
              return new MockResponse.Builder()
                  .code(202)
                  .addHeader("Content-Type", "application/json")
                  .body(
                      "{\"title\":\"Accepted\",\"status\":202,\"timestamp\":"
                          + "\"2026-01-01T00:00:00Z\"}")
                  .build();
            }
          });
      server.start();
      try (OdpClient client =
          OdpClient.builder()
              .apiKey("test-odp-key")
              .baseUrl(server.url("/v3/").toString())
              .rateLimits(RateLimits.unlimited())
              .retry(RetrySettings.none())
              .build()) {
        CurrentsForwarder f =
            CurrentsForwarder.builder().odp(new OdpClientGateway(client)).state(store).build();
        CurrentsReceiver r = CurrentsReceiver.builder().tokens(TOKEN).forwarder(f).build();
        String[] events = new String[126];
        for (int i = 0; i < events.length; i++) {
          events[i] = CurrentsTestSupport.event("cap-" + i);
        }
        assertThat(r.handle(headers(TOKEN), batch(events)).status()).isEqualTo(200);

        DrainResult d = f.drainOnce();

        assertThat(d.failed()).as(String.valueOf(d.failure())).isFalse();
        assertThat(d.forwarded()).isEqualTo(126);
        assertThat(d.rejected()).isZero();
        assertThat(store.deadLetterCount()).isZero();
        assertThat(delivered).hasSize(126);
        assertThat(refusedRequests.get()).isPositive();
        f.close();
      }
    }
  }

  /**
   * A state file written by the previous version holds outbox rows in the JSON form; after the
   * upgrade the receiver keeps new events as the rows the client encodes. Both kinds are delivered,
   * the old ones as the very JSON the client writes for them now.
   */
  @Test
  void outboxRowsOfThePreviousVersionAreDeliveredAfterTheUpgrade(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("state.db");
    List<OdpEvent> old = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      old.add(
          new OdpEvent(
              "braze",
              "messages_email_open",
              Map.of("email", "old" + i + "@example.com"),
              Map.of("_braze_campaign_name", "Spring \"launch\" é", "n", i),
              Instant.parse("2034-06-13T02:01:44.250Z"),
              "old-" + i));
    }
    try (SyncStateStore store = SyncStateStore.sqlite(file)) {
      List<OutboxMessage> previous = new ArrayList<>();
      for (OdpEvent e : old) {
        previous.add(new OutboxMessage(e.idempotenceId(), OutboxCodec.encode(e), NOW));
      }
      store.enqueue(previous);
    }
    try (MockWebServer server = new MockWebServer();
        SyncStateStore store = SyncStateStore.sqlite(file)) {
      server.enqueue(
          new MockResponse.Builder()
              .code(202)
              .addHeader("Content-Type", "application/json")
              .body(
                  "{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"2026-01-01T00:00:00Z\"}")
              .build());
      server.start();
      try (OdpClient client =
          OdpClient.builder()
              .apiKey("test-odp-key")
              .baseUrl(server.url("/v3/").toString())
              .rateLimits(RateLimits.unlimited())
              .retry(RetrySettings.none())
              .build()) {
        CurrentsForwarder f =
            CurrentsForwarder.builder().odp(new OdpClientGateway(client)).state(store).build();
        CurrentsReceiver r = CurrentsReceiver.builder().tokens(TOKEN).forwarder(f).build();
        String[] fresh = new String[2];
        for (int i = 0; i < fresh.length; i++) {
          fresh[i] = CurrentsTestSupport.event("new-" + i);
        }
        assertThat(r.handle(headers(TOKEN), batch(fresh)).status()).isEqualTo(200);
        List<OutboxMessage> queued = store.peekOutbox(10);
        assertThat(queued).hasSize(5);
        assertThat(queued.stream().filter(m -> OutboxCodec.isRow(m.payload())).count())
            .isEqualTo(2);

        DrainResult d = f.drainOnce();

        assertThat(d.failed()).as(String.valueOf(d.failure())).isFalse();
        assertThat(d.forwarded()).isEqualTo(5);
        assertThat(store.peekOutbox(10)).isEmpty();
        String body = server.takeRequest().getBody().utf8();
        for (OdpEvent e : old) {
          assertThat(body).contains(new String(client.events().encode(e), UTF_8));
        }
        assertThat(body).contains("\"idempotence_id\":\"new-0\"", "\"idempotence_id\":\"new-1\"");
        f.close();
      }
    }
  }

  /** A forwarder whose gateway sends no encoded rows reads them back as events. */
  @Test
  void rowsAreReadBackAsEventsForAGatewayThatDoesNotSendThem() {
    try (SyncStateStore store = SyncStateStore.inMemory();
        OdpClient encoder =
            OdpClient.builder().apiKey("test-odp-key").baseUrl("http://127.0.0.1:9/v3/").build()) {
      OdpEvent e =
          new OdpEvent(
              "braze",
              "messages_email_open",
              Map.of("email", "a@example.com"),
              Map.of("_braze_campaign_name", "Spring"),
              Instant.ofEpochSecond(2033802504),
              "row-1");
      store.enqueue(
          List.of(new OutboxMessage("row-1", OutboxCodec.row(encoder.events().encode(e)), NOW)));
      InMemoryOdp odp = new InMemoryOdp();
      CurrentsForwarder f = CurrentsForwarder.builder().odp(odp).state(store).build();

      DrainResult d = f.drainOnce();

      assertThat(d.forwarded()).isEqualTo(1);
      assertThat(odp.events()).containsExactly(e);
      f.close();
    }
  }
}
