package io.github.brazeodp.odp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowEncoderNameTest {
  @Test
  void theLoopAcceptsExactlyWhatTheNamePatternAccepts() {
    List<String> names =
        List.of(
            "email",
            "_braze_first_name",
            "a1",
            "_",
            "x_9_y",
            "",
            "1abc",
            "Email",
            "first-name",
            "na me",
            "é",
            "a\u0131",
            "zz",
            "_0",
            "a.b",
            "ab\n");
    for (String name : names) {
      assertThat(RowEncoder.validName(name))
          .as(name)
          .isEqualTo(RowEncoder.NAME.matcher(name).matches());
    }
    assertThat(RowEncoder.validName(null)).isFalse();
  }

  @Test
  void aFlatRowIsCheckedInPlaceAndStillNamesTheBadFieldAndValue() {
    RowEncoder encoder = new RowEncoder(BatchSettings.defaults(), 1 << 20);
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("first_name", "Ann");
    attributes.put("score", 3);
    byte[] json =
        encoder.profile(0, new ProfileUpdate(Map.of("email", "a@example.com"), attributes));
    assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"attributes\":{\"first_name\":\"Ann\",\"score\":3,\"email\":\"a@example.com\"}}");

    attributes.put("Bad-Name", "x");
    assertThatThrownBy(
            () ->
                encoder.profile(4, new ProfileUpdate(Map.of("email", "a@example.com"), attributes)))
        .hasMessageContaining("profiles[4].attributes: invalid name \"Bad-Name\"");
    attributes.remove("Bad-Name");
    attributes.put("ratio", Double.NaN);
    assertThatThrownBy(
            () ->
                encoder.profile(2, new ProfileUpdate(Map.of("email", "a@example.com"), attributes)))
        .hasMessage("profiles[2].attributes.ratio: NaN is not a JSON number");
    assertThatThrownBy(() -> encoder.profile(1, new ProfileUpdate(Map.of("email", " "), Map.of())))
        .hasMessage("profiles[1].identifiers.email: must not be blank, was \" \"");
  }
}
