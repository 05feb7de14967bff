package io.github.brazeodp.braze;

import static io.github.brazeodp.braze.TestSupport.fixture;
import static io.github.brazeodp.braze.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class UsersServiceTest {
  @StartStop final MockWebServer server = new MockWebServer();

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(TestSupport.START);
  private final TestSupport.RecordingSleeper sleeper = new TestSupport.RecordingSleeper(clock);

  private BrazeClient client() {
    return TestSupport.client(server, clock, sleeper).build();
  }

  private static MockResponse reply(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  @Test
  void trackWritesTheDocumentedBodyWithAuthAndContentType() throws Exception {
    server.enqueue(reply(201, fixture("braze/observed/users_track_response_1.json")));
    UserIdentifier email = UserIdentifier.email("test@braze.com");
    Map<String, Object> release = new LinkedHashMap<>();
    release.put("studio", "FilmStudio");
    release.put("year", "2022");
    TrackRequest request =
        TrackRequest.builder()
            .attributes(
                UserAttributes.builder(email)
                    .set("string_attribute", "fruit")
                    .set("boolean_attribute_1", true)
                    .set("integer_attribute", 26)
                    .set("array_attribute", List.of("banana", "apple"))
                    .build())
            .event(
                new TrackEvent(
                    email,
                    "rented_movie",
                    OffsetDateTime.parse("2022-12-06T19:20:45+01:00"),
                    "your_app_identifier",
                    Map.of(
                        "release",
                        release,
                        "cast",
                        List.of(Map.of("name", "Actor1"), Map.of("name", "Actor2"))),
                    null))
            .event(
                new TrackEvent(
                    UserIdentifier.alias("device123", "my_device_identifier"),
                    "rented_movie",
                    OffsetDateTime.parse("2013-07-16T19:20:50+01:00"),
                    "your_app_identifier",
                    null,
                    null))
            .purchase(
                new TrackPurchase(
                    email,
                    "product_name",
                    "USD",
                    new BigDecimal("12.12"),
                    6,
                    OffsetDateTime.parse("2017-05-12T18:47:12Z"),
                    "your_app_identifier",
                    orderedProps(),
                    null))
            .build();

    TrackResponse response;
    try (BrazeClient braze = client()) {
      response = braze.users().track(request);
    }

    assertThat(response.eventsProcessed()).isEqualTo(2);
    assertThat(response.purchasesProcessed()).isEqualTo(1);
    assertThat(response.fullySucceeded()).isTrue();
    RecordedRequest recorded = server.takeRequest();
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getTarget()).isEqualTo("/users/track");
    assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer test-key-123");
    assertThat(recorded.getHeaders().get("Content-Type")).startsWith("application/json");
    Object sent = json(recorded.getBody().utf8());
    Object expected = json(fixture("braze/users_track_request_1.json"));
    assertThat(sent).isEqualTo(expected);
  }

  private static Map<String, Object> orderedProps() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("color", "red");
    p.put("monogram", "ABC");
    p.put("checkout_duration", 180);
    p.put("size", "Large");
    p.put("brand", "Backpack Locker");
    return p;
  }

  @Test
  void explicitNullUnsetsAndOperationsAreWritten() throws Exception {
    server.enqueue(reply(201, "{\"message\":\"success\",\"attributes_processed\":1}"));
    TrackRequest request =
        TrackRequest.builder()
            .attributes(
                UserAttributes.builder(UserIdentifier.externalId("u1"))
                    .unset("nickname")
                    .increment("visits", 2)
                    .addToArray("pets", "cat")
                    .removeFromArray("pets", "dog")
                    .updateExistingOnly(true)
                    .build())
            .build();
    try (BrazeClient braze = client()) {
      braze.users().track(request);
    }
    String body = server.takeRequest().getBody().utf8();
    assertThat(json(body))
        .isEqualTo(
            json(
                "{\"attributes\":[{\"external_id\":\"u1\",\"_update_existing_only\":true,"
                    + "\"nickname\":null,\"visits\":{\"inc\":2},\"pets\":{\"remove\":[\"dog\"]}}]}"));
    assertThat(body).contains("\"nickname\":null");
  }

  @Test
  void partialSuccessErrorsComeBackAsData() {
    server.enqueue(reply(201, fixture("braze/observed/users_track_response_2.json")));
    TrackRequest request =
        TrackRequest.builder()
            .event(TrackEvent.of(UserIdentifier.externalId("a"), "e", TestSupport.START))
            .build();
    try (BrazeClient braze = client()) {
      TrackResponse response = braze.users().track(request);
      assertThat(response.fullySucceeded()).isFalse();
      assertThat(response.errors())
          .extracting(BrazeError::inputArray, BrazeError::index)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("events", 1),
              org.assertj.core.groups.Tuple.tuple("purchases", 0));
    }
  }

  @Test
  void trackAllSplitsAndMapsRowErrorsToCallerIndexes() throws Exception {
    // 120 attributes under "50 combined": chunks of 50, 50, 20; Braze rejects row 3 of chunk 2.
    server.enqueue(reply(201, "{\"message\":\"success\"}"));
    server.enqueue(
        reply(
            201,
            "{\"message\":\"success\",\"errors\":[{\"type\":\"The value provided for the 'email'"
                + " field is not a valid email.\",\"input_array\":\"attributes\",\"index\":3}]}"));
    server.enqueue(reply(201, "{\"message\":\"success\"}"));
    TrackRequest.Builder b = TrackRequest.builder();
    for (int i = 0; i < 120; i++) {
      b.attributes(UserAttributes.builder(UserIdentifier.externalId("u" + i)).set("n", i).build());
    }
    TrackBatchResult result;
    try (BrazeClient braze = client()) {
      result = braze.users().trackAll(b.build());
    }
    assertThat(result.requests()).isEqualTo(3);
    assertThat(result.accepted()).isEqualTo(119);
    assertThat(result.rejected())
        .containsExactly(
            new TrackBatcher.RowError(
                "attributes",
                53,
                "The value provided for the 'email' field is not a valid email."));
    assertThat(server.takeRequest().getBody().utf8()).contains("\"u0\"").contains("\"u49\"");
    assertThat(server.takeRequest().getBody().utf8()).contains("\"u50\"").contains("\"u99\"");
    assertThat(server.takeRequest().getBody().utf8()).contains("\"u119\"");
  }

  @Test
  void trackAllReportsAFatallyRejectedChunkAndCarriesOn() {
    server.enqueue(reply(400, fixture("braze/observed/users_track_response_4.json")));
    server.enqueue(reply(201, "{\"message\":\"success\"}"));
    TrackRequest.Builder b = TrackRequest.builder();
    for (int i = 0; i < 60; i++) {
      b.attributes(UserAttributes.builder(UserIdentifier.externalId("u" + i)).build());
    }
    try (BrazeClient braze = client()) {
      TrackBatchResult result = braze.users().trackAll(b.build());
      assertThat(result.failures()).hasSize(1);
      assertThat(result.failures().get(0).error()).isInstanceOf(BrazeBadRequestException.class);
      assertThat(result.rejected()).hasSize(50);
      assertThat(result.accepted()).isEqualTo(10);
    }
  }

  @Test
  void batcherHonoursEachLimitModel() {
    TrackRequest.Builder b = TrackRequest.builder();
    for (int i = 0; i < 80; i++) {
      UserIdentifier id = UserIdentifier.externalId("u" + i);
      b.attributes(UserAttributes.builder(id).build());
      b.event(TrackEvent.of(id, "e", TestSupport.START));
    }
    TrackRequest request = b.build();
    assertThat(new TrackBatcher(TrackLimit.LEGACY_75_PER_ARRAY).split(request))
        .extracting(c -> c.request().objectCount())
        .containsExactly(150, 10);
    assertThat(new TrackBatcher(TrackLimit.COMBINED_75).split(request))
        .extracting(c -> c.request().objectCount())
        .containsExactly(75, 75, 10);
    List<TrackBatcher.Chunk> fifty = new TrackBatcher(TrackLimit.COMBINED_50).split(request);
    assertThat(fifty).extracting(c -> c.request().objectCount()).containsExactly(50, 50, 50, 10);
    // Chunk 1 holds attributes 50..79 and events 0..19: its event 5 is the caller's event 5.
    TrackBatcher.Chunk second = fifty.get(1);
    assertThat(second.toCallerRow(new BrazeError("bad", "events", 5)).index()).isEqualTo(5);
    assertThat(second.toCallerRow(new BrazeError("bad", "attributes", 2)).index()).isEqualTo(52);
  }

  @Test
  void trackRefusesOversizedOrEmptyRequestsBeforeSending() {
    TrackRequest.Builder b = TrackRequest.builder();
    for (int i = 0; i < 51; i++) {
      b.attributes(UserAttributes.builder(UserIdentifier.externalId("u" + i)).build());
    }
    try (BrazeClient braze = client()) {
      assertThatThrownBy(() -> braze.users().track(b.build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("51 attributes")
          .hasMessageContaining("trackAll");
      assertThatThrownBy(() -> braze.users().track(TrackRequest.builder().build()))
          .hasMessageContaining("nothing to send");
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void badObjectsFailNamingTheField() {
    UserIdentifier id = UserIdentifier.externalId("u");
    assertThatThrownBy(() -> UserIdentifier.externalId(" "))
        .hasMessageContaining("external_id must not be blank");
    assertThatThrownBy(() -> new TrackEvent(id, "opened", null, null, null, null))
        .hasMessageContaining("event \"opened\": time is required");
    assertThatThrownBy(
            () ->
                new TrackPurchase(
                    id,
                    "sku",
                    null,
                    BigDecimal.ONE,
                    1,
                    OffsetDateTime.parse("2026-11-29T10:00:00Z"),
                    null,
                    null,
                    null))
        .hasMessageContaining("purchase \"sku\": currency is required");
    assertThatThrownBy(
            () ->
                new TrackPurchase(
                    id,
                    "sku",
                    "usd",
                    BigDecimal.ONE,
                    1,
                    OffsetDateTime.parse("2026-11-29T10:00:00Z"),
                    null,
                    null,
                    null))
        .hasMessageContaining("\"usd\"");
    assertThatThrownBy(
            () -> TrackEvent.of(id, "e", TestSupport.START).withProperties(Map.of("$bad", 1)))
        .hasMessageContaining("$bad");
    assertThatThrownBy(() -> UserAttributes.builder(id).set("when", new Object()))
        .hasMessageContaining("attribute \"when\" has unsupported type");
    List<UserAttributes> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> new TrackRequest(withNull, null, null))
        .hasMessage("attributes[0] is null");
  }

  @Test
  void exportIdsSendsTheDocumentedBodyAndValidatesTheCap() throws Exception {
    server.enqueue(
        reply(
            201,
            "{\"message\":\"success\",\"users\":["
                + fixture("braze/users_export_ids_response_1.json")
                + "],\"invalid_user_ids\":[\"nobody\"]}"));
    ExportIdsRequest request =
        new ExportIdsRequest(
            List.of("user_identifier1", "user_identifier2"),
            List.of(new UserAlias("example_alias", "example_label")),
            "1234567",
            "braze_identifier",
            null,
            null,
            List.of("first_name", "email", "purchases"));
    try (BrazeClient braze = client()) {
      ExportIdsResponse response = braze.users().exportIds(request);
      assertThat(response.users()).hasSize(1);
      assertThat(response.users().get(0).email()).isEqualTo("example@braze.com");
      assertThat(response.invalidUserIds()).containsExactly("nobody");
    }
    RecordedRequest recorded = server.takeRequest();
    assertThat(recorded.getTarget()).isEqualTo("/users/export/ids");
    assertThat(json(recorded.getBody().utf8()))
        .isEqualTo(
            json(
                "{\"external_ids\":[\"user_identifier1\",\"user_identifier2\"],"
                    + "\"user_aliases\":[{\"alias_name\":\"example_alias\","
                    + "\"alias_label\":\"example_label\"}],\"device_id\":\"1234567\","
                    + "\"braze_id\":\"braze_identifier\","
                    + "\"fields_to_export\":[\"first_name\",\"email\",\"purchases\"]}"));

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      ids.add("id" + i);
    }
    assertThatThrownBy(() -> ExportIdsRequest.externalIds(ids, List.of("email")))
        .hasMessageContaining("51 ids")
        .hasMessageContaining("limit of 50");
  }
}
