package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.accepted;
import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class EventsServiceTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  private static OdpEvent event(int n) {
    return OdpEvent.builder("product", "add_to_cart")
        .identifier("email", "user" + n + "@example.com")
        .data("product_id", "p" + n)
        .idempotenceId("id-" + n)
        .build();
  }

  private static List<OdpEvent> events(int count) {
    List<OdpEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(event(i));
    }
    return out;
  }

  @Test
  void sendsEventsAsOneJsonArrayWithKeyAndContentType() throws Exception {
    server.enqueue(accepted());
    OdpEvent e =
        OdpEvent.builder("product", "add_to_cart")
            .identifier("email", "tyler@optimizely.com")
            .data("product_id", "123")
            .data("price", 9.5)
            .data("qty", 2)
            .data("gift", true)
            .data("note", null)
            .ts(Instant.ofEpochSecond(1454033935))
            .idempotenceId("fixed-id")
            .build();

    BatchResult result = t.client().events().send(List.of(e));

    assertThat(result.allAccepted()).isTrue();
    assertThat(result.requestCount()).isEqualTo(1);
    RecordedRequest r = t.take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/v3/events");
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(TestSupport.KEY);
    assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(r.getBody().utf8())
        .isEqualTo(
            "[{\"type\":\"product\",\"action\":\"add_to_cart\","
                + "\"identifiers\":{\"email\":\"tyler@optimizely.com\"},"
                + "\"data\":{\"product_id\":\"123\",\"price\":9.5,\"qty\":2,\"gift\":true,"
                + "\"note\":null,\"ts\":1454033935,\"idempotence_id\":\"fixed-id\"}}]");
  }

  @Test
  void encodedEventsAreSentAsTheSameRequestsAsEvents() throws Exception {
    server.enqueue(accepted());
    server.enqueue(accepted());
    List<OdpEvent> events = events(3);
    List<byte[]> rows = new ArrayList<>();
    for (OdpEvent e : events) {
      rows.add(t.client().events().encode(e));
    }

    BatchResult encoded = t.client().events().sendEncoded(rows);
    BatchResult plain = t.client().events().send(events);

    assertThat(encoded.allAccepted()).isTrue();
    assertThat(encoded.size()).isEqualTo(3);
    assertThat(plain.allAccepted()).isTrue();
    assertThat(t.take().getBody().utf8()).isEqualTo(t.take().getBody().utf8());
  }

  @Test
  void sendEncodedRefusesWhatEncodeDidNotWrite() {
    byte[] good = t.client().events().encode(event(1));
    assertThatThrownBy(
            () ->
                t.client()
                    .events()
                    .sendEncoded(List.of(good, "{\"v\":1}".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("events[1]: not an encoded event");
    assertThatThrownBy(() -> t.client().events().sendEncoded(Arrays.asList(good, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("events[1]: must not be null");
    assertThatThrownBy(
            () ->
                t.client()
                    .events()
                    .encode(OdpEvent.builder("product", "x").idempotenceId("i").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identifiers");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void generatesIdempotenceIdOnceAndKeepsOneGivenInData() {
    OdpEvent generated = OdpEvent.builder("t", "a").identifier("email", "x@y.z").build();
    assertThat(generated.idempotenceId()).matches("[0-9a-f-]{36}");
    OdpEvent fromData =
        OdpEvent.builder("t", "a")
            .identifier("email", "x@y.z")
            .data("idempotence_id", "mine")
            .build();
    assertThat(fromData.idempotenceId()).isEqualTo("mine");
  }

  @Test
  void splitsBatchesByItemCap() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(accepted());
    }
    OdpClient client =
        t.builder().batching(BatchSettings.builder().maxItems(2).maxInFlight(1).build()).build();

    BatchResult result = client.events().send(events(5));

    assertThat(result.requestCount()).isEqualTo(3);
    assertThat(result.allAccepted()).isTrue();
    assertThat(t.take().getBody().utf8()).contains("id-0", "id-1").doesNotContain("id-2");
    assertThat(t.take().getBody().utf8()).contains("id-2", "id-3").doesNotContain("id-4");
    assertThat(t.take().getBody().utf8()).contains("id-4").startsWith("[{").endsWith("}]");
  }

  @Test
  void splitsBatchesByByteCap() throws Exception {
    int rowSize = encodedSize(event(0));
    // Room for two rows, a comma and brackets, not three.
    long cap = Math.max(1024, 2L * rowSize + 3);
    List<OdpEvent> big = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      big.add(
          OdpEvent.builder("product", "view")
              .identifier("email", "u@example.com")
              .data("blob", "x".repeat((int) (cap / 2) - 150))
              .idempotenceId("b" + i)
              .build());
    }
    for (int i = 0; i < 4; i++) {
      server.enqueue(accepted());
    }
    OdpClient client = t.builder().batching(BatchSettings.builder().maxBytes(cap).build()).build();

    BatchResult result = client.events().send(big);

    assertThat(result.requestCount()).isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      assertThat(t.take().getBodySize()).isLessThanOrEqualTo(cap);
    }
  }

  private static int encodedSize(OdpEvent e) {
    return new RowEncoder(BatchSettings.defaults(), 1 << 20).event(0, e).length;
  }

  @Test
  void partial400MapsInvalidsToInputRowsAcrossBatches() throws Exception {
    server.enqueue(accepted());
    server.enqueue(
        json(
            400,
            "{\"title\":\"Bad Request\",\"status\":400,\"timestamp\":\"2018-09-10T21:07:10-05:00\","
                + "\"detail\":{\"invalids\":[{\"event\":1,\"message\":\"bad email\"}]}}"));
    server.enqueue(
        json(
            400,
            "{\"title\":\"Bad Request\",\"status\":400,"
                + "\"detail\":{\"invalids\":[{\"event\":0,\"message\":\"bad type\"},"
                + "{\"event\":1,\"message\":\"bad ts\"}]}}"));
    OdpClient client =
        t.builder().batching(BatchSettings.builder().maxItems(3).maxInFlight(1).build()).build();

    BatchResult result = client.events().send(events(8));

    assertThat(result.requestCount()).isEqualTo(3);
    assertThat(result.errors())
        .containsExactly(
            new RowError(4, null, "bad email", 400),
            new RowError(6, null, "bad type", 400),
            new RowError(7, null, "bad ts", 400));
    assertThat(result.indexes(RowStatus.ACCEPTED)).containsExactly(0, 1, 2);
    assertThat(result.indexes(RowStatus.REJECTED)).containsExactly(4, 6, 7);
    assertThat(result.indexes(RowStatus.UNCONFIRMED)).containsExactly(3, 5);
    assertThat(result.allAccepted()).isFalse();
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void a400WithoutRowIndexesIsSplitUntilEachRowIsRefusedOnItsOwn() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(
          json(
              400,
              "{\"title\":\"Bad Request\",\"status\":400,\"detail\":{\"message\":\"malformed\"}}"));
    }

    BatchResult result = t.client().events().send(events(2));

    assertThat(result.indexes(RowStatus.REJECTED)).containsExactly(0, 1);
    assertThat(result.errors())
        .containsExactly(
            new RowError(0, null, "malformed", 400), new RowError(1, null, "malformed", 400));
    assertThat(result.requestCount()).isEqualTo(3);
  }

  @Test
  void aHardFailureCarriesThePartialResult() {
    server.enqueue(accepted());
    server.enqueue(json(401, "{\"message\":\"Unauthorized\"}"));
    OdpClient client =
        t.builder().batching(BatchSettings.builder().maxItems(2).maxInFlight(1).build()).build();

    assertThatThrownBy(() -> client.events().send(events(6)))
        .isInstanceOfSatisfying(
            OdpAuthException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.getMessage())
                  .contains("events", "POST /v3/events", "401", "Unauthorized")
                  .doesNotContain(TestSupport.KEY);
              BatchResult partial = e.partialResult().orElseThrow();
              assertThat(partial.indexes(RowStatus.ACCEPTED)).containsExactly(0, 1);
              assertThat(partial.indexes(RowStatus.UNCONFIRMED)).containsExactly(2, 3);
              assertThat(partial.indexes(RowStatus.NOT_SENT)).containsExactly(4, 5);
            });
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void emptyInputSendsNothing() {
    BatchResult result = t.client().events().send(List.of());
    assertThat(result.size()).isZero();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void badInputFailsBeforeAnyRequestNamingRowAndField() {
    OdpClient client = t.client();
    OdpEvent good = event(0);
    assertRejected(client, Arrays.asList(good, null), "events[1]: must not be null");
    assertRejected(
        client,
        List.of(good, good, good, OdpEvent.builder("product", "view").build()),
        "events[3].identifiers: at least one identifier is required");
    assertRejected(
        client,
        List.of(OdpEvent.builder(" ", "view").identifier("email", "a@b.c").build()),
        "events[0].type: must not be blank");
    assertRejected(
        client,
        List.of(OdpEvent.builder("product", "").identifier("email", "a@b.c").build()),
        "events[0].action: must not be blank");
    assertRejected(
        client,
        List.of(OdpEvent.builder("product", "view").identifier("Email", "a@b.c").build()),
        "events[0].identifiers: invalid name \"Email\"");
    assertRejected(
        client,
        List.of(OdpEvent.builder("product", "view").identifier("email", "").build()),
        "events[0].identifiers.email: must not be blank");
    assertRejected(
        client,
        List.of(
            OdpEvent.builder("product", "view")
                .identifier("email", "a@b.c")
                .data("note", "x".repeat(1025))
                .build()),
        "events[0].data.note: text of 1025 characters exceeds ODP's 1024-character limit");
    assertRejected(
        client,
        List.of(
            OdpEvent.builder("product", "view")
                .identifier("email", "a@b.c")
                .data("product-id", "1")
                .build()),
        "events[0].data: invalid name \"product-id\"");
    assertRejected(
        client,
        List.of(
            OdpEvent.builder("product", "view")
                .identifier("email", "a@b.c")
                .data("cart", Map.of("id", 1))
                .build()),
        "events[0].data.cart: nested objects and arrays are not allowed");
    assertRejected(
        client,
        List.of(
            OdpEvent.builder("product", "view")
                .identifier("email", "a@b.c")
                .data("when", new Object())
                .build()),
        "events[0].data.when: unsupported type java.lang.Object");
    assertRejected(
        client,
        List.of(
            OdpEvent.builder("product", "view")
                .identifier("email", "a@b.c")
                .data("score", Double.NaN)
                .build()),
        "events[0].data.score: NaN is not a JSON number");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void aLargeCallEncodedOnSeveralThreadsNamesTheFirstBadRowAndSendsNothing() {
    List<OdpEvent> events = new ArrayList<>();
    for (int i = 0; i < 8 * BatchSender.ENCODE_CHUNK; i++) {
      events.add(event(i));
    }
    // Bad rows in the third and the seventh chunk; the first one in row order is named.
    events.set(7 * BatchSender.ENCODE_CHUNK - 3, null);
    events.set(2 * BatchSender.ENCODE_CHUNK + 100, null);

    assertRejected(t.client(), events, "events[" + (2 * BatchSender.ENCODE_CHUNK + 100) + "]");
    assertThat(server.getRequestCount()).isZero();
  }

  private static void assertRejected(OdpClient client, List<OdpEvent> events, String message) {
    assertThatThrownBy(() -> client.events().send(events))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void nestedDataIsFlattenedWhenAskedAndActionMayBeOptional() throws Exception {
    server.enqueue(accepted());
    OdpClient client =
        t.builder()
            .batching(
                BatchSettings.builder()
                    .nestedData(NestedDataPolicy.FLATTEN)
                    .requireAction(false)
                    .build())
            .build();
    Map<String, Object> cart = new LinkedHashMap<>();
    cart.put("id", 7);
    cart.put("skus", List.of("a", "b"));

    client
        .events()
        .send(
            List.of(
                OdpEvent.builder("pageview", null)
                    .identifier("vuid", "v1")
                    .data("cart", cart)
                    .idempotenceId("i")
                    .build()));

    assertThat(t.take().getBody().utf8())
        .isEqualTo(
            "[{\"type\":\"pageview\",\"identifiers\":{\"vuid\":\"v1\"},"
                + "\"data\":{\"cart_id\":7,\"cart_skus_0\":\"a\",\"cart_skus_1\":\"b\","
                + "\"idempotence_id\":\"i\"}}]");
  }
}
