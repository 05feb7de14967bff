package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class SegmentsServiceTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  @Test
  void qualifiedSendsVariablesAndKeepsQualifiedNodes() throws Exception {
    server.enqueue(
        json(
            200,
            "{\"data\":{\"customer\":{\"audiences\":{\"edges\":["
                + "{\"node\":{\"name\":\"has_email\",\"state\":\"qualified\"}},"
                + "{\"node\":{\"name\":\"vip\",\"state\":\"not_qualified\"}},"
                + "{\"node\":{\"name\":\"has_email_opted_in\",\"state\":\"qualified\"}}]}}}}"));

    List<String> qualified =
        t.client()
            .segments()
            .qualified("fs_user_id", "user-1", List.of("has_email", "vip", "has_email_opted_in"));

    assertThat(qualified).containsExactly("has_email", "has_email_opted_in");
    RecordedRequest r = t.take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/v3/graphql");
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(TestSupport.KEY);
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(r.getBody().utf8())
        .isEqualTo(
            "{\"query\":\"query($userId: String, $audiences: [String]) {customer(fs_user_id: $userId)"
                + " {audiences(subset: $audiences) {edges {node {name state}}}}}\","
                + "\"variables\":{\"userId\":\"user-1\","
                + "\"audiences\":[\"has_email\",\"vip\",\"has_email_opted_in\"]}}");
  }

  @Test
  void graphQlErrorsBecomeATypedException() {
    server.enqueue(
        json(
            200,
            "{\"errors\":[{\"message\":\"Exception while fetching data (/customer) :"
                + " java.lang.RuntimeException: could not resolve _fs_user_id = asdsdaddddd\","
                + "\"locations\":[{\"line\":2,\"column\":3}],\"path\":[\"customer\"],"
                + "\"extensions\":{\"code\":\"INVALID_IDENTIFIER_EXCEPTION\","
                + "\"classification\":\"DataFetchingException\"}}],\"data\":{\"customer\":null}}"));

    assertThatThrownBy(
            () -> t.client().segments().qualified("fs_user_id", "asdsdaddddd", List.of("a")))
        .isInstanceOfSatisfying(
            OdpGraphQlException.class,
            e -> {
              assertThat(e.isInvalidIdentifier()).isTrue();
              assertThat(e.errors())
                  .singleElement()
                  .satisfies(
                      err -> {
                        assertThat(err.code()).isEqualTo("INVALID_IDENTIFIER_EXCEPTION");
                        assertThat(err.classification()).isEqualTo("DataFetchingException");
                        assertThat(err.path()).containsExactly("customer");
                      });
              assertThat(e.getMessage())
                  .startsWith("ODP graphql query failed: INVALID_IDENTIFIER_EXCEPTION")
                  .doesNotContain(TestSupport.KEY);
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void emptySubsetMakesNoRequestAndIdentifierNameIsValidated() {
    assertThat(t.client().segments().qualified("vuid", "abc", List.of())).isEmpty();
    assertThatThrownBy(() -> t.client().segments().qualified("x: 1) {y} #", "abc", List.of("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("identifierName: invalid name");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void missingDataWithoutErrorsIsADecodingErrorNotAnEmptyAnswer() {
    server.enqueue(json(200, "{\"data\":{\"customer\":null}}"));

    assertThatThrownBy(() -> t.client().segments().qualified("vuid", "abc", List.of("a")))
        .isInstanceOf(OdpDecodingException.class);
  }
}
