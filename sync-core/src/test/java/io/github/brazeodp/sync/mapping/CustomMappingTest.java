package io.github.brazeodp.sync.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.sync.mapping.Transform.DateOutput;
import org.junit.jupiter.api.Test;

class CustomMappingTest {
  private static final ExportedUser JANE = TestUsers.parse(TestUsers.JANE);

  @Test
  void customAttributesMapWithTransforms() {
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(FieldMapping.of("custom_attributes.tier", "loyalty_tier", Transform.lowerCase()))
            .add(FieldMapping.of("custom_attributes.tier", "_braze_tier", Transform.upperCase()))
            .add(FieldMapping.customAttribute("loyaltyPointsNumber", "_braze_points"))
            .add(
                FieldMapping.of(
                    "custom_attributes.full_name", "_braze_given_name", Transform.split(" ", 0)))
            .add(
                FieldMapping.of(
                    "custom_attributes.full_name", "_braze_family_name", Transform.split(" ", -1)))
            .add(
                FieldMapping.of(
                    "custom_attributes.signup",
                    "_braze_signup",
                    Transform.dateFormat("dd/MM/yyyy", DateOutput.DATE)))
            .add(
                FieldMapping.of(
                    "created_at", "_braze_created", Transform.dateFormat(DateOutput.EPOCH_SECONDS)))
            .add(FieldMapping.customAttribute("vip", "_braze_vip"))
            .add(FieldMapping.constant("_braze_source", "braze"));

    MappedCustomer c = m.apply(JANE);

    assertThat(c.problems()).isEmpty();
    assertThat(c.attributes())
        .containsExactly(
            entry("_braze_created", 1594393200L),
            entry("_braze_family_name", "Doe"),
            entry("_braze_given_name", "Jane"),
            entry("_braze_points", 107L), // Moshi reads 107 as 107.0; integral numbers go as 107
            entry("_braze_signup", "2019-12-21"),
            entry("_braze_source", "braze"),
            entry("_braze_tier", "GOLD"),
            entry("_braze_vip", true),
            entry("loyalty_tier", "gold"));
  }

  @Test
  void splitPartThatDoesNotExistLeavesTheFieldOutQuietly() {
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(FieldMapping.of("first_name", "_braze_second", Transform.split(" ", 1)));

    MappedCustomer c = m.apply(JANE);

    assertThat(c.attributes()).isEmpty();
    assertThat(c.problems()).isEmpty();
  }

  @Test
  void transformsChainAndNameThemselves() {
    FieldMapping rule =
        FieldMapping.of("custom_attributes.full_name", "_braze_middle", Transform.split(" ", 1))
            .with(Transform.lowerCase());

    assertThat(rule.toString())
        .isEqualTo(
            "custom_attributes.full_name → _braze_middle via split(\" \", 1).andThen(lowerCase())");
    assertThat(FieldMappings.none("_braze_").add(rule).apply(JANE).attributes())
        .containsOnly(entry("_braze_middle", "q"));
    assertThat(Transform.split(" ", 1)).isEqualTo(Transform.split(" ", 1));
  }

  @Test
  void dateFormatOutputs() {
    ExportedUser u = TestUsers.withCustomAttributes("{\"seen\":\"2021-06-28T17:02:43.032-05:00\"}");
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(
                FieldMapping.of(
                    "custom_attributes.seen", "_braze_d", Transform.dateFormat(DateOutput.DATE)))
            .add(
                FieldMapping.of(
                    "custom_attributes.seen",
                    "_braze_e",
                    Transform.dateFormat(DateOutput.EPOCH_SECONDS)))
            .add(
                FieldMapping.of(
                    "custom_attributes.seen",
                    "_braze_i",
                    Transform.dateFormat(DateOutput.ISO_INSTANT)));

    assertThat(m.apply(u).attributes())
        .containsExactly(
            entry("_braze_d", "2021-06-28"), // the date as written
            entry("_braze_e", 1624917763L),
            entry("_braze_i", "2021-06-28T22:02:43Z"));
  }

  @Test
  void customAttributeSourceDoesNotClashWithAStandardFieldOfTheSameName() {
    ExportedUser u =
        TestUsers.parse(
            "{\"email\":\"std@x.io\",\"custom_attributes\":{\"email\":\"custom@x.io\"}}");
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(FieldMapping.of("email", "email"))
            .add(FieldMapping.customAttribute("email", "_braze_custom_email"));

    assertThat(m.apply(u).attributes())
        .containsOnly(entry("email", "std@x.io"), entry("_braze_custom_email", "custom@x.io"));
  }

  @Test
  void constantWithASourceIsWrittenOnlyWhenTheSourceHasAValue() {
    FieldMappings m =
        FieldMappings.none("_braze_")
            .add(FieldMapping.of("custom_attributes.vip", "_braze_is_vip", Transform.constant(1)));

    assertThat(m.apply(JANE).attributes()).containsOnly(entry("_braze_is_vip", 1L));
    assertThat(m.apply(TestUsers.withCustomAttributes("{}")).attributes()).isEmpty();
  }

  @Test
  void addRemoveAndWithoutReturnNewInstances() {
    FieldMappings defaults = FieldMappings.defaults();
    FieldMappings edited =
        defaults
            .remove("phone")
            .without("dob")
            .add(FieldMapping.customAttribute("loyaltyId", "_braze_loyalty_id"));

    assertThat(defaults.rules()).hasSize(13);
    assertThat(edited.rules()).hasSize(10);
    assertThat(edited.rules())
        .extracting(FieldMapping::target)
        .doesNotContain("phone", "dob_year", "dob_month", "dob_day")
        .endsWith("_braze_loyalty_id");
    assertThat(edited.apply(JANE).attributes())
        .containsEntry("_braze_loyalty_id", "37c98b9d-9a7f-4b2f-a125-d873c5152856")
        .doesNotContainKeys("phone", "dob_year");
    assertThat(defaults.remove("dob_day").rules())
        .extracting(FieldMapping::target)
        .contains("dob_year", "dob_month")
        .doesNotContain("dob_day");
    assertThat(FieldMappings.defaults()).isEqualTo(defaults).hasSameHashCodeAs(defaults);
  }

  @Test
  void removingSomethingNoRuleTouchesFailsWithCloseMatches() {
    assertThatThrownBy(() -> FieldMappings.defaults().remove("phon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no rule writes phon; close matches: phone");
    assertThatThrownBy(() -> FieldMappings.defaults().without("home_cty"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no rule reads home_cty; close matches: home_city");
  }

  @Test
  void fieldsToExportAddCustomAttributesAndListTheirNames() {
    FieldMappings m =
        FieldMappings.defaults()
            .without("dob")
            .add(FieldMapping.customAttribute("tier", "_braze_tier"))
            .add(FieldMapping.customAttribute("loyaltyPoints", "_braze_points"))
            .add(FieldMapping.of("custom_attributes.tier", "_braze_tier2", Transform.lowerCase()))
            .add(FieldMapping.of("total_revenue", "_braze_revenue"))
            .add(FieldMapping.constant("_braze_source", "braze"));

    assertThat(m.fieldsToExport())
        .containsExactly(
            "braze_id",
            "country",
            "custom_attributes",
            "email",
            "external_id",
            "first_name",
            "gender",
            "home_city",
            "last_name",
            "phone",
            "time_zone",
            "total_revenue");
    assertThat(m.customAttributesToExport()).containsExactly("loyaltyPoints", "tier");
    ExportSegmentRequest request =
        new ExportSegmentRequest(
            "seg", null, m.fieldsToExport(), m.customAttributesToExport(), null);
    assertThat(request.customAttributesToExport()).containsExactly("loyaltyPoints", "tier");
  }

  @Test
  void ruleNeedsASourceUnlessItWritesAConstant() {
    assertThatThrownBy(() -> new FieldMapping(null, "x", Transform.lowerCase(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a source");
    assertThatThrownBy(() -> FieldMapping.constant("x", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be blank");
    assertThatThrownBy(() -> Transform.dateFormat("yyyy-MM-dd{", DateOutput.DATE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid date pattern");
  }
}
