package io.github.brazeodp.sync.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.github.brazeodp.braze.ExportedUser;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConversionTest {
  private static final CustomerSchema SCHEMA =
      TestUsers.schema(
          Map.of(
              "points", FieldKind.NUMBER,
              "seen_at", FieldKind.TIMESTAMP,
              "opted_in", FieldKind.BOOLEAN,
              "notes", FieldKind.STRING));

  /** Maps custom attributes {@code v} into each typed field and returns the validated result. */
  private static MappedCustomer map(String field, String attributesJson) {
    FieldMappings m = FieldMappings.none("_braze_").add(FieldMapping.customAttribute("v", field));
    return m.validate(SCHEMA).mappings().apply(TestUsers.withCustomAttributes(attributesJson));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "points   | \"321\"                         | 321",
        "points   | 107                             | 107",
        "points   | \"12.50\"                       | 12.5",
        "points   | \"1e3\"                         | 1000",
        "opted_in | \"TRUE\"                        | true",
        "opted_in | \"0\"                           | false",
        "opted_in | 1                               | true",
        "seen_at  | \"2020-07-10 15:00:00.000 UTC\" | 2020-07-10T15:00:00Z",
        "seen_at  | \"1980-12-21\"                  | 1980-12-21T00:00:00Z",
        "seen_at  | \"2021-06-28T17:02:43+02:00\"   | 2021-06-28T15:02:43Z",
        "seen_at  | \"2021-06-28T17:02:43\"         | 2021-06-28T17:02:43Z",
        "seen_at  | \"2021-06-28T17:02:43+02:00[Europe/Paris]\" | 2021-06-28T15:02:43Z",
        "seen_at  | 1454033935                      | 2016-01-29T02:18:55Z",
        "notes    | true                            | true",
        "notes    | 3.25                            | 3.25",
      })
  void valuesConvertToTheFieldKind(String field, String json, String expected) {
    MappedCustomer c = map(field, "{\"v\":" + json + "}");

    assertThat(c.problems()).isEmpty();
    assertThat(String.valueOf(c.attributes().get(field))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "points   | \"abc\"             | abc               | is not a number",
        "points   | true                | true              | is a boolean, not a number",
        "opted_in | \"yes\"             | yes               | is not a boolean (true, false, 1 or 0)",
        "opted_in | 2                   | 2                 | is not a boolean (0 or 1)",
        "seen_at  | \"next tuesday\"    | next tuesday      | is not an ISO 8601 date or date-time",
        "seen_at  | false               | false             | is a boolean, not a date or time",
        "notes    | [\"a\",\"b\"]       | [a, b]            | is a list; an ODP field holds a single value",
        "notes    | {\"k\":1}           | {k=1.0}           | is an object; an ODP field holds a single value",
      })
  void valuesThatDoNotConvertAreReportedNotThrown(
      String field, String json, String shown, String reason) {
    MappedCustomer c = map(field, "{\"v\":" + json + ",\"w\":\"kept\"}");

    assertThat(c.attributes()).doesNotContainKey(field);
    assertThat(c.problems())
        .containsExactly(
            new ConversionProblem(
                "rule #1 (custom_attributes.v → " + field + ")", field, shown, reason));
  }

  @Test
  void aBadValueLeavesOnlyItsFieldOut() {
    FieldMappings m =
        FieldMappings.defaults()
            .add(FieldMapping.customAttribute("loyaltyPoints", "points"))
            .add(FieldMapping.customAttribute("tier", "notes"));
    ExportedUser u =
        TestUsers.parse(
            "{\"braze_id\":\"b1\",\"email\":\"a@b.co\","
                + "\"custom_attributes\":{\"loyaltyPoints\":\"lots\",\"tier\":\"gold\"}}");

    MappedCustomer c = m.validate(SCHEMA).mappings().apply(u);

    assertThat(c.attributes())
        .containsOnly(
            entry("_braze_braze_id", "b1"), entry("email", "a@b.co"), entry("notes", "gold"));
    assertThat(c.problems())
        .singleElement()
        .hasToString(
            "rule #14 (custom_attributes.loyaltyPoints → points): field points: \"lots\" is not a"
                + " number");
  }

  @Test
  void textOverOdpLimitIsReportedAndLeftOut() {
    String limit = "x".repeat(1024);
    String over = "é".repeat(1025); // characters, not bytes, count

    MappedCustomer ok = map("notes", "{\"v\":\"" + limit + "\"}");
    MappedCustomer tooLong = map("notes", "{\"v\":\"" + over + "\"}");

    assertThat(ok.attributes()).containsEntry("notes", limit);
    assertThat(ok.problems()).isEmpty();
    assertThat(tooLong.attributes()).isEmpty();
    assertThat(tooLong.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.reason()).isEqualTo("is longer than ODP's limit of 1024 characters");
              assertThat(p.value())
                  .startsWith("éé")
                  .endsWith("é… (1025 characters)")
                  .hasSize(80 + 19);
            });
  }

  @Test
  void unvalidatedRulesAlsoEnforceTheTextLimit() {
    MappedCustomer c =
        FieldMappings.defaults()
            .apply(TestUsers.parse("{\"first_name\":\"" + "a".repeat(2000) + "\"}"));

    assertThat(c.attributes()).doesNotContainKey("first_name");
    assertThat(c.problems()).extracting(ConversionProblem::field).containsExactly("first_name");
  }

  @Test
  void emptyListsAndNullsAreAbsentNotProblems() {
    MappedCustomer c = map("notes", "{\"v\":[]}");
    MappedCustomer n = map("notes", "{\"v\":null}");

    assertThat(c.attributes()).isEmpty();
    assertThat(c.problems()).isEmpty();
    assertThat(n.attributes()).isEmpty();
    assertThat(n.problems()).isEmpty();
  }

  @Test
  void declaredKindConvertsWithoutASchema() {
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(FieldMapping.customAttribute("v", "_braze_v").as(FieldKind.NUMBER));

    assertThat(m.apply(TestUsers.withCustomAttributes("{\"v\":\"42\"}")).attributes())
        .containsOnly(entry("_braze_v", 42L));
    assertThat(m.apply(TestUsers.withCustomAttributes("{\"v\":\"x\"}")).problems()).hasSize(1);
  }
}
