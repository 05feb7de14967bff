package io.github.brazeodp.sync.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import io.github.brazeodp.sync.mapping.Transform.DateOutput;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ValidationTest {
  private static final CustomerSchema SCHEMA =
      TestUsers.schema(
          Map.of(
              "loyalty_tier", FieldKind.STRING,
              "loyalty_points", FieldKind.NUMBER,
              "last_order_at", FieldKind.TIMESTAMP,
              "is_vip", FieldKind.BOOLEAN,
              "embedding", FieldKind.OTHER));

  @Test
  void unknownFieldNamesTheRuleAndCloseMatches() {
    FieldMappings m =
        FieldMappings.defaults().add(FieldMapping.customAttribute("tier", "loyality_tier"));

    assertThatThrownBy(() -> m.validate(SCHEMA))
        .isInstanceOf(MappingException.class)
        .hasMessage(
            "1 problem in the field mappings:\n"
                + "  rule #14 (custom_attributes.tier → loyality_tier): unknown ODP customer field"
                + " loyality_tier; close matches: loyalty_tier; only fields starting with _braze_"
                + " can be created");
  }

  @Test
  void closeMatchesIncludeCommonPrefixes() {
    FieldMappings m =
        FieldMappings.none("_braze_").add(FieldMapping.customAttribute("p", "loyalty"));

    MappingException e = catchThrowableOfType(MappingException.class, () -> m.validate(SCHEMA));

    assertThat(e.problems())
        .singleElement()
        .asString()
        .contains("close matches: loyalty_tier, loyalty_points");
  }

  @Test
  void duplicateTargetNamesBothRules() {
    FieldMappings m =
        FieldMappings.defaults().add(FieldMapping.customAttribute("work_email", "email"));

    assertThatThrownBy(() -> m.validate(SCHEMA))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining(
            "rule #14 (custom_attributes.work_email → email): duplicate target email, also"
                + " written by rule #1 (email → email)");
  }

  @Test
  void impossibleConversionsFailButDataDependentOnesPass() {
    FieldMappings impossible =
        FieldMappings.none("_braze_")
            .add(FieldMapping.of("created_at", "loyalty_points"))
            .add(FieldMapping.constant("last_order_at", true))
            .add(FieldMapping.of("uninstalled_at", "is_vip"))
            .add(FieldMapping.customAttribute("vip", "dob_year").as(FieldKind.BOOLEAN))
            .add(FieldMapping.customAttribute("x", "embedding"));

    MappingException e =
        catchThrowableOfType(MappingException.class, () -> impossible.validate(SCHEMA));

    assertThat(e.problems())
        .containsExactly(
            "rule #1 (created_at → loyalty_points): cannot convert TIMESTAMP values into the NUMBER"
                + " field loyalty_points; use Transform.dateFormat(DateOutput.EPOCH_SECONDS) for"
                + " epoch seconds",
            "rule #2 (constant(true) → last_order_at): cannot convert BOOLEAN values into the"
                + " TIMESTAMP field last_order_at",
            "rule #3 (uninstalled_at → is_vip): cannot convert TIMESTAMP values into the BOOLEAN"
                + " field is_vip",
            "rule #4 (custom_attributes.vip → dob_year as BOOLEAN): cannot convert BOOLEAN values"
                + " into the NUMBER field dob_year",
            "rule #5 (custom_attributes.x → embedding): the ODP field embedding has a type that"
                + " mapping rules cannot write");

    FieldMappings possible =
        FieldMappings.none("_braze_")
            .add(FieldMapping.customAttribute("loyaltyPoints", "loyalty_points"))
            .add(
                FieldMapping.of(
                    "created_at", "last_order_at", Transform.dateFormat(DateOutput.EPOCH_SECONDS)))
            .add(FieldMapping.of("custom_attributes.full_name", "is_vip", Transform.split(" ", 0)))
            .add(FieldMapping.of("total_revenue", "loyalty_tier"));
    assertThat(possible.validate(SCHEMA).fieldsToCreate()).isEmpty();
  }

  @Test
  void badNamesAreReported() {
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(FieldMapping.customAttribute("a", "Loyalty-Tier"))
            .add(FieldMapping.customAttribute("b", "_private"))
            .add(FieldMapping.customAttribute("c", "_braze_" + "x".repeat(58)))
            .add(FieldMapping.customAttribute("d", "9lives"));

    MappingException e =
        catchThrowableOfType(MappingException.class, () -> m.validate(SCHEMA, true));

    assertThat(e.problems()).hasSize(4).allSatisfy(p -> assertThat(p).contains("ODP would reject"));
    assertThat(e.problems().get(0))
        .isEqualTo(
            "rule #1 (custom_attributes.a → Loyalty-Tier): ODP would reject the field name"
                + " \"Loyalty-Tier\": names are lower snake case (a-z, 0-9, _), start with a letter"
                + " (or the prefix _braze_) and have at most 64 characters");
  }

  @Test
  void invalidSourcesAreReportedWithHints() {
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(FieldMapping.of("home_cty", "city"))
            .add(FieldMapping.of("loyaltyPoints", "loyalty_points"))
            .add(FieldMapping.of("purchases", "loyalty_tier"))
            .add(FieldMapping.of("custom_attributes.", "is_vip"));

    MappingException e = catchThrowableOfType(MappingException.class, () -> m.validate(SCHEMA));

    assertThat(e.problems())
        .containsExactly(
            "rule #1 (home_cty → city): unknown Braze field \"home_cty\"; close matches: home_city;"
                + " a custom attribute is written custom_attributes.home_cty",
            "rule #2 (loyaltyPoints → loyalty_points): unknown Braze field \"loyaltyPoints\"; a"
                + " custom attribute is written custom_attributes.loyaltyPoints",
            "rule #3 (purchases → loyalty_tier): the Braze field purchases is a list or object, not"
                + " a single value, and cannot be mapped",
            "rule #4 (custom_attributes. → is_vip): the custom attribute name after"
                + " custom_attributes. is empty");
  }

  @Test
  void allProblemsAreReportedTogetherOneLineEach() {
    FieldMappings m =
        FieldMappings.defaults()
            .add(FieldMapping.customAttribute("tier", "loyality_tier"))
            .add(FieldMapping.customAttribute("work_email", "email"))
            .add(FieldMapping.of("created_at", "loyalty_points"))
            .add(FieldMapping.customAttribute("x", "Bad Name"))
            .add(FieldMapping.of("emial", "loyalty_tier"));

    MappingException e = catchThrowableOfType(MappingException.class, () -> m.validate(SCHEMA));

    assertThat(e.problems()).hasSize(5);
    assertThat(e.getMessage().lines())
        .hasSize(6)
        .first()
        .isEqualTo("5 problems in the field mappings:");
    assertThat(e.getMessage())
        .contains("rule #14 ", "rule #15 ", "rule #16 ", "rule #17 ", "rule #18 ");
  }

  @Test
  void createMissingPrefixedFieldsReturnsThemWithKinds() {
    FieldMappings m =
        FieldMappings.defaults()
            .add(FieldMapping.customAttribute("loyaltyId", "_braze_loyalty_id"))
            .add(
                FieldMapping.customAttribute("loyaltyPoints", "_braze_points").as(FieldKind.NUMBER))
            .add(FieldMapping.of("created_at", "_braze_created_at"))
            .add(FieldMapping.of("total_revenue", "_braze_total_revenue"))
            .add(FieldMapping.customAttribute("vip", "_braze_vip").as(FieldKind.BOOLEAN))
            .add(FieldMapping.customAttribute("tier", "tier_unprefixed"));
    CustomerSchema withoutBrazeIds =
        new CustomerSchema(
            Map.of("first_name", FieldKind.STRING, "dob_year", FieldKind.NUMBER),
            java.util.Set.of("email"));

    MappingException e =
        catchThrowableOfType(MappingException.class, () -> m.validate(withoutBrazeIds, true));
    assertThat(e.problems())
        .hasSize(
            9) // phone, last_name, city, country, timezone, gender, dob_month, dob_day, tier_...
        .noneMatch(p -> p.contains("field _braze_"));

    ValidationResult r = m.remove("tier_unprefixed").validate(TestUsers.odpDefaultSchema(), true);
    assertThat(r.fieldsToCreate())
        .containsExactly(
            entry("_braze_external_id", FieldKind.STRING),
            entry("_braze_braze_id", FieldKind.STRING),
            entry("_braze_loyalty_id", FieldKind.STRING),
            entry("_braze_points", FieldKind.NUMBER),
            entry("_braze_created_at", FieldKind.TIMESTAMP),
            entry("_braze_total_revenue", FieldKind.NUMBER),
            entry("_braze_vip", FieldKind.BOOLEAN));
    assertThat(r.fieldsToCreate().values()).extracting(FieldKind::odpType).contains("timestamp");
  }

  @Test
  void missingPrefixedFieldWithoutCreateSuggestsTheOption() {
    FieldMappings m =
        FieldMappings.defaults().add(FieldMapping.customAttribute("tier", "_braze_tier"));

    assertThatThrownBy(() -> m.validate(SCHEMA))
        .hasMessageEndingWith(
            "rule #14 (custom_attributes.tier → _braze_tier): unknown ODP customer field"
                + " _braze_tier; or let the sync create missing prefixed fields");
  }

  @Test
  void identifiersAreKnownTextFields() {
    FieldMappings m =
        FieldMappings.none("_braze_").add(FieldMapping.customAttribute("cookie", "vuid"));

    ValidationResult r = m.validate(SCHEMA);

    assertThat(r.fieldsToCreate()).isEmpty();
    assertThat(r.mappings().apply(TestUsers.withCustomAttributes("{\"cookie\":42}")).attributes())
        .containsOnly(entry("vuid", "42"));
  }

  @Test
  void validatedRulesConvertToTheSchemaKinds() {
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(FieldMapping.customAttribute("points", "loyalty_points"))
            .add(FieldMapping.customAttribute("vip", "is_vip"))
            .add(FieldMapping.customAttribute("ordered", "last_order_at"))
            .add(FieldMapping.customAttribute("tier", "loyalty_tier"));
    FieldMappings checked = m.validate(SCHEMA).mappings();
    var user =
        TestUsers.withCustomAttributes(
            "{\"points\":\" 321 \",\"vip\":\"1\",\"ordered\":\"2021-06-28T17:02:43.032Z\","
                + "\"tier\":12.50}");

    assertThat(checked.apply(user).attributes())
        .containsExactly(
            entry("is_vip", true),
            entry("last_order_at", "2021-06-28T17:02:43Z"),
            entry("loyalty_points", 321L),
            entry("loyalty_tier", "12.5"));
    // Unchecked rules keep what Braze exported.
    assertThat(m.apply(user).attributes())
        .containsEntry("loyalty_points", " 321 ")
        .containsEntry("is_vip", "1");
    assertThat(checked).isNotEqualTo(m);
    assertThat(checked.toString()).endsWith(", validated]");
  }

  @Test
  void tooManyCustomAttributesForOneExport() {
    FieldMappings m =
        IntStream.range(0, 501)
            .mapToObj(i -> FieldMapping.customAttribute("a" + i, "_braze_a" + i))
            .reduce(FieldMappings.none("_braze_"), FieldMappings::add, (a, b) -> a);

    assertThatThrownBy(() -> m.validate(SCHEMA, true))
        .hasMessage(
            "1 problem in the field mappings:\n"
                + "  the rules read 501 custom attributes; Braze exports at most 500");
  }

  @Test
  void fieldKindsFromOdpTypes() {
    assertThat(FieldKind.fromOdpType("number")).isEqualTo(FieldKind.NUMBER);
    assertThat(FieldKind.fromOdpType("Timestamp")).isEqualTo(FieldKind.TIMESTAMP);
    assertThat(FieldKind.fromOdpType("string")).isEqualTo(FieldKind.STRING);
    assertThat(FieldKind.fromOdpType("boolean")).isEqualTo(FieldKind.BOOLEAN);
    assertThat(FieldKind.fromOdpType("vector")).isEqualTo(FieldKind.OTHER);
    assertThat(FieldKind.fromOdpType(null)).isEqualTo(FieldKind.OTHER);
    assertThatThrownBy(FieldKind.OTHER::odpType).isInstanceOf(IllegalStateException.class);
  }
}
