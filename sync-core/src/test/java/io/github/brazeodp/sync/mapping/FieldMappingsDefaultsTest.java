package io.github.brazeodp.sync.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportedUser;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FieldMappingsDefaultsTest {

  @Test
  void defaultsMapARealisticUser() {
    MappedCustomer c = FieldMappings.defaults().apply(TestUsers.parse(TestUsers.JANE));

    assertThat(c.problems()).isEmpty();
    assertThat(c.attributes())
        .containsExactly(
            entry("_braze_braze_id", "5fbd99bac125ca40511f2cb1"),
            entry("_braze_external_id", "A8i3mkd99"),
            entry("city", "Chicago"),
            entry("country", "US"),
            entry("dob_day", 21L),
            entry("dob_month", 12L),
            entry("dob_year", 1980L),
            entry("email", "example@braze.com"),
            entry("first_name", "Jane"),
            entry("gender", "F"),
            entry("last_name", "Doe"),
            entry("phone", "+442071838750"),
            entry("timezone", "America/Chicago"));
  }

  @Test
  void defaultsPassValidationAgainstOdpDefaultSchemaAndKeepTheirValues() {
    ValidationResult r = FieldMappings.defaults().validate(TestUsers.schema(Map.of()));

    assertThat(r.fieldsToCreate()).isEmpty();
    MappedCustomer c = r.mappings().apply(TestUsers.parse(TestUsers.JANE));
    assertThat(c.attributes())
        .isEqualTo(FieldMappings.defaults().apply(TestUsers.parse(TestUsers.JANE)).attributes());
  }

  @Test
  void brazeSampleFixtureMapsAndReportsItsNonIanaTimeZone() {
    ExportedUser user =
        TestUsers.parse(TestUsers.fixture("braze/users_export_segment_response_1.json"));

    MappedCustomer c = FieldMappings.defaults().apply(user);

    assertThat(c.attributes())
        .contains(
            entry("email", "example@braze.com"),
            entry("city", "Chicago"),
            entry("gender", "F"),
            entry("dob_year", 1980L),
            entry("_braze_external_id", "A8i3mkd99"))
        .doesNotContainKey("timezone");
    // The sample's "Eastern Time (US & Canada)" is not an IANA id, which ODP's timezone expects.
    assertThat(c.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("timezone");
              assertThat(p.value()).isEqualTo("Eastern Time (US & Canada)");
              assertThat(p.rule()).isEqualTo("rule #7 (time_zone → timezone via timeZone())");
              assertThat(p.reason()).isEqualTo("is not an IANA time zone id");
            });
  }

  @ParameterizedTest
  @CsvSource({"M,M", "F,F", "m,M", "f,F"})
  void genderMOrFIsKept(String braze, String odp) {
    MappedCustomer c = FieldMappings.defaults().apply(user("\"gender\":\"" + braze + "\""));

    assertThat(c.attributes()).containsEntry("gender", odp);
    assertThat(c.problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"O", "U", "N", "P", "other"})
  void otherGendersAreLeftOutWithoutAProblem(String braze) {
    MappedCustomer c = FieldMappings.defaults().apply(user("\"gender\":\"" + braze + "\""));

    assertThat(c.attributes()).doesNotContainKey("gender");
    assertThat(c.problems()).isEmpty();
  }

  @Test
  void dobSplitsIntoThreeNumbers() {
    MappedCustomer c = FieldMappings.defaults().apply(user("\"dob\":\"2001-02-03\""));

    assertThat(c.attributes())
        .contains(entry("dob_year", 2001L), entry("dob_month", 2L), entry("dob_day", 3L));
  }

  @Test
  void unparseableDobIsReportedOncePerTargetAndNothingThrows() {
    MappedCustomer c = FieldMappings.defaults().apply(user("\"dob\":\"21/12/1980\""));

    assertThat(c.attributes()).doesNotContainKeys("dob_year", "dob_month", "dob_day");
    assertThat(c.problems())
        .extracting(ConversionProblem::toString)
        .containsExactly(
            "rule #9 (dob → dob_year via year()): field dob_year: \"21/12/1980\" is not an ISO"
                + " 8601 date or date-time",
            "rule #10 (dob → dob_month via month()): field dob_month: \"21/12/1980\" is not an ISO"
                + " 8601 date or date-time",
            "rule #11 (dob → dob_day via day()): field dob_day: \"21/12/1980\" is not an ISO 8601"
                + " date or date-time");
  }

  @Test
  void nullAndBlankValuesAreLeftOutNeverSentEmpty() {
    MappedCustomer c =
        FieldMappings.defaults()
            .apply(
                user(
                    "\"email\":\"\",\"phone\":\"   \",\"first_name\":null,\"last_name\":\"Doe\","
                        + "\"dob\":\"\""));

    assertThat(c.attributes())
        .containsOnlyKeys("_braze_braze_id", "last_name")
        .doesNotContainValue("");
    assertThat(c.problems()).isEmpty();
  }

  @Test
  void prefixAppliesToBrazeIdsButNotToStandardFields() {
    MappedCustomer c =
        FieldMappings.defaults("braze_").apply(user("\"external_id\":\"e1\",\"email\":\"a@b.co\""));

    assertThat(c.attributes())
        .containsOnly(
            entry("braze_braze_id", "b1"),
            entry("braze_external_id", "e1"),
            entry("email", "a@b.co"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"_braze_", "braze_", "acme_braze_", "b2_"})
  void validPrefixes(String prefix) {
    assertThat(FieldMappings.defaults(prefix).prefix()).isEqualTo(prefix);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "_", "braze", "_Braze_", "1braze_", "__braze_", "braze-x_", " braze_"})
  void invalidPrefixesFailFast(String prefix) {
    assertThatThrownBy(() -> FieldMappings.defaults(prefix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the Braze prefix must be lower snake case");
  }

  @Test
  void rulesHaveStableHumanNames() {
    assertThat(FieldMappings.defaults().toString())
        .isEqualTo(
            "FieldMappings[prefix=_braze_, rule #1 (email → email); rule #2 (phone → phone);"
                + " rule #3 (first_name → first_name); rule #4 (last_name → last_name);"
                + " rule #5 (home_city → city); rule #6 (country → country);"
                + " rule #7 (time_zone → timezone via timeZone()); rule #8 (gender → gender via"
                + " gender()); rule #9 (dob → dob_year via year()); rule #10 (dob → dob_month via"
                + " month()); rule #11 (dob → dob_day via day()); rule #12 (external_id →"
                + " _braze_external_id); rule #13 (braze_id → _braze_braze_id), unchecked]");
  }

  @Test
  void fieldsToExportAreExactlyWhatTheDefaultsRead() {
    FieldMappings defaults = FieldMappings.defaults();

    assertThat(defaults.fieldsToExport())
        .containsExactly(
            "braze_id",
            "country",
            "dob",
            "email",
            "external_id",
            "first_name",
            "gender",
            "home_city",
            "last_name",
            "phone",
            "time_zone");
    assertThat(defaults.customAttributesToExport()).isEmpty();
    assertThat(ExportSegmentRequest.of("seg", defaults.fieldsToExport()).fieldsToExport())
        .hasSize(11);
  }

  @Test
  void everyReadableStandardFieldIsOneBrazeExports() {
    assertThat(ExportSegmentRequest.KNOWN_FIELDS).containsAll(Names.STANDARD_SOURCES.keySet());
  }

  private static ExportedUser user(String fields) {
    return TestUsers.parse("{\"braze_id\":\"b1\"," + fields + "}");
  }
}
