package io.github.brazeodp.samples.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.BrazeAuthException;
import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.BrazeIoException;
import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.braze.ExportIdsRequest;
import io.github.brazeodp.braze.ExportJob;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.RetrySettings;
import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.braze.TrackEvent;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.TriggerSend;
import io.github.brazeodp.braze.UserAttributes;
import io.github.brazeodp.braze.UserIdentifier;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.ExportRows;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpAuthException;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both sandboxes over real HTTP on 127.0.0.1, driven by the real clients: one round trip per
 * endpoint family. Time is a hand-moved clock that the clients' sleepers advance, so nothing really
 * sleeps.
 */
class SandboxRoundTripTest {
  private static final Instant T0 = Instant.parse("2026-11-29T02:00:00Z");

  private final ManualClock clock = new ManualClock(T0);
  private InMemoryBraze brazeFake;
  private InMemoryOdp odpFake;
  private DemoWorld world;
  private BrazeSandbox brazeSandbox;
  private OdpSandbox odpSandbox;

  private void sleep(Duration d) {
    clock.sleep(d);
  }

  @BeforeEach
  void start() {
    brazeFake = new InMemoryBraze(clock, this::sleep, TrackLimit.COMBINED_50);
    odpFake = new InMemoryOdp();
    world = DemoWorld.seed(brazeFake, odpFake, 42);
    brazeFake.exportReadyAfter(Duration.ofMinutes(1));
    brazeSandbox = BrazeSandbox.builder().fake(brazeFake).clock(clock).sleeper(this::sleep).build();
    odpSandbox =
        OdpSandbox.builder()
            .fake(odpFake)
            .clock(clock)
            .sleeper(this::sleep)
            .exportReadyAfter(Duration.ofSeconds(20))
            .build();
  }

  @AfterEach
  void stop() {
    brazeSandbox.close();
    odpSandbox.close();
  }

  private BrazeClient braze(String key) {
    return BrazeClient.builder()
        .apiKey(key)
        .baseUrl(brazeSandbox.baseUrl())
        .clock(clock)
        .sleeper(this::sleep)
        .jitter(new SplittableRandom(1))
        .rateLimits(RateLimits.unlimited())
        .retry(RetrySettings.builder().maxAttempts(3).build())
        .build();
  }

  private OdpClient odp(String key) {
    return OdpClient.builder()
        .apiKey(key)
        .baseUrl(odpSandbox.baseUrl())
        .clock(clock)
        .sleeper(this::sleep)
        .rateLimits(io.github.brazeodp.odp.RateLimits.unlimited())
        .retry(io.github.brazeodp.odp.RetrySettings.builder().maxAttempts(3).seed(1).build())
        .build();
  }

  @Test
  void theDemoWorldIsDeterministic() {
    InMemoryBraze b = new InMemoryBraze(clock, this::sleep, TrackLimit.COMBINED_50);
    DemoWorld again = DemoWorld.seed(b, new InMemoryOdp(), 42);
    assertThat(again).isEqualTo(world);
    assertThat(b.users()).isEqualTo(brazeFake.users());
    assertThat(world.users()).isEqualTo(DemoWorld.USERS);
    assertThat(brazeFake.users()).hasSize(3_000);
    assertThat(odpFake.customers()).hasSize(world.odpCustomers());
  }

  @Test
  void brazeEndpointsRoundTripOverHttp() throws Exception {
    try (BrazeClient client = braze(brazeSandbox.apiKey())) {
      assertThat(client.verifyKey().allGranted()).isTrue();

      List<String> segments = new ArrayList<>();
      for (Segment s : client.segments().list()) {
        segments.add(s.id());
      }
      assertThat(segments).containsExactlyElementsOf(world.segmentIds());
      assertThat(client.segments().details("demo-gold").name()).isEqualTo("Gold tier");

      ExportJob job =
          client
              .exports()
              .segment(ExportSegmentRequest.of("demo-all", List.of("braze_id", "email")));
      assertThat(job.url()).get().asString().startsWith(brazeSandbox.baseUrl() + "exports/");
      job.awaitReady(clock.instant().plus(Duration.ofMinutes(10)));
      long read = 0;
      try (ExportUserStream users = job.openUsers()) {
        while (users.hasNext()) {
          assertThat(users.next().email()).endsWith("@example.com");
          read++;
        }
      }
      assertThat(read).isEqualTo(DemoWorld.USERS);

      ExportSegmentRequest gold = ExportSegmentRequest.of("demo-gold", List.of("braze_id"));
      client.exports().segment(gold);
      client.exports().cancelSegment("demo-gold");
      assertThat(client.exports().segment(gold).objectPrefix()).isNotBlank();

      var tracked =
          client
              .users()
              .track(
                  new TrackRequest(
                      List.of(
                          UserAttributes.builder(UserIdentifier.externalId("cust-00001"))
                              .set("loyalty_tier", "platinum")
                              .build()),
                      List.of(
                          TrackEvent.of(UserIdentifier.externalId("cust-00001"), "opened_app", T0)),
                      List.of()));
      assertThat(tracked.attributesProcessed()).isEqualTo(1);
      assertThat(brazeFake.user("demo-00001").customAttributes())
          .containsEntry("loyalty_tier", "platinum");

      var found =
          client
              .users()
              .exportIds(
                  ExportIdsRequest.externalIds(
                      List.of("cust-00002", "nobody"), List.of("external_id", "first_name")));
      assertThat(found.users()).extracting(u -> u.externalId()).containsExactly("cust-00002");
      assertThat(found.invalidUserIds()).containsExactly("nobody");

      Recipient who = new Recipient("cust-00003", null, null, null, null, null, null, null);
      assertThat(
              client
                  .messaging()
                  .triggerCampaign(TriggerSend.to(world.campaignId(), List.of(who)))
                  .dispatchId())
          .isNotBlank();
      assertThat(
              client
                  .messaging()
                  .triggerCanvas(TriggerSend.to(world.canvasId(), List.of(who)))
                  .nothingSent())
          .isFalse();
      assertThat(brazeFake.triggers()).hasSize(2);

      brazeSandbox.wire().dropNext("/campaigns/", 1);
      assertThatThrownBy(
              () ->
                  client
                      .messaging()
                      .triggerCampaign(TriggerSend.to(world.campaignId(), List.of(who))))
          .isInstanceOfSatisfying(
              BrazeIoException.class, e -> assertThat(e.requestSent()).isTrue());
      assertThat(brazeFake.triggers()).hasSize(2);
    }
    try (BrazeClient wrong = braze("wrong-key")) {
      assertThatThrownBy(() -> wrong.segments().page(0, true))
          .isInstanceOf(BrazeAuthException.class);
    }
  }

  @Test
  void anExportCallbackIsPostedOnceTheExportIsReady() throws Exception {
    try (mockwebserver3.MockWebServer hook = new mockwebserver3.MockWebServer();
        BrazeClient client = braze(brazeSandbox.apiKey())) {
      hook.start();
      var job =
          client
              .exports()
              .segment(
                  io.github.brazeodp.braze.ExportSegmentRequest.of(
                          world.segmentIds().get(0), List.of("braze_id", "email"))
                      .withCallback(hook.url("/braze-export-ready").toString()));
      assertThat(hook.takeRequest(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
      clock.advance(Duration.ofMinutes(2));
      var posted = hook.takeRequest(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(posted).isNotNull();
      assertThat(posted.getMethod()).isEqualTo("POST");
      var callback = client.exports().parseCallback(posted.getBody().utf8());
      assertThat(callback.success()).isTrue();
      assertThat(callback.url()).isEqualTo(job.url().orElseThrow());
      try (var users = job.withUrl(callback.url()).openUsers()) {
        assertThat(users.hasNext()).isTrue();
      }
    }
  }

  @Test
  void brazeRateLimitHeadersPaceTheClient() {
    brazeSandbox.close();
    brazeSandbox =
        BrazeSandbox.builder()
            .fake(brazeFake)
            .clock(clock)
            .sleeper(this::sleep)
            .rateLimits(
                RateLimits.builder()
                    .limit(EndpointFamily.USERS_TRACK, 2, Duration.ofMinutes(1))
                    .build())
            .build();
    try (BrazeClient client = braze(brazeSandbox.apiKey())) {
      for (int i = 0; i < 3; i++) {
        client
            .users()
            .track(
                new TrackRequest(
                    List.of(
                        UserAttributes.builder(UserIdentifier.externalId("cust-00004"))
                            .set("visits", i)
                            .build()),
                    List.of(),
                    List.of()));
      }
    }
    // The second answer said Remaining 0, so the client waited for the window's reset.
    assertThat(clock.sleeps()).isNotEmpty();
    assertThat(clock.instant()).isAfterOrEqualTo(T0.plus(Duration.ofMinutes(1)));
    assertThat(brazeFake.tracked()).hasSize(3);
  }

  @Test
  void odpEndpointsRoundTripOverHttp() {
    try (OdpClient client = odp(odpSandbox.apiKey())) {
      var upserted =
          client
              .profiles()
              .upsert(
                  List.of(
                      ProfileUpdate.builder()
                          .identifier("email", "new.customer@example.com")
                          .attribute("first_name", "Nia")
                          .attribute("_braze_loyalty_tier", "gold")
                          .build()));
      assertThat(upserted.allAccepted()).isTrue();
      assertThat(client.profiles().get("email", "new.customer@example.com"))
          .get()
          .satisfies(p -> assertThat(p.string("first_name")).contains("Nia"));
      assertThat(client.profiles().get("email", "missing@example.com")).isEmpty();

      var sent =
          client
              .events()
              .send(
                  List.of(
                      OdpEvent.builder("braze", "segment_entered")
                          .identifier("email", "new.customer@example.com")
                          .data("_braze_segment_id", "demo-gold")
                          .ts(T0)
                          .idempotenceId("evt-1")
                          .build()));
      assertThat(sent.allAccepted()).isTrue();
      assertThat(odpFake.events()).extracting(OdpEvent::idempotenceId).containsExactly("evt-1");

      assertThat(client.schema().fields("customers"))
          .extracting(SchemaField::name)
          .contains("email", "_braze_external_id", "_braze_braze_id");
      client.schema().createField("customers", SchemaField.of("nps", FieldType.NUMBER, "NPS"));
      assertThat(client.schema().field("customers", "nps")).isPresent();

      assertThat(
              client
                  .segments()
                  .qualified(
                      "email",
                      "new.customer@example.com",
                      List.of(world.odpSegment(), "nobody_segment")))
          .containsExactly(world.odpSegment());

      long expected =
          odpFake.customers().values().stream().filter(c -> c.get("first_name") != null).count();
      List<ExportRow> rows = new ArrayList<>();
      try (ExportRows export =
          client.exports().segmentMembers(List.of(world.odpSegment()), List.of("customer.email"))) {
        export.forEach(rows::add);
      }
      assertThat(rows).hasSize((int) expected);
      assertThat(rows).allSatisfy(r -> assertThat(r.get("customer.email")).contains("@"));
    }
    try (OdpClient wrong = odp("wrong-key")) {
      assertThatThrownBy(() -> wrong.schema().fields("customers"))
          .isInstanceOf(OdpAuthException.class);
    }
  }

  @Test
  void aDroppedOdpConnectionIsRetriedAndNothingIsLost() {
    odpSandbox.wire().dropNext("/v3/events", 1);
    try (OdpClient client = odp(odpSandbox.apiKey())) {
      var sent =
          client
              .events()
              .send(
                  List.of(
                      OdpEvent.builder("braze", "segment_exited")
                          .identifier("email", "x@example.com")
                          .data(Map.of("_braze_segment_id", "demo-all"))
                          .idempotenceId("evt-drop")
                          .build()));
      assertThat(sent.allAccepted()).isTrue();
    }
    assertThat(odpFake.events()).extracting(OdpEvent::idempotenceId).containsExactly("evt-drop");
  }
}
