package io.github.brazeodp.braze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExportedUserBuilderTest {
  private static ExportedUser read(String line) {
    try (ExportUserStream users =
        ExportUserStream.open(
            new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)),
            "test.json",
            ExportReadOptions.defaults())) {
      return users.next();
    }
  }

  @Test
  void aBuiltUserEqualsTheSameUserReadFromAnExportLine() {
    ExportedUser parsed =
        read(
            "{\"external_id\":\"A8i3mkd99\",\"braze_id\":\"5fbd99\","
                + "\"user_aliases\":[{\"alias_name\":\"user_123\",\"alias_label\":\"amplitude_id\"}],"
                + "\"created_at\":\"2020-07-10 15:00:00.000 UTC\",\"first_name\":\"Jane\","
                + "\"last_name\":\"Doe\",\"email\":\"jane@example.com\",\"phone\":\"+442071838750\","
                + "\"dob\":\"1980-12-21\",\"home_city\":\"Chicago\",\"country\":\"US\","
                + "\"language\":\"en\",\"time_zone\":\"America/Chicago\",\"gender\":\"F\","
                + "\"last_coordinates\":[41.8,-87.8],\"total_revenue\":65.5,\"random_bucket\":2365,"
                + "\"email_subscribe\":\"subscribed\",\"push_subscribe\":\"opted_in\","
                + "\"custom_attributes\":{\"tier\":\"Gold\",\"points\":107.0,\"vip\":true},"
                + "\"custom_events\":[{\"name\":\"Checkout\",\"first\":\"2026-11-01T10:00:00Z\","
                + "\"last\":\"2026-11-28T10:00:00Z\",\"count\":3}],"
                + "\"purchases\":[{\"name\":\"sku-1\",\"first\":\"2026-11-02T10:00:00Z\","
                + "\"last\":\"2026-11-02T10:00:00Z\",\"count\":1}]}");

    ExportedUser built =
        ExportedUser.builder()
            .externalId("A8i3mkd99")
            .brazeId("5fbd99")
            .alias("user_123", "amplitude_id")
            .createdAt("2020-07-10 15:00:00.000 UTC")
            .firstName("Jane")
            .lastName("Doe")
            .email("jane@example.com")
            .phone("+442071838750")
            .dob("1980-12-21")
            .homeCity("Chicago")
            .country("US")
            .language("en")
            .timeZone("America/Chicago")
            .gender("F")
            .lastCoordinates(41.8, -87.8)
            .totalRevenue(65.5)
            .randomBucket(2365)
            .emailSubscribe("subscribed")
            .pushSubscribe("opted_in")
            .customAttribute("tier", "Gold")
            .customAttributes(Map.of("points", 107.0))
            .customAttribute("vip", true)
            .customEvent(
                new ExportedUser.Activity(
                    "Checkout", "2026-11-01T10:00:00Z", "2026-11-28T10:00:00Z", 3L))
            .purchase(
                new ExportedUser.Activity(
                    "sku-1", "2026-11-02T10:00:00Z", "2026-11-02T10:00:00Z", 1L))
            .build();

    assertThat(built).isEqualTo(parsed);
    assertThat(built.field("tier")).isEqualTo("Gold");
  }

  @Test
  void unsetFieldsReadAsAbsentLikeAMinimalExportLine() {
    assertThat(ExportedUser.builder().brazeId("b1").build())
        .isEqualTo(read("{\"braze_id\":\"b1\"}"));
    assertThat(ExportedUser.builder().build().customEvents()).isEmpty();
  }

  @Test
  void toBuilderDerivesACopyAndLeavesTheOriginalAlone() {
    ExportedUser ann =
        ExportedUser.builder()
            .brazeId("b1")
            .email("ann@example.com")
            .customAttribute("tier", "gold")
            .customEvent("Checkout", "2026-11-28T10:00:00Z", 2)
            .build();

    ExportedUser changed = ann.toBuilder().customAttribute("tier", null).email("a@x.io").build();

    assertThat(changed.customAttributes()).isEmpty();
    assertThat(changed.email()).isEqualTo("a@x.io");
    assertThat(changed.customEvents()).isEqualTo(ann.customEvents());
    assertThat(ann.customAttributes()).containsEntry("tier", "gold");
    assertThat(ann.customEvents().get(0).first()).isEqualTo("2026-11-28T10:00:00Z");
    assertThatThrownBy(() -> ann.customAttributes().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void badInputNamesTheField() {
    assertThatThrownBy(() -> ExportedUser.builder().customAttribute(" ", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("custom_attributes key must not be blank, was \" \"");
    assertThatThrownBy(() -> ExportedUser.builder().alias("", "amplitude_id"))
        .hasMessageContaining("user_alias.alias_name");
    assertThat(ExportedUser.builder().lastCoordinates(1, 2).build().lastCoordinates())
        .isEqualTo(List.of(1.0, 2.0));
  }
}
