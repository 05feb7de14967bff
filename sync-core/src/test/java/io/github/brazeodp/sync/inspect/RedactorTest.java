package io.github.brazeodp.sync.inspect;

import static io.github.brazeodp.sync.inspect.TestExchanges.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.sync.inspect.InspectedExchange.Source;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each redaction rule, for exchanges arriving from each source: the Braze listener, the ODP
 * listener, and a direct {@code record} (the Currents receiver). The raw exchanges are built as a
 * client that forgot to redact would report them.
 */
class RedactorTest {
  private static final String BRAZE_KEY = "braze-live-key-0001";
  private static final String ODP_KEY = "odp-live-key-0002";

  /** The parts of an exchange a test varies. */
  record Raw(
      String url,
      Map<String, List<String>> requestHeaders,
      String requestBody,
      Map<String, List<String>> responseHeaders,
      String responseBody,
      String error) {
    static Raw raw() {
      return new Raw("https://api.test/v3/events", Map.of(), "", Map.of(), "", null);
    }

    Raw url(String value) {
      return new Raw(value, requestHeaders, requestBody, responseHeaders, responseBody, error);
    }

    Raw requestHeaders(Map<String, List<String>> value) {
      return new Raw(url, value, requestBody, responseHeaders, responseBody, error);
    }

    Raw requestBody(String value) {
      return new Raw(url, requestHeaders, value, responseHeaders, responseBody, error);
    }

    Raw responseHeaders(Map<String, List<String>> value) {
      return new Raw(url, requestHeaders, requestBody, value, responseBody, error);
    }

    Raw responseBody(String value) {
      return new Raw(url, requestHeaders, requestBody, responseHeaders, value, error);
    }

    Raw error(String value) {
      return new Raw(url, requestHeaders, requestBody, responseHeaders, responseBody, value);
    }
  }

  /** Sends {@code raw} in through the path {@code source} uses and returns what was stored. */
  private static InspectedExchange seen(Source source, Raw raw, String... secrets) {
    RingBufferInspector ring = EventInspector.ringBuffer(4);
    EventInspector inspector = secrets.length == 0 ? ring : ring.withSecrets(secrets);
    switch (source) {
      case BRAZE ->
          inspector
              .brazeListener()
              .onExchange(
                  TestExchanges.braze(
                      raw.url(),
                      raw.requestHeaders(),
                      raw.requestBody(),
                      raw.responseHeaders(),
                      raw.responseBody(),
                      raw.error()));
      case ODP ->
          inspector
              .odpListener()
              .onExchange(
                  TestExchanges.odp(
                      raw.url(),
                      raw.requestHeaders(),
                      raw.requestBody(),
                      raw.responseHeaders(),
                      raw.responseBody(),
                      raw.error()));
      case CURRENTS ->
          inspector.record(
              new InspectedExchange(
                  T0,
                  Source.CURRENTS,
                  "POST",
                  raw.url(),
                  "/currents",
                  1,
                  raw.error() == null ? 200 : -1,
                  Duration.ZERO,
                  raw.requestHeaders(),
                  raw.requestBody(),
                  raw.responseHeaders(),
                  raw.responseBody(),
                  raw.error()));
    }
    assertThat(ring.snapshot()).hasSize(1);
    InspectedExchange stored = ring.snapshot().get(0);
    assertThat(stored.source()).isEqualTo(source);
    return stored;
  }

  private static Map<String, List<String>> headers(String... namesAndValues) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      out.put(namesAndValues[i], List.of(namesAndValues[i + 1]));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void redactsCredentialHeadersAndKeepsTheOthers(Source source) {
    InspectedExchange e =
        seen(
            source,
            Raw.raw()
                .requestHeaders(
                    headers(
                        "Authorization", "Bearer abc.DEF-123_x/y+z==",
                        "x-api-key", "plain-key-value",
                        "X-Auth-Token", "t0k3n",
                        "X-Client-Secret", "s3cr3t",
                        "Proxy-Authorization", "Basic dXNlcjpwYXNz",
                        "Cookie", "session=abc",
                        "X-Forwarded-Auth", "Bearer zzz111",
                        "Content-Type", "application/json",
                        "X-Request-Id", "req-42"))
                .responseHeaders(headers("Set-Cookie", "sid=xyz; Path=/", "X-Trace", "t-1")));

    assertThat(e.requestHeaders())
        .containsEntry("Authorization", List.of("Bearer [REDACTED]"))
        .containsEntry("x-api-key", List.of("[REDACTED]"))
        .containsEntry("X-Auth-Token", List.of("[REDACTED]"))
        .containsEntry("X-Client-Secret", List.of("[REDACTED]"))
        .containsEntry("Proxy-Authorization", List.of("Basic [REDACTED]"))
        .containsEntry("Cookie", List.of("[REDACTED]"))
        .containsEntry("X-Forwarded-Auth", List.of("Bearer [REDACTED]"))
        .containsEntry("Content-Type", List.of("application/json"))
        .containsEntry("X-Request-Id", List.of("req-42"));
    assertThat(e.responseHeaders())
        .containsEntry("Set-Cookie", List.of("[REDACTED]"))
        .containsEntry("X-Trace", List.of("t-1"));
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void redactsCredentialJsonFieldsAtAnyDepthWhateverTheirType(Source source) {
    String body =
        "{\"api_key\":\"k1\", \"apiKey\" : \"k2\",\"nested\":{\"token\":12345,"
            + "\"Password\":\"p \\\"w\\\"\",\"client_secret\":{\"a\":[1,\"}\"]}},"
            + "\"list\":[{\"access_token\":\"t\"}],\"api\\u005fkey\":\"k3\","
            + "\"email\":\"a@example.com\",\"_braze_segment\":\"vip\",\"key_count\":3}";

    InspectedExchange e = seen(source, Raw.raw().requestBody(body).responseBody(body));

    String expected =
        "{\"api_key\":\"[REDACTED]\", \"apiKey\" : \"[REDACTED]\",\"nested\":{"
            + "\"token\":\"[REDACTED]\",\"Password\":\"[REDACTED]\","
            + "\"client_secret\":\"[REDACTED]\"},\"list\":[{\"access_token\":\"[REDACTED]\"}],"
            + "\"api\\u005fkey\":\"[REDACTED]\","
            + "\"email\":\"a@example.com\",\"_braze_segment\":\"vip\",\"key_count\":3}";
    assertThat(e.requestBody()).isEqualTo(expected);
    assertThat(e.responseBody()).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void redactsAFieldWhoseValueIsCutOffByTheBodyCap(Source source) {
    InspectedExchange e = seen(source, Raw.raw().requestBody("[{\"data\":{\"secret\":\"abcdef"));

    assertThat(e.requestBody()).isEqualTo("[{\"data\":{\"secret\":\"[REDACTED]\"");
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void redactsCredentialQueryParametersAndPresignedSignaturesInTheUrl(Source source) {
    String url =
        "https://storage.test/export/seg.zip?api_key=abc&page=2&token=t0k"
            + "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101"
            + "&X-Amz-Security-Token=IQoJ&X-Amz-Signature=ff00aa&Signature=s1&sig=s2&Expires=123";

    InspectedExchange e = seen(source, Raw.raw().url(url));

    assertThat(e.url())
        .isEqualTo(
            "https://storage.test/export/seg.zip?api_key=[REDACTED]&page=2&token=[REDACTED]"
                + "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[REDACTED]"
                + "&X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED]"
                + "&Signature=[REDACTED]&sig=[REDACTED]&Expires=123");
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void redactsPresignedUrlsInsideBodies(Source source) {
    // Braze's segment export answers with a pre-signed S3 URL; ODP's export with signed links.
    String body =
        "{\"message\":\"success\",\"url\":\"https://bucket.s3.amazonaws.com/seg.zip"
            + "?X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=0123abcd\","
            + "\"files\":[\"https://cdn.test/f.csv?Expires=1\\u0026Signature=zz\\u0026Key-Pair-Id=K1\"],"
            + "\"azure\":\"https://acct.blob.core.windows.net/c/f?sv=2024&se=2026&sig=AbC%3D\"}";

    InspectedExchange e = seen(source, Raw.raw().responseBody(body));

    assertThat(e.responseBody())
        .isEqualTo(
            "{\"message\":\"success\",\"url\":\"https://bucket.s3.amazonaws.com/seg.zip"
                + "?X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=[REDACTED]\","
                + "\"files\":[\"https://cdn.test/f.csv?Expires=1\\u0026Signature=[REDACTED]"
                + "\\u0026Key-Pair-Id=K1\"],"
                + "\"azure\":\"https://acct.blob.core.windows.net/c/f?sv=2024&se=2026"
                + "&sig=[REDACTED]\"}");
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void redactsEchoedSecretStringsEverywhere(Source source) {
    Raw raw =
        Raw.raw()
            .url("https://api.test/echo?q=" + BRAZE_KEY)
            .requestHeaders(headers("X-Debug", "sent " + ODP_KEY))
            .requestBody("{\"note\":\"customer pasted " + BRAZE_KEY + " here\"}")
            .responseBody("{\"detail\":\"unknown key " + ODP_KEY + "\"}")
            .error("java.io.IOException: proxy refused " + BRAZE_KEY);

    InspectedExchange e = seen(source, raw, BRAZE_KEY, ODP_KEY);

    assertThat(e.toString()).doesNotContain(BRAZE_KEY).doesNotContain(ODP_KEY);
    assertThat(e.url()).isEqualTo("https://api.test/echo?q=[REDACTED]");
    assertThat(e.requestHeaders()).containsEntry("X-Debug", List.of("sent [REDACTED]"));
    assertThat(e.requestBody()).isEqualTo("{\"note\":\"customer pasted [REDACTED] here\"}");
    assertThat(e.responseBody()).isEqualTo("{\"detail\":\"unknown key [REDACTED]\"}");
    assertThat(e.error()).isEqualTo("java.io.IOException: proxy refused [REDACTED]");
  }

  @Test
  void redactsTheUrlEncodedFormOfASecret() {
    String secret = "key/with+special=chars";
    InspectedExchange e =
        seen(
            Source.CURRENTS,
            Raw.raw().url("https://api.test/x?q=key%2Fwith%2Bspecial%3Dchars&page=1"),
            secret);

    assertThat(e.url()).isEqualTo("https://api.test/x?q=[REDACTED]&page=1");
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void redactsBearerTokensUserinfoAndKeyValuePairsInText(Source source) {
    Raw raw =
        Raw.raw()
            .url("https://user:pa55w0rd@proxy.test/v3/events")
            .requestBody("api_key=abc123&page=2")
            .responseBody("upstream said: x-api-key: abc-999, password=hunter2, ok")
            .error("401 Unauthorized (Authorization: Bearer abc.def)");

    InspectedExchange e = seen(source, raw);

    assertThat(e.url()).isEqualTo("https://[REDACTED]@proxy.test/v3/events");
    assertThat(e.requestBody()).isEqualTo("api_key=[REDACTED]&page=2");
    assertThat(e.responseBody())
        .isEqualTo("upstream said: x-api-key: [REDACTED], password=[REDACTED], ok");
    assertThat(e.error()).isEqualTo("401 Unauthorized (Authorization: Bearer [REDACTED])");
  }

  @Test
  void leavesOrdinaryPayloadsUntouched() {
    String body =
        "[{\"type\":\"braze\",\"action\":\"segment_entered\",\"identifiers\":"
            + "{\"email\":\"monkey@example.com\"},\"data\":{\"_braze_segment_id\":\"s1\","
            + "\"keywords\":\"a=b\",\"url\":\"https://shop.test/p?id=7&ref=mail\"}}]";
    InspectedExchange raw = TestExchanges.exchange(Source.ODP, 202, body);

    assertThat(EventInspector.redact(raw)).isEqualTo(raw);
  }

  @Test
  void redactionIsIdempotent() {
    InspectedExchange raw =
        InspectedExchange.builder(Source.BRAZE, "GET", "https://x.test/a?sig=1&token=2")
            .time(T0)
            .request(
                headers("Authorization", "Bearer abc", "x-api-key", "k"),
                "{\"token\":\"t\",\"u\":\"https://x?X-Amz-Signature=s\"}")
            .error("Bearer q password=w")
            .build();

    InspectedExchange once = EventInspector.redact(raw);

    // Layered inspectors on the same thread skip the work for the exchange just redacted.
    assertThat(Redactor.DEFAULT.redactOnce(once)).isSameAs(once);
    assertThat(EventInspector.redact(once)).isEqualTo(once);
    assertThat(Redactor.DEFAULT.redactOnce(raw)).isNotSameAs(raw).isEqualTo(once);
    assertThat(Redactor.withSecrets(List.of("abcdefgh")).redact(once)).isEqualTo(once);
  }

  @Test
  void rejectsSecretsTooShortToRedactSafely() {
    RingBufferInspector ring = EventInspector.ringBuffer(1);

    assertThatThrownBy(() -> ring.withSecrets("ok-secret", "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secrets[1]")
        .hasMessageNotContaining("\"k\"");
    assertThatThrownBy(() -> ring.withSecrets("   ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ring.withSecrets((String) null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void withSecretsTwiceRedactsBoth() {
    RingBufferInspector ring = EventInspector.ringBuffer(1);
    EventInspector inspector = ring.withSecrets(BRAZE_KEY).withSecrets(ODP_KEY);

    inspector.record(TestExchanges.exchange(Source.CURRENTS, 200, BRAZE_KEY + " " + ODP_KEY));

    assertThat(ring.snapshot().get(0).requestBody()).isEqualTo("[REDACTED] [REDACTED]");
    assertThat(inspector.toString()).doesNotContain(BRAZE_KEY);
  }
}
