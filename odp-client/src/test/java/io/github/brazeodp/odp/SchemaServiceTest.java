package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class SchemaServiceTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  @Test
  void fieldsReadsAnArrayWithUnknownTypesAsUnknown() throws Exception {
    server.enqueue(
        json(
            200,
            "[{\"name\":\"email\",\"type\":\"string\",\"display_name\":\"Last Seen Email\","
                + "\"public_read\":false},"
                + "{\"name\":\"geo\",\"type\":\"geopoint\",\"display_name\":\"Geo\"}]"));

    var fields = t.client().schema().fields("customers");

    assertThat(fields)
        .containsExactly(
            new SchemaField("email", FieldType.STRING, "Last Seen Email", null, false, null),
            new SchemaField("geo", FieldType.UNKNOWN, "Geo", null, null, null));
    RecordedRequest r = t.take();
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getTarget()).isEqualTo("/v3/schema/objects/customers/fields");
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(TestSupport.KEY);
  }

  @Test
  void fieldsAlsoReadsAWrappedList() {
    server.enqueue(
        json(
            200, "{\"fields\":[{\"name\":\"zip\",\"type\":\"string\",\"display_name\":\"Zip\"}]}"));

    assertThat(t.client().schema().fields("customers"))
        .extracting(SchemaField::name)
        .containsExactly("zip");
  }

  @Test
  void fieldReturnsEmptyOn404() throws Exception {
    server.enqueue(json(404, "{\"title\":\"Not Found\"}"));

    assertThat(t.client().schema().field("customers", "nope")).isEmpty();
    assertThat(t.take().getTarget()).isEqualTo("/v3/schema/objects/customers/fields/nope");
  }

  @Test
  void createFieldPostsTheDefinition() throws Exception {
    server.enqueue(
        json(
            200,
            "{\"name\":\"loyalty_tier\",\"type\":\"string\",\"display_name\":\"Loyalty Tier\"}"));

    SchemaField created =
        t.client()
            .schema()
            .createField(
                "customers",
                SchemaField.of("loyalty_tier", FieldType.STRING, "Loyalty Tier")
                    .withDescription("From Braze"));

    assertThat(created.name()).isEqualTo("loyalty_tier");
    RecordedRequest r = t.take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/v3/schema/objects/customers/fields");
    assertThat(r.getBody().utf8())
        .isEqualTo(
            "{\"name\":\"loyalty_tier\",\"type\":\"string\",\"display_name\":\"Loyalty Tier\","
                + "\"description\":\"From Braze\"}");
  }

  @Test
  void namesAreValidatedBeforeAnyRequest() {
    assertThatThrownBy(() -> t.client().schema().fields("../lists"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("objectName: invalid name \"../lists\"");
    assertThatThrownBy(
            () ->
                t.client()
                    .schema()
                    .createField("customers", SchemaField.of("Tier", FieldType.STRING, "Tier")))
        .hasMessageStartingWith("field.name: invalid name \"Tier\"");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void undecodableSuccessBodyIsADecodingError() {
    server.enqueue(json(200, "{\"fields\":\"oops\"}"));

    assertThatThrownBy(() -> t.client().schema().fields("customers"))
        .isInstanceOf(OdpDecodingException.class)
        .hasMessageContaining("/v3/schema/objects/customers/fields");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }
}
