package io.github.brazeodp.sync.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.SchemaField;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
  private static final Map<String, String> ADA =
      Map.of("first_name", "Ada", "company_name", "Analytical Engines", "city", "");

  private static String render(String template, Map<String, String> values) {
    return Template.parse(template).render(values::get);
  }

  private static Activation.Builder activation() {
    return Activation.builder("t")
        .segment("s")
        .target(TargetIdentifier.externalId("ext_id"))
        .touchpoint(Touchpoint.campaign("c"));
  }

  @Test
  void rendersFieldsWithLiteralTextAround() {
    assertThat(render("Hello {{customer.first_name}} of {{ customer.company_name }}!", ADA))
        .isEqualTo("Hello Ada of Analytical Engines!");
    assertThat(render("no tags at all", ADA)).isEqualTo("no tags at all");
    assertThat(render("}} alone is text", ADA)).isEqualTo("}} alone is text");
  }

  @Test
  void filters() {
    assertThat(render("{{customer.first_name | upcase}}", ADA)).isEqualTo("ADA");
    assertThat(render("{{customer.first_name|downcase}}", ADA)).isEqualTo("ada");
    assertThat(render("{{ customer.city | default: \"Paris\" }}", ADA)).isEqualTo("Paris");
    assertThat(render("{{ customer.missing | default: 'friend' }}", ADA)).isEqualTo("friend");
    assertThat(render("{{ customer.first_name | default: \"friend\" }}", ADA)).isEqualTo("Ada");
    // Chained left to right: default first, then upcase applies to the default too.
    assertThat(render("{{ customer.missing | default: \"friend\" | upcase }}", ADA))
        .isEqualTo("FRIEND");
    assertThat(render("{{ customer.first_name | upcase | downcase }}", ADA)).isEqualTo("ada");
  }

  @Test
  void aMissingValueWithoutDefaultLeavesTheWholeValueOut() {
    assertThat(render("[{{customer.missing}}][{{customer.city}}]", ADA)).isNull();
    assertThat(render("Hi {{customer.missing}}", ADA)).isNull();
    assertThat(render("Hi {{customer.missing | default: \"\"}}", ADA)).isEqualTo("Hi ");
    assertThat(render("Hi {{customer.first_name}}", Map.of("first_name", ""))).isNull();
  }

  @Test
  void missingValuesAreLeftOutOfAttributesAndPropertiesNeverSentEmpty() {
    Activation a =
        activation()
            .field("greeting", "Hi {{ customer.first_name }}")
            .field("company", "{{ customer.company_name }}")
            .field("tier", "{{ customer.tier | default: \"basic\" }}")
            .property("city", "{{ customer.city }}")
            .build();
    Map<String, String> values = Map.of("ext_id", "e-1", "first_name", "Ada");

    Activation.Rendered r = a.render(values::get);

    assertThat(r.attributes()).containsOnlyKeys("greeting", "tier").containsEntry("tier", "basic");
    assertThat(r.properties()).isEmpty();
  }

  @Test
  void eventValuesParseAndAreRefusedForSegmentEnrollment() {
    Template t = Template.parse("{{ event.data.order_id }}/{{ event.type }}/{{ customer.email }}");
    assertThat(t.eventFields()).containsExactlyInAnyOrder("data.order_id", "type");
    assertThat(t.fields()).containsExactly("email");
    assertThat(
            t.render(
                Map.of("event.data.order_id", "o-1", "event.type", "order", "email", "a@b.c")::get))
        .isEqualTo("o-1/order/a@b.c");
    assertThat(error("{{ event.user }}")).contains("unknown event value \"user\"");
    assertThatThrownBy(
            () ->
                Activation.builder("seg")
                    .segment("everyone")
                    .target(TargetIdentifier.email())
                    .touchpoint(Touchpoint.campaign("c"))
                    .property("order", "{{ event.data.order_id }}")
                    .build())
        .hasMessageContaining("event.* values exist only for event enrollment");
  }

  @Test
  void syntaxErrorsNameTheFieldNumberAndColumn() {
    assertThatThrownBy(
            () ->
                activation()
                    .field("a", "{{customer.first_name}}")
                    .field("b", "x")
                    .field("company", "{{customer.co | capitalize}}")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field #3 (company): column 17: unknown filter \"capitalize\"");
    assertThat(error("{{customer.name"))
        .isEqualTo("field #1 (f): column 1: unclosed {{ (no matching }})");
    assertThat(error("Hi {{ user.name }}"))
        .isEqualTo(
            "field #1 (f): column 7: unknown variable \"user\": use customer.<field> or"
                + " event.data.<field>, event.type, event.action, event.ts, event.id");
    assertThat(error("{{customer.}}"))
        .isEqualTo("field #1 (f): column 12: expected a field name after \"customer.\"");
    assertThat(error("{{customer.a | default }}"))
        .isEqualTo(
            "field #1 (f): column 24: filter \"default\" needs a value, e.g. default: \"text\"");
    assertThat(error("{{customer.a | default: \"x}}"))
        .isEqualTo("field #1 (f): column 25: unterminated string");
    assertThat(error("{{customer.a | upcase: \"x\"}}"))
        .isEqualTo("field #1 (f): column 22: filter \"upcase\" takes no argument");
    assertThat(error("{% if customer.a %}"))
        .startsWith("field #1 (f): column 1: tags ({% ... %}) are not supported");
    assertThat(error("{{customer.a customer.b}}"))
        .isEqualTo("field #1 (f): column 14: expected \"|\" or \"}}\" but found \"c\"");
  }

  private static String error(String template) {
    try {
      activation().field("f", template).build();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("no error for " + template);
  }

  @Test
  void everyProblemIsListed() {
    assertThatThrownBy(
            () ->
                activation()
                    .field("a", "{{customer.x | nope}}")
                    .field("external_id", "{{customer.x}}")
                    .build())
        .hasMessageContaining("field #1 (a): column 16: unknown filter \"nope\"")
        .hasMessageContaining(
            "field #2 (external_id): \"external_id\" is an identifier and cannot be set");
  }

  @Test
  void twentyFieldsAreAllowedAndTwentyOneAreNot() {
    Activation.Builder b = activation();
    for (int i = 1; i <= 20; i++) {
      b.field("f" + i, "{{customer.first_name}}");
    }
    assertThat(b.build().fields()).hasSize(20);
    b.field("f21", "{{customer.first_name}}");
    assertThatThrownBy(b::build).hasMessage("21 fields, over the limit of 20 extra fields");
  }

  @Test
  void unknownSchemaFieldsFailValidation() {
    Activation a =
        activation()
            .field("first_name", "{{customer.first_name}}")
            .field("company", "{{ customer.company_nme | default: \"-\" }}")
            .property("coupon", "{{customer.coupon}}")
            .build();
    assertThat(a.requiredFields()).containsExactly("company_nme", "coupon", "ext_id", "first_name");
    List<SchemaField> schema =
        List.of(
            SchemaField.of("first_name", FieldType.STRING, "First name"),
            SchemaField.of("ext_id", FieldType.STRING, "Ext"));
    assertThatThrownBy(() -> a.validate(schema))
        .hasMessage(
            "activation t: field #2 (company): unknown ODP customer field \"company_nme\";"
                + " property \"coupon\": unknown ODP customer field \"coupon\"");
    Activation ok = activation().field("first_name", "{{customer.first_name}}").build();
    ok.validate(schema);
  }

  @Test
  void renderRejectsValuesOverTheLimit() {
    Activation a =
        activation()
            .field("greeting", "Hi {{customer.first_name}}")
            .field("bio", "{{customer.bio}}")
            .build();
    Map<String, String> values = new HashMap<>(Map.of("ext_id", "e1", "first_name", "Ada"));
    values.put("bio", "x".repeat(256));
    Activation.Rendered r = a.render(values::get);
    assertThat(r.key()).isEqualTo("external_id:e1");
    assertThat(r.rejection()).isEqualTo("field #2 (bio): 256 characters, over the limit of 255");
    values.put("bio", "x".repeat(255));
    assertThat(a.render(values::get).rejection()).isNull();
    assertThat(a.render(values::get).attributes()).containsEntry("greeting", "Hi Ada");
  }

  @Test
  void builderRefusesRulesThatDoNotApply() {
    assertThatThrownBy(
            () ->
                Activation.builder("p")
                    .event(EventFilter.type("order"))
                    .rules(AutomationRules.none().perCustomerPerHour(1))
                    .target(TargetIdentifier.email())
                    .touchpoint(Touchpoint.profileUpdateOnly())
                    .field("a", "{{customer.email}}")
                    .build())
        .hasMessageContaining("per-hour caps count messages");
    assertThatThrownBy(() -> Activation.builder("p").build())
        .hasMessageContaining("choose an enrollment")
        .hasMessageContaining("choose a target identifier")
        .hasMessageContaining("choose a touchpoint");
  }
}
