package io.github.brazeodp.sync.currents;

import static io.github.brazeodp.sync.currents.CurrentsTestSupport.NOW;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.OTHER_TOKEN;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.TOKEN;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.batch;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.event;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.headers;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.read;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.inspect.EventInspector;
import io.github.brazeodp.sync.inspect.InspectedExchange;
import io.github.brazeodp.sync.inspect.RingBufferInspector;
import io.github.brazeodp.sync.state.IdentityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CurrentsReceiverTest {
  private final InMemoryOdp odp = new InMemoryOdp();
  private final SyncStateStore store = SyncStateStore.inMemory();
  private final ManualClock clock = new ManualClock(NOW);
  private final CurrentsForwarder forwarder =
      CurrentsForwarder.builder()
          .odp(odp)
          .state(store)
          .clock(clock)
          .jitter(() -> 0.5)
          .activityWindow(Duration.ZERO)
          .build();
  private CurrentsReceiver receiver =
      CurrentsReceiver.builder().tokens(TOKEN, OTHER_TOKEN).forwarder(forwarder).build();

  @AfterEach
  void close() {
    forwarder.close();
    store.close();
  }

  private CurrentsResponse post(byte[] body) {
    return receiver.handle(headers(TOKEN), body);
  }

  // ---- authentication ------------------------------------------------------------------------

  @Test
  void missingTokenIs401EvenForAnEmptyBatch() {
    for (byte[] body : List.of(new byte[0], utf8("{\"events\":[]}"), batch(event("a")))) {
      CurrentsResponse r = receiver.handle(Map.of("Braze-Currents-Version", List.of("1")), body);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).contains("missing bearer token");
      assertThat(r.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"braze-currents\"");
    }
    assertThat(store.outboxSize().messages()).isZero();
    assertThat(receiver.counts().unauthorized()).isEqualTo(3);
    assertThat(receiver.counts().received()).isZero();
  }

  @Test
  void wrongTokenOrSchemeIs401() {
    for (String auth :
        List.of(
            "Bearer wrong-token",
            "Bearer " + TOKEN.toLowerCase(java.util.Locale.ROOT),
            "Bearer " + TOKEN + "x",
            "Basic " + TOKEN,
            TOKEN,
            "Bearer")) {
      CurrentsResponse r =
          receiver.handle(Map.of("Authorization", List.of(auth)), utf8("{\"events\":[]}"));
      assertThat(r.status()).as(auth).isEqualTo(401);
      assertThat(r.body()).contains("invalid bearer token").doesNotContain(TOKEN);
    }
  }

  @Test
  void everyConfiguredTokenIsAcceptedSoTokensCanRotate() {
    for (String token : List.of(TOKEN, OTHER_TOKEN)) {
      CurrentsResponse r =
          receiver.handle(Map.of("AUTHORIZATION", List.of("bearer  " + token)), new byte[0]);
      assertThat(r.status()).as(token).isEqualTo(200);
    }
    // After the rotation the old token is removed from the configuration and refused.
    receiver = CurrentsReceiver.builder().tokens(OTHER_TOKEN).forwarder(forwarder).build();
    assertThat(receiver.handle(headers(TOKEN), new byte[0]).status()).isEqualTo(401);
    assertThat(receiver.handle(headers(OTHER_TOKEN), new byte[0]).status()).isEqualTo(200);
  }

  @Test
  void tokensAreValidatedWithoutEchoingThem() {
    assertThatThrownBy(() -> CurrentsReceiver.builder().tokens("has space secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tokens[0]: a bearer token must be")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> CurrentsReceiver.builder().forwarder(forwarder).build())
        .hasMessage("at least one bearer token is required");
  }

  @Test
  void emptyBodyAndEmptyBatchAreNoOps() {
    for (String body : List.of("", "  \n", "{\"events\":[]}")) {
      CurrentsResponse r = post(utf8(body));
      assertThat(r.status()).as(body).isEqualTo(200);
      assertThat(r.acknowledged()).isTrue();
    }
    assertThat(store.outboxSize().messages()).isZero();
  }

  @Test
  void aBodyWithoutEventsIs400NotAnEmptyBatch() {
    for (String body : List.of("{}", "{\"data\":[" + event("x") + "]}")) {
      CurrentsResponse r = post(utf8(body));
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.body()).contains("no \\\"events\\\" array");
    }
  }

  // ---- encodings and header lookups ----------------------------------------------------------

  private static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static RequestHeaders withEncoding(String encoding) {
    Map<String, List<String>> h = new java.util.HashMap<>(headers(TOKEN));
    h.put("Content-Encoding", List.of(encoding));
    return RequestHeaders.of(h);
  }

  @Test
  void aGzipBodyIsDecoded() {
    CurrentsResponse r =
        receiver.handle(withEncoding("gzip"), gzip(batch(event("g1"), event("g2"))));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("\"queued\":2");
    assertThat(store.outboxSize().messages()).isEqualTo(2);
  }

  @Test
  void aDecompressionBombIs413WithoutInflatingIt() {
    // 64 MiB of spaces compress to about 64 KiB; the receiver stops at its 16 MiB limit.
    byte[] bomb;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
      byte[] spaces = new byte[1 << 20];
      java.util.Arrays.fill(spaces, (byte) ' ');
      for (int i = 0; i < 64; i++) {
        gz.write(spaces);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    bomb = out.toByteArray();
    assertThat((long) bomb.length).isLessThan(receiver.maxBodyBytes() / 16);

    CurrentsResponse r = receiver.handle(withEncoding("gzip"), bomb);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).contains("decompresses to more than");
  }

  @Test
  void brokenGzipIs400AndUnknownEncodingsAre415() {
    assertThat(receiver.handle(withEncoding("gzip"), batch(event("plain"))).status())
        .isEqualTo(400);
    for (String encoding : List.of("br", "deflate", "gzip, gzip", "compress")) {
      CurrentsResponse r = receiver.handle(withEncoding(encoding), batch(event("e")));
      assertThat(r.status()).as(encoding).isEqualTo(415);
      assertThat(r.body()).contains("not supported");
    }
    assertThat(receiver.handle(withEncoding("identity"), batch(event("id"))).status())
        .isEqualTo(200);
    assertThat(store.outboxSize().messages()).isEqualTo(1);
  }

  @Test
  void headersCanBeReadThroughAnyServersLookup() {
    // What Servlet's getHeader, Spring's HttpHeaders.getFirst or Jetty's HttpFields.get do.
    Map<String, String> serverHeaders = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    serverHeaders.put("authorization", "Bearer " + TOKEN);
    serverHeaders.put("braze-currents-version", "1");
    CurrentsResponse r = receiver.handle(serverHeaders::get, batch(event("l1")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(store.outboxSize().messages()).isEqualTo(1);
  }

  @Test
  void precheckDecidesFromTheHeadersAlone() {
    assertThat(receiver.precheck(RequestHeaders.of(headers(TOKEN)))).isEmpty();
    assertThat(receiver.precheck(name -> null))
        .get()
        .extracting(CurrentsResponse::status)
        .isEqualTo(401);
    assertThat(receiver.precheck(RequestHeaders.of(headers("wrong"))))
        .get()
        .extracting(CurrentsResponse::status)
        .isEqualTo(401);
    assertThat(receiver.precheck(withEncoding("br")))
        .get()
        .extracting(CurrentsResponse::status)
        .isEqualTo(415);
    Map<String, List<String>> big = new java.util.HashMap<>(headers(TOKEN));
    big.put("Content-Length", List.of(Long.toString(receiver.maxBodyBytes() + 1)));
    assertThat(receiver.precheck(RequestHeaders.of(big)))
        .get()
        .extracting(CurrentsResponse::status)
        .isEqualTo(413);
    assertThat(receiver.counts().unauthorized()).isEqualTo(2);
  }

  @Test
  void unknownVersionIsProcessedAnyway() {
    CurrentsResponse r =
        receiver.handle(
            Map.of(
                "Authorization", List.of("Bearer " + TOKEN),
                "Braze-Currents-Version", List.of("2")),
            batch(event("v2")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(store.outboxSize().messages()).isEqualTo(1);
  }

  // ---- malformed bodies ----------------------------------------------------------------------

  @Test
  void malformedBodiesAre400WithAReasonAndNothingIsKept() {
    Map<String, String> cases =
        Map.of(
            "garbage <html>", "malformed JSON",
            "[{\"id\":\"a\"}]",
                "the body must be a JSON object {\"events\": [...]}, found an array",
            "\"events\"", "found a string",
            "{\"events\":{\"id\":\"a\"}}", "\"events\" must be an array, found an object",
            "{\"events\":null}", "\"events\" must be an array, found null",
            "{\"events\":[{\"id\":\"a\",", "malformed JSON: the body ends in the middle of a value",
            "{\"events\":[]} trailing", "malformed JSON",
            "{\"events\":[],\"events\":[]}", "\"events\" appears twice");
    cases.forEach(
        (body, reason) -> {
          CurrentsResponse r = post(utf8(body));
          assertThat(r.status()).as(body).isEqualTo(400);
          assertThat(r.body()).as(body).contains(reason.replace("\"", "\\\""));
        });
    assertThat(store.outboxSize().messages()).isZero();
    // The receiver is still healthy.
    assertThat(post(batch(event("after"))).status()).isEqualTo(200);
  }

  @Test
  void nonUtf8BytesAre400NamingTheOffset() {
    byte[] prefix = utf8("{\"events\":[" + event("u1").replace("u1@example.com", "u1@exampl"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(prefix);
    out.write(0xC3);
    out.write(0x28); // 0xC3 must be followed by a continuation byte
    out.writeBytes(utf8("e.com\"}}]}"));
    CurrentsResponse r = post(out.toByteArray());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("not valid UTF-8 (byte offset " + prefix.length + ")");

    // Latin-1 encoded text, a common real-world mistake.
    CurrentsResponse latin1 =
        post(
            ("{\"events\":[" + event("u2", "x.Y", "\"city\":\"Zürich\"") + "]}")
                .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(latin1.status()).isEqualTo(400);
    assertThat(store.outboxSize().messages()).isZero();
  }

  @Test
  void bodyOverTheLimitIs413() {
    receiver =
        CurrentsReceiver.builder()
            .tokens(TOKEN)
            .forwarder(forwarder)
            .maxBodyBytes(1024 * 1024)
            .build();
    String big = "x".repeat(600 * 1024);
    CurrentsResponse r =
        post(
            batch(
                event("b1", "x.Y", "\"a\":\"" + big + "\""),
                event("b2", "x.Y", "\"a\":\"" + big + "\"")));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).contains("over the limit of 1048576");
  }

  @Test
  void tooManyEventsIs413SoBrazeSplitsTheBatch() {
    receiver = CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).maxEvents(3).build();
    CurrentsResponse r = post(batch(event("1"), event("2"), event("3"), event("4")));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).contains("more than 3 events");
    assertThat(post(batch(event("1"), event("2"), event("3"))).status()).isEqualTo(200);
  }

  @Test
  void hugeStringsAreTruncatedAndHugeEventsRejectedIndividually() {
    String long2k = "y".repeat(2000);
    String oneMeg = "z".repeat(1024 * 1024);
    CurrentsResponse r =
        post(
            batch(
                event(
                    "long",
                    "x.Y",
                    "\"email_address\":\"l@example.com\",\"text\":\"" + long2k + "\""),
                event(
                    "huge",
                    "x.Y",
                    "\"email_address\":\"h@example.com\",\"text\":\"" + oneMeg + "\""),
                event("ok")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"queued\":2")
        .contains("\"rejected\":1")
        .contains("events[1]: the event's JSON is")
        .contains("over the limit of 921600");
    assertThat(receiver.counts().truncatedFields()).isEqualTo(1);
    forwarder.drainOnce();
    OdpEvent sent = odp.events().get(0);
    assertThat((String) sent.data().get("_braze_text")).hasSize(1024);
  }

  @Test
  void deepNestingRejectsOnlyThatEvent() {
    String deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
    CurrentsResponse r =
        post(
            batch(
                event("good"), event("deep", "x.Y", "\"email_address\":\"d@x.io\",\"p\":" + deep)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"queued\":1")
        .contains("events[1]: nested deeper than 32 levels at $.events[1].properties.p.a.a");
    assertThat(store.outboxSize().messages()).isEqualTo(1);
  }

  @Test
  void nestingBeyondWhatAnyParserAllowsFailsTheBatchAndTheReceiverStaysHealthy() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    CurrentsResponse r = post(utf8("{\"events\":[" + event("good") + "," + deep + "]}"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("malformed JSON").contains("Nesting too deep");
    assertThat(store.outboxSize().messages()).isZero();
    assertThat(post(batch(event("good"))).status()).isEqualTo(200);
  }

  // ---- partly bad batches, unmatched events --------------------------------------------------

  @Test
  void invalidEventsAreRejectedWithoutLosingTheValidOnes() {
    CurrentsResponse r =
        post(
            batch(
                event("v1"),
                "{\"event_type\":\"x.Y\",\"time\":1}",
                "{\"id\":\"t1\",\"event_type\":\"x.Y\",\"time\":\"yesterday\"}",
                "{\"id\":\"n1\",\"time\":1}",
                "42",
                event("v2")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"received\":6", "\"queued\":2", "\"rejected\":4")
        .contains("{\"index\":1,\"reason\":\"events[1].id: required, missing\"}")
        .contains(
            "{\"index\":2,\"id\":\"t1\",\"reason\":\"events[2](t1).time: must be a number of"
                + " epoch seconds, was \\\"yesterday\\\" (string)\"}")
        .contains("events[3].event_type: required, missing")
        .contains("events[4]: must be a JSON object, found a number");
    forwarder.drainOnce();
    assertThat(odp.events()).extracting(OdpEvent::idempotenceId).containsExactly("v1", "v2");
    assertThat(receiver.counts().rejected()).isEqualTo(4);
    assertThat(receiver.counts().received()).isEqualTo(6);
  }

  @Test
  void aBatchWithNoValidEventIs400SoBrazeReportsIt() {
    CurrentsResponse r = post(batch("{\"id\":\"x\",\"event_type\":\"x.Y\",\"time\":null}"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("no event of the batch is valid").contains("time");
  }

  @Test
  void unmatchedEventsAreCountedAndListedNotQueued() {
    CurrentsResponse r =
        post(batch(event("m1"), event("nobody", "users.behaviors.app.SessionStart", "")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("\"unmatched\":1", "\"unmatched_ids\":[\"nobody\"]");
    assertThat(receiver.counts().unmatched()).isEqualTo(1);
    assertThat(store.outboxSize().messages()).isEqualTo(1);
  }

  // ---- de-duplication ------------------------------------------------------------------------

  @Test
  void aSecondDeliveryOfTheSameBatchIsNotForwardedAgain() {
    byte[] body = batch(event("d1"), event("d2"), event("d3"));
    assertThat(post(body).body()).contains("\"queued\":3", "\"duplicates\":0");
    assertThat(post(body).body()).contains("\"queued\":0", "\"duplicates\":3");
    forwarder.drainOnce();
    // Also after forwarding, when the ids have left the outbox.
    CurrentsResponse third = post(body);
    assertThat(third.status()).isEqualTo(200);
    assertThat(third.body()).contains("\"duplicates\":3");
    forwarder.drainOnce();
    assertThat(odp.events()).extracting(OdpEvent::idempotenceId).containsExactly("d1", "d2", "d3");
    assertThat(odp.calls(InMemoryOdp.Operation.SEND_EVENTS)).isEqualTo(1);
    assertThat(receiver.counts().duplicates()).isEqualTo(6);
  }

  @Test
  void idsAreForgottenAfterTheWindow() {
    receiver =
        CurrentsReceiver.builder()
            .tokens(TOKEN)
            .forwarder(forwarder)
            .dedupeWindow(Duration.ofDays(1))
            .build();
    byte[] body = batch(event("w1"));
    assertThat(post(body).body()).contains("\"queued\":1");
    clock.advance(Duration.ofHours(23));
    assertThat(post(body).body()).contains("\"duplicates\":1");
    clock.advance(Duration.ofHours(2));
    assertThat(post(body).body()).contains("\"queued\":1");
  }

  @Test
  void repeatedIdsInsideOneBatchCountAsDuplicates() {
    byte[] legacy =
        utf8(read(CurrentsTestSupport.fixtures("legacy").resolve("batch_envelope_example.json")));
    // The legacy example reuses one id for two events; ids are globally unique, so the second is
    // a duplicate. Its session event carries only Braze ids: the identity map identifies it.
    store.putIdentities(
        List.of(
            new IdentityRecord(
                "0123456789abcdef01234567", "user_id", Map.of("email", "known@example.com"), NOW)));
    CurrentsResponse r = post(legacy);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("\"received\":2", "\"queued\":1", "\"duplicates\":1");
    forwarder.drainOnce();
    assertThat(odp.events()).hasSize(1);
    assertThat(odp.events().get(0).action()).isEqualTo("behaviors_app_sessionstart");
    assertThat(odp.events().get(0).identifiers()).containsEntry("email", "known@example.com");
  }

  // ---- outbox bound and store failures -------------------------------------------------------

  @Test
  void fullOutboxIs503AndKeepsNothingOfTheBatch() {
    receiver =
        CurrentsReceiver.builder()
            .tokens(TOKEN)
            .forwarder(forwarder)
            .maxOutbox(4, 10_000_000)
            .build();
    assertThat(post(batch(event("f1"), event("f2"), event("f3"))).status()).isEqualTo(200);
    byte[] second = batch(event("f4"), event("f5"));
    CurrentsResponse refused = post(second);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.headers()).containsEntry("Retry-After", "60");
    assertThat(refused.body()).contains("the outbox is full (3 events");
    assertThat(store.outboxSize().messages()).isEqualTo(3);
    assertThat(receiver.counts().refusedBatches()).isEqualTo(1);

    // Once ODP caught up, Braze's resend of the refused batch is accepted: it was not marked seen.
    forwarder.drainOnce();
    CurrentsResponse resent = post(second);
    assertThat(resent.status()).isEqualTo(200);
    assertThat(resent.body()).contains("\"queued\":2", "\"duplicates\":0");
  }

  @Test
  void outboxByteBoundAlsoRefuses() {
    receiver =
        CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).maxOutbox(1000, 500).build();
    CurrentsResponse r = post(batch(event("b1"), event("b2")));
    assertThat(r.status()).isEqualTo(503);
  }

  @Test
  void aFailingStoreIs503NeverA2xx() {
    store.close();
    CurrentsResponse r = post(batch(event("s1")));
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.acknowledged()).isFalse();
  }

  // ---- inspector -----------------------------------------------------------------------------

  @Test
  void eachBatchIsReportedToTheInspectorWithTheTokenRedacted() {
    RingBufferInspector recent = EventInspector.ringBuffer(10);
    receiver =
        CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).inspector(recent).build();
    post(batch(event("i1")));
    receiver.handle(Map.of("Authorization", List.of("Bearer " + TOKEN + "zz")), new byte[0]);
    List<InspectedExchange> seen = recent.snapshot();
    assertThat(seen).hasSize(2);
    InspectedExchange first = seen.get(0);
    assertThat(first.source()).isEqualTo(InspectedExchange.Source.CURRENTS);
    assertThat(first.endpoint()).isEqualTo("/currents");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.requestBody()).contains("\"id\":\"i1\"");
    assertThat(first.responseBody()).contains("\"queued\":1");
    assertThat(seen.get(1).status()).isEqualTo(401);
    assertThat(seen.toString()).doesNotContain(TOKEN);
    assertThat(
            first.requestHeaders().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("authorization"))
                .flatMap(e -> e.getValue().stream())
                .collect(Collectors.toList()))
        .containsExactly("Bearer [REDACTED]");
  }

  @Test
  void anInspectorThatThrowsDoesNotBreakDelivery() {
    receiver =
        CurrentsReceiver.builder()
            .tokens(TOKEN)
            .forwarder(forwarder)
            .inspector(
                e -> {
                  throw new IllegalStateException("boom");
                })
            .build();
    assertThat(post(batch(event("i2"))).status()).isEqualTo(200);
  }
}
