package io.github.brazeodp.sync.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappedCustomerTest {

  @Test
  void sameInputSameHash() {
    FieldMappings m = FieldMappings.defaults();

    String first = m.apply(TestUsers.parse(TestUsers.JANE)).hash();
    String second = m.apply(TestUsers.parse(TestUsers.JANE)).hash();

    assertThat(first).isEqualTo(second).hasSize(32).matches("[0-9a-f]{32}");
  }

  @Test
  void hashIsPinnedSoStoredHashesSurviveUpgrades() {
    MappedCustomer c =
        new MappedCustomer(
            Map.of("email", "a@b.co", "dob_year", 1980L, "vip", true, "score", 1.5), List.of());

    // Changing the canonical encoding would resend every customer once; do it on purpose only.
    assertThat(c.hash()).isEqualTo(new MappedCustomer(c.attributes(), List.of()).hash());
    assertThat(c.hash()).isEqualTo("47c2f80bf6d219043eabde4d50463f72");
  }

  @Test
  void hashOfTextOutsideAsciiIsPinnedToo() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("city", "Zürich");
    m.put("nick", "x\uD83D\uDE00y");
    m.put("broken", "a\uD800b");
    m.put("long", "é".repeat(300) + "z".repeat(200));
    m.put("n", 107.0);
    m.put("big", 12345678901234L);
    m.put("f", false);
    m.put("", "empty name");

    // Computed by the part-by-part encoding of earlier versions (UTF-8 as String.getBytes writes
    // it, an unpaired surrogate as '?'): stored hashes must keep matching.
    assertThat(new MappedCustomer(m, List.of()).hash())
        .isEqualTo("f0a8dc5d9a2377a95eef6bb8ae5e3f2b");
  }

  @Test
  void oneChangedAttributeChangesTheHash() {
    ExportedUserPair p = pair("\"first_name\":\"Jane\"", "\"first_name\":\"Janet\"");

    assertThat(p.a().hash()).isNotEqualTo(p.b().hash());
  }

  @Test
  void keyOrderDoesNotMatter() {
    Map<String, Object> forward = new LinkedHashMap<>();
    forward.put("a", "1");
    forward.put("b", 2L);
    forward.put("c", false);
    Map<String, Object> backward = new LinkedHashMap<>();
    backward.put("c", false);
    backward.put("b", 2L);
    backward.put("a", "1");

    MappedCustomer x = new MappedCustomer(forward, List.of());
    MappedCustomer y = new MappedCustomer(backward, List.of());

    assertThat(x.hash()).isEqualTo(y.hash());
    assertThat(x).isEqualTo(y);
    assertThat(y.attributes().keySet()).containsExactly("a", "b", "c");
  }

  @Test
  void typesAndBoundariesAreDistinguished() {
    assertThat(hash(Map.of("a", "1"))).isNotEqualTo(hash(Map.of("a", 1L)));
    assertThat(hash(Map.of("a", "true"))).isNotEqualTo(hash(Map.of("a", true)));
    assertThat(hash(Map.of("ab", "c"))).isNotEqualTo(hash(Map.of("a", "bc")));
    assertThat(hash(Map.of("a", "b", "c", "d"))).isNotEqualTo(hash(Map.of("a", "bcd")));
    assertThat(hash(Map.of())).isNotEqualTo(hash(Map.of("a", "")));
  }

  @Test
  void equalNumbersHashEqually() {
    assertThat(hash(Map.of("n", 107L))).isEqualTo(hash(Map.of("n", 107.0)));
    assertThat(hash(Map.of("n", 107))).isEqualTo(hash(Map.of("n", 107L)));
    assertThat(hash(Map.of("n", 1.50))).isEqualTo(hash(Map.of("n", 1.5)));
  }

  @Test
  void problemsDoNotChangeTheHash() {
    ExportedUserPair p = pair("\"dob\":\"bad\"", "\"dob\":\"worse\"");

    assertThat(p.a().problems()).hasSize(3);
    assertThat(p.a().hash()).isEqualTo(p.b().hash());
  }

  @Test
  void attributesAreImmutableAndChecked() {
    MappedCustomer c = new MappedCustomer(Map.of("a", "b"), List.of());

    assertThatThrownBy(() -> c.attributes().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> new MappedCustomer(Map.of("a", List.of("x")), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be text, a number or a boolean");
    assertThat(c.attributes()).containsExactly(entry("a", "b"));
  }

  private record ExportedUserPair(MappedCustomer a, MappedCustomer b) {}

  private static ExportedUserPair pair(String fieldsA, String fieldsB) {
    FieldMappings m = FieldMappings.defaults();
    String base = "{\"braze_id\":\"b1\",\"email\":\"j@x.io\",";
    return new ExportedUserPair(
        m.apply(TestUsers.parse(base + fieldsA + "}")),
        m.apply(TestUsers.parse(base + fieldsB + "}")));
  }

  private static String hash(Map<String, Object> attributes) {
    return new MappedCustomer(attributes, List.of()).hash();
  }
}
