package io.github.brazeodp.sync.currents;

import static io.github.brazeodp.sync.currents.CurrentsTestSupport.NOW;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.event;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.squareup.moshi.Moshi;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.state.IdentityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CurrentsTransformerTest {
  private static final String BRAZE_ID = "639a35d192b0df004d06514c";

  /** The docs templates whose values are field descriptions, not sample values (INDEX.md). */
  private static final Set<String> TEMPLATES =
      Set.of("users.UserDeleteRequest.json", "users.UserOrphan.json", "users.profile.Update.json");

  private static final Set<String> EMAIL_FIELDS = Set.of("email_address");
  private static final List<String> PHONE_FIELDS =
      List.of("to_phone_number", "user_phone_number", "phone_number");

  static Stream<Path> httpFixtures() {
    return CurrentsTestSupport.httpFixtures().stream();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) throws IOException {
    return (Map<String, Object>) new Moshi.Builder().build().adapter(Object.class).fromJson(json);
  }

  /** Each fixture file: action, ts, idempotence id, identifiers and every field in data. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("httpFixtures")
  void transformsFixture(Path file) throws IOException {
    String fileName = file.getFileName().toString();
    String json = read(file);
    Map<String, Object> raw = parse(json);
    String eventType = fileName.substring(0, fileName.length() - ".json".length());

    if (raw.get("time") instanceof String) {
      // Only Braze's docs templates carry a description where the number goes: refused clearly,
      // then transformed for shape once time holds a number.
      assertThat(TEMPLATES).contains(fileName);
      assertThatThrownBy(() -> CurrentsTransformer.builder().build().transform(json))
          .isInstanceOf(InvalidCurrentsEventException.class)
          .hasMessageContaining("time: must be a number of epoch seconds, was \"(required, int)")
          .extracting(e -> ((InvalidCurrentsEventException) e).field())
          .isEqualTo("time");
      raw.put("time", 2033802504.0);
      raw.put("event_type", eventType);
      raw.put("id", "template-" + eventType);
    } else {
      assertThat(TEMPLATES).doesNotContain(fileName);
      assertThat(raw.get("event_type")).isEqualTo(eventType);
    }

    Map<String, Object> user = section(raw, "user");
    Map<String, Object> properties = section(raw, "properties");

    // Without an identity map: only the event's own email and phone fields identify it.
    TransformedEvent alone = CurrentsTransformer.builder().build().transform(raw);
    OdpEvent e = alone.event();
    assertThat(e.type()).isEqualTo("braze");
    String expectedAction =
        (eventType.startsWith("users.") ? eventType.substring(6) : eventType)
            .replace('.', '_')
            .toLowerCase(java.util.Locale.ROOT);
    assertThat(e.action())
        .isEqualTo(expectedAction)
        .matches("[a-z0-9_]+")
        .doesNotStartWith("users");
    long time = ((Number) raw.get("time")).longValue();
    assertThat(e.ts()).isEqualTo(Instant.ofEpochSecond(time));
    assertThat(e.idempotenceId()).isEqualTo(raw.get("id")).isEqualTo(alone.currentsId());
    assertThat(alone.eventType()).isEqualTo(eventType);

    String email = firstText(properties, EMAIL_FIELDS.stream().toList());
    String phone = firstText(properties, PHONE_FIELDS);
    Map<String, String> expectedOwn = new java.util.LinkedHashMap<>();
    if (email != null) {
      expectedOwn.put("email", email);
    }
    if (phone != null) {
      expectedOwn.put("phone", phone);
    }
    assertThat(e.identifiers()).containsExactlyEntriesOf(expectedOwn);
    assertThat(alone.matched()).isEqualTo(!expectedOwn.isEmpty());

    // Every field of user and properties is in data under the prefix, flattened.
    assertThat(e.data()).containsEntry("_braze_id", raw.get("id"));
    assertThat(e.data()).containsEntry("_braze_event_type", eventType);
    assertThat(e.data()).doesNotContainKeys("_braze_time", "_braze_user", "_braze_properties");
    for (Map<String, Object> section : List.of(user, properties)) {
      for (Map.Entry<String, Object> f : section.entrySet()) {
        assertFlattened("_braze_" + f.getKey(), f.getValue(), e.data());
      }
    }
    for (Map.Entry<String, Object> d : e.data().entrySet()) {
      assertThat(d.getKey()).matches("_braze_[a-z0-9_]+");
      assertThat(d.getValue())
          .satisfiesAnyOf(
              v -> assertThat(v).isNull(),
              v -> assertThat(v).isInstanceOf(String.class),
              v -> assertThat(v).isInstanceOf(Number.class),
              v -> assertThat(v).isInstanceOf(Boolean.class));
      if (d.getValue() instanceof String s) {
        assertThat(s.length()).isLessThanOrEqualTo(1024);
      }
    }

    // With the identity map and a custom identifier for the external id: the event's own fields
    // first, then the custom identifier, then what the map knows.
    try (SyncStateStore store = SyncStateStore.inMemory()) {
      String brazeId = (String) user.get("user_id");
      if (brazeId != null) {
        store.putIdentities(
            List.of(
                new IdentityRecord(
                    brazeId,
                    null,
                    Map.of("email", "mapped@example.com", "phone", "+15550000000"),
                    NOW)));
      }
      TransformedEvent mapped =
          CurrentsTransformer.builder()
              .identity(IdentityRule.defaults().withExternalIdAs("braze_external_id"))
              .identityMap(store)
              .build()
              .transform(raw);
      Map<String, String> expected = new java.util.LinkedHashMap<>(expectedOwn);
      Object externalId = user.get("external_user_id");
      if (externalId instanceof String s) {
        expected.put("braze_external_id", s);
      }
      if (brazeId != null) {
        expected.putIfAbsent("email", "mapped@example.com");
        expected.putIfAbsent("phone", "+15550000000");
      }
      assertThat(mapped.event().identifiers()).containsExactlyEntriesOf(expected);
      assertThat(mapped.matched()).isEqualTo(!expected.isEmpty());
      assertThat(mapped.event().data()).isEqualTo(e.data());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> raw, String name) {
    Object v = raw.get(name);
    return v == null ? Map.of() : (Map<String, Object>) v;
  }

  private static String firstText(Map<String, Object> properties, List<String> names) {
    for (String n : names) {
      if (properties.get(n) instanceof String s && !s.isBlank()) {
        return s.strip();
      }
    }
    return null;
  }

  private static void assertFlattened(String name, Object value, Map<String, Object> data) {
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> child : map.entrySet()) {
        String key = (String) child.getKey();
        // The fixtures' custom and purchase properties are camelCase: listProperty etc.
        String snake =
            key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        assertFlattened(name + "_" + snake, child.getValue(), data);
      }
    } else if (value instanceof List<?> list) {
      assertThat(data).containsKey(name);
      assertThat((String) data.get(name)).startsWith("[").endsWith("]");
      for (Object item : list) {
        assertThat((String) data.get(name)).contains("\"" + item + "\"");
      }
    } else if (value instanceof Number n) {
      assertThat(data).containsKey(name);
      assertThat(((Number) data.get(name)).doubleValue()).isEqualTo(n.doubleValue());
    } else {
      assertThat(data).containsEntry(name, value);
    }
  }

  @Test
  void customAndPurchasePropertiesAreFlattenedWithSnakeCaseNames() {
    Path file = CurrentsTestSupport.fixtures("http").resolve("users.behaviors.Purchase.json");
    OdpEvent e = CurrentsTransformer.builder().build().transform(read(file)).event();
    assertThat(e.action()).isEqualTo("behaviors_purchase");
    assertThat(e.data())
        .contains(
            entry("_braze_purchase_properties_list_property", "[\"a\"]"),
            entry("_braze_purchase_properties_number_property", 1L),
            entry("_braze_purchase_properties_string_property", "properties"),
            entry("_braze_price", 3.14),
            entry("_braze_currency", "USD"),
            entry("_braze_user_id", BRAZE_ID),
            entry("_braze_external_user_id", "external_user_id"));

    Path custom = CurrentsTestSupport.fixtures("http").resolve("users.behaviors.CustomEvent.json");
    OdpEvent c =
        CurrentsTransformer.builder().prefix("braze_").build().transform(read(custom)).event();
    assertThat(c.data())
        .containsEntry("braze_custom_properties_list_property", "[\"a\"]")
        .containsEntry("braze_name", "name")
        .containsEntry("braze_id", "f47ac10b-58cc-4372-a567-0e02b2c3d479");
  }

  @Test
  void actionNaming() {
    assertThat(CurrentsTransformer.action("users.messages.email.Open"))
        .isEqualTo("messages_email_open");
    assertThat(CurrentsTransformer.action("agentconsole.AgentExecuted"))
        .isEqualTo("agentconsole_agentexecuted");
    assertThat(CurrentsTransformer.action("users.canvas.exit.MatchedAudience"))
        .isEqualTo("canvas_exit_matchedaudience");
    assertThat(CurrentsTransformer.action("usersx.Thing")).isEqualTo("usersx_thing");
  }

  @Test
  void unknownFutureEventTypesAndFieldsAreForwardedTheSameWay() {
    String json =
        "{\"event_type\":\"users.messages.hologram.Beam\",\"id\":\"e1\",\"time\":1700000000,"
            + "\"user\":{\"user_id\":\"b1\"},\"properties\":{\"email_address\":\"a@example.com\","
            + "\"Beam Strength\":7,\"nested\":{\"deeper\":{\"x\":true}},\"dots.and-dashes\":null},"
            + "\"schema_version\":12}";
    TransformedEvent t = CurrentsTransformer.builder().build().transform(json);
    assertThat(t.event().action()).isEqualTo("messages_hologram_beam");
    assertThat(t.event().data())
        .containsEntry("_braze_beam_strength", 7L)
        .containsEntry("_braze_nested_deeper_x", true)
        .containsEntry("_braze_dots_and_dashes", null)
        .containsEntry("_braze_schema_version", 12L);
  }

  @Test
  void senderNumbersAreNeverIdentifiers() {
    String sms =
        event(
            "s1",
            "users.messages.sms.Delivery",
            "\"from_phone_number\":\"+15550001111\",\"inbound_phone_number\":\"+15550002222\"");
    TransformedEvent t = CurrentsTransformer.builder().build().transform(sms);
    assertThat(t.matched()).isFalse();
    assertThat(t.event().identifiers()).isEmpty();
    assertThat(t.event().data()).containsEntry("_braze_from_phone_number", "+15550001111");

    String inbound =
        event(
            "s2",
            "users.messages.sms.InboundReceive",
            "\"inbound_phone_number\":\"+15550002222\",\"user_phone_number\":\"+15553334444\"");
    assertThat(CurrentsTransformer.builder().build().transform(inbound).event().identifiers())
        .containsExactly(entry("phone", "+15553334444"));
  }

  @Test
  void identityMapFallsBackToExternalIdWhenBrazeIdIsUnknown() {
    try (SyncStateStore store = SyncStateStore.inMemory()) {
      store.putIdentities(
          List.of(
              new IdentityRecord(
                  "other-braze-id", "ext-7", Map.of("email", "x@example.com"), NOW)));
      String json =
          "{\"event_type\":\"users.behaviors.app.SessionStart\",\"id\":\"e2\",\"time\":1,"
              + "\"user\":{\"user_id\":\"unknown\",\"external_user_id\":\"ext-7\"},\"properties\":{}}";
      TransformedEvent t = CurrentsTransformer.builder().identityMap(store).build().transform(json);
      assertThat(t.event().identifiers()).containsExactly(entry("email", "x@example.com"));
    }
  }

  @Test
  void longTextIsTruncatedToOdpLimitAndNoted() {
    String longText = "é".repeat(1500);
    TransformedEvent t =
        CurrentsTransformer.builder()
            .build()
            .transform(event("t1", "users.messages.email.Click", "\"url\":\"" + longText + "\""));
    assertThat((String) t.event().data().get("_braze_url")).hasSize(1024);
    assertThat(t.notes()).containsExactly("truncated _braze_url from 1500 to 1024 characters");
    assertThat(t.truncatedFields()).isEqualTo(1);
  }

  @Test
  void truncationNeverSplitsASurrogatePair() {
    String text = "a".repeat(1023) + "😀" + "b";
    TransformedEvent t =
        CurrentsTransformer.builder()
            .build()
            .transform(event("t2", "x.Y", "\"v\":\"" + text + "\""));
    assertThat((String) t.event().data().get("_braze_v")).isEqualTo("a".repeat(1023));
  }

  @Test
  void clashingNamesGetASuffixAndANote() {
    TransformedEvent t =
        CurrentsTransformer.builder()
            .build()
            .transform(event("c1", "x.Y", "\"listProperty\":1,\"list_property\":2"));
    assertThat(t.event().data())
        .containsEntry("_braze_list_property", 1L)
        .containsEntry("_braze_list_property_2", 2L);
    assertThat(t.notes())
        .containsExactly("renamed a second _braze_list_property to _braze_list_property_2");
  }

  @Test
  void namesAndActionsAreTheSameOnEveryUseOfOneTransformerAlsoPastItsNameCache() {
    // One transformer keeps the names it built; more distinct names than it keeps (hostile posts)
    // are built each time, with the same result.
    CurrentsTransformer t = CurrentsTransformer.builder().prefix("braze_").build();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 5_000; i += 997) {
        StringBuilder fields = new StringBuilder();
        for (int k = i; k < i + 997; k++) {
          fields.append(k == i ? "" : ",").append("\"fieldName").append(k).append("\":").append(k);
        }
        TransformedEvent e =
            t.transform(event("n" + i, "users.Custom.Type" + i, fields.toString()));
        assertThat(e.event().action()).isEqualTo("custom_type" + i);
        assertThat(e.event().data())
            .containsEntry("braze_field_name" + i, (long) i)
            .containsEntry("braze_field_name" + (i + 996), (long) (i + 996))
            .containsEntry("braze_user_id", "b-n" + i);
      }
    }
  }

  @Test
  void integerTimesAtTheBoundsAreReadAndBeyondThemRefused() {
    CurrentsTransformer t = CurrentsTransformer.builder().build();
    assertThat(t.transform("{\"event_type\":\"x.Y\",\"id\":\"a\",\"time\":0}").event().ts())
        .isEqualTo(Instant.EPOCH);
    assertThat(
            t.transform("{\"event_type\":\"x.Y\",\"id\":\"b\",\"time\":253402300799}").event().ts())
        .isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
    assertThatThrownBy(
            () -> t.transform("{\"event_type\":\"x.Y\",\"id\":\"c\",\"time\":253402300800}"))
        .isInstanceOf(InvalidCurrentsEventException.class)
        .hasMessageContaining("time")
        .hasMessageContaining("253402300800");
    assertThatThrownBy(() -> t.transform("{\"event_type\":\"x.Y\",\"id\":\"d\",\"time\":-1}"))
        .isInstanceOf(InvalidCurrentsEventException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void fractionalTimeKeepsSubSeconds() {
    String json = "{\"event_type\":\"x.Y\",\"id\":\"f\",\"time\":1700000000.25}";
    assertThat(CurrentsTransformer.builder().build().transform(json).event().ts())
        .isEqualTo(Instant.parse("2023-11-14T22:13:20.250Z"));
  }

  @Test
  void wrongTypesAndMissingFieldsAreRefusedNamingTheField() {
    CurrentsTransformer t = CurrentsTransformer.builder().build();
    assertThatThrownBy(() -> t.transform("{\"event_type\":\"x.Y\",\"time\":1}"))
        .isInstanceOf(InvalidCurrentsEventException.class)
        .hasMessage("event.id: required, missing");
    assertThatThrownBy(() -> t.transform("{\"id\":\"a\",\"event_type\":7,\"time\":1}"))
        .hasMessage("event.event_type: must be a non-blank string, was 7 (number)");
    assertThatThrownBy(() -> t.transform("{\"id\":\"a\",\"event_type\":\"x.Y\"}"))
        .hasMessage("event(a).time: required, missing");
    assertThatThrownBy(() -> t.transform("{\"id\":\"a\",\"event_type\":\"x.Y\",\"time\":\"1\"}"))
        .hasMessage("event(a).time: must be a number of epoch seconds, was \"1\" (string)");
    assertThatThrownBy(() -> t.transform("{\"id\":\"a\",\"event_type\":\"x.Y\",\"time\":true}"))
        .hasMessage("event(a).time: must be a number of epoch seconds, was true (boolean)");
    assertThatThrownBy(() -> t.transform("{\"id\":\"a\",\"event_type\":\"x.Y\",\"time\":-5}"))
        .hasMessageContaining("time: must be epoch seconds between 0 and");
    assertThatThrownBy(
            () -> t.transform("{\"id\":\"a\",\"event_type\":\"x.Y\",\"time\":1,\"user\":[1]}"))
        .hasMessage("event(a).user: must be an object, was an array");
    assertThatThrownBy(() -> t.transform("[1]"))
        .hasMessage("event: must be a JSON object, found an array");
  }

  @Test
  void eventsOverTheSizeLimitAreRefused() {
    CurrentsTransformer t = CurrentsTransformer.builder().maxEventBytes(2048).build();
    String big = event("big", "x.Y", "\"v\":\"" + "x".repeat(3000) + "\"");
    assertThatThrownBy(() -> t.transform(big))
        .isInstanceOf(InvalidCurrentsEventException.class)
        .hasMessageContaining("over the limit of 2048");
  }

  @Test
  void prefixIsChecked() {
    assertThatThrownBy(() -> CurrentsTransformer.builder().prefix("Braze"))
        .hasMessageContaining("prefix must be lower snake case");
  }
}
