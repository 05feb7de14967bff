package io.github.brazeodp.sync.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.BrazeBadRequestException;
import io.github.brazeodp.braze.BrazeError;
import io.github.brazeodp.braze.BrazeExportException;
import io.github.brazeodp.braze.BrazeIoException;
import io.github.brazeodp.braze.BrazeRateLimitException;
import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.braze.TrackEvent;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.TrackResponse;
import io.github.brazeodp.braze.TriggerResponse;
import io.github.brazeodp.braze.TriggerSend;
import io.github.brazeodp.braze.UserAttributes;
import io.github.brazeodp.braze.UserIdentifier;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BrazeGateway} must do, checked against the fake directly and against the real
 * adapter talking HTTP to the wire stand-in over the same kind of fake: the same world is seeded
 * through the fake's API and the same behaviour is asserted through the port.
 */
abstract class BrazeGatewayContractTest {
  static final Instant T0 = Instant.parse("2026-11-29T02:00:00Z");
  private static final JsonAdapter<ExportedUser> USER =
      new Moshi.Builder().build().adapter(ExportedUser.class);

  final TestTime time = new TestTime(T0);
  InMemoryBraze braze;
  BrazeGateway gateway;

  /** Returns the gateway under test, serving {@code fake}'s state. */
  abstract BrazeGateway connect(InMemoryBraze fake) throws Exception;

  /** Releases what {@link #connect} opened. */
  void disconnect() throws Exception {}

  @BeforeEach
  void setUp() throws Exception {
    braze = new InMemoryBraze(time.clock, time.brazeSleeper(), TrackLimit.COMBINED_50);
    for (int i = 0; i < 5; i++) {
      braze.putUser(user("b" + i, "user" + i + "@example.com", "First" + i));
    }
    for (int i = 0; i < 150; i++) {
      braze.putSegment(String.format("seg-%03d", i), "Segment " + i, List.of("b0", "b1", "b2"));
    }
    braze.putCampaign("campaign-1");
    braze.putCanvas("canvas-live", InMemoryBraze.CanvasState.ACTIVE);
    braze.putCanvas("canvas-paused", InMemoryBraze.CanvasState.PAUSED);
    gateway = connect(braze);
  }

  @AfterEach
  void tearDown() throws Exception {
    disconnect();
  }

  static ExportedUser user(String brazeId, String email, String firstName) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("braze_id", brazeId);
    m.put("external_id", "ext-" + brazeId);
    m.put("email", email);
    m.put("first_name", firstName);
    m.put("custom_attributes", Map.of("tier", "gold"));
    return USER.fromJsonValue(m);
  }

  @Test
  void segmentsArePagedOldestFirstAcrossMoreThanOnePage() {
    List<String> ids = new ArrayList<>();
    for (Segment s : gateway.segments()) {
      ids.add(s.id());
    }
    assertThat(ids).hasSize(150);
    assertThat(ids.get(0)).isEqualTo("seg-000");
    assertThat(ids.get(100)).isEqualTo("seg-100");
    assertThat(ids.get(149)).isEqualTo("seg-149");
  }

  @Test
  void anExportIsStartedOncePerSegmentAwaitedOnTheClockAndStreamed() throws Exception {
    braze.exportReadyAfter(Duration.ofMinutes(10));
    ExportSegmentRequest request =
        ExportSegmentRequest.of("seg-007", List.of("braze_id", "external_id", "email"));
    ExportHandle handle = gateway.startSegmentExport(request);
    assertThat(handle.segmentId()).isEqualTo("seg-007");
    assertThat(handle.requestedAt()).isEqualTo(T0);

    assertThatThrownBy(() -> gateway.startSegmentExport(request))
        .isInstanceOf(BrazeRateLimitException.class);

    assertThatThrownBy(() -> gateway.awaitExport(handle, T0.plus(Duration.ofMinutes(2))))
        .isInstanceOf(BrazeExportException.class);
    gateway.awaitExport(handle, T0.plus(Duration.ofHours(1)));
    assertThat(time.clock.instant()).isAfterOrEqualTo(T0.plus(Duration.ofMinutes(10)));
    assertThat(time.sleeps()).isNotEmpty();
    assertThat(time.slept()).isGreaterThanOrEqualTo(Duration.ofMinutes(10));

    List<ExportedUser> users = new ArrayList<>();
    try (ExportUserStream stream = gateway.openExport(handle, ExportReadOptions.defaults())) {
      stream.forEachRemaining(users::add);
    }
    assertThat(users).extracting(ExportedUser::brazeId).containsExactly("b0", "b1", "b2");
    assertThat(users.get(1).email()).isEqualTo("user1@example.com");
    assertThat(users.get(1).externalId()).isEqualTo("ext-b1");
    assertThat(users.get(1).firstName()).isNull();
    assertThat(users.get(1).customAttributes()).isEmpty();
  }

  @Test
  void anExportOfAnUnknownSegmentIsABadRequest() {
    assertThatThrownBy(
            () -> gateway.startSegmentExport(ExportSegmentRequest.of("nope", List.of("braze_id"))))
        .isInstanceOf(BrazeBadRequestException.class)
        .hasMessageContaining("Invalid segment ID");
  }

  @Test
  void trackProcessesAttributesAndEvents() {
    TrackRequest request =
        new TrackRequest(
            List.of(
                UserAttributes.builder(UserIdentifier.externalId("ext-b1"))
                    .firstName("Renamed")
                    .build(),
                UserAttributes.builder(UserIdentifier.externalId("new-user"))
                    .email("new@example.com")
                    .build()),
            List.of(TrackEvent.of(UserIdentifier.externalId("ext-b1"), "visited", T0)),
            List.of());
    TrackResponse response = gateway.track(request);
    assertThat(response.message()).isEqualTo("success");
    assertThat(response.attributesProcessed()).isEqualTo(2);
    assertThat(response.eventsProcessed()).isEqualTo(1);
    assertThat(response.errors()).isEmpty();
    assertThat(braze.user("b1").firstName()).isEqualTo("Renamed");
    assertThat(braze.users()).anyMatch(u -> "new@example.com".equals(u.email()));
    assertThat(braze.tracked()).hasSize(1);
  }

  @Test
  void trackReportsRejectedRowsByIndexAndProcessesTheRest() {
    TrackRequest request =
        new TrackRequest(
            List.of(
                UserAttributes.builder(UserIdentifier.externalId("ext-b0")).firstName("A").build(),
                UserAttributes.builder(UserIdentifier.externalId("ext-b1"))
                    .email("not-an-email")
                    .build(),
                UserAttributes.builder(UserIdentifier.externalId("ext-b2")).firstName("C").build()),
            List.of(),
            List.of());
    TrackResponse response = gateway.track(request);
    assertThat(response.errors())
        .extracting(BrazeError::inputArray, BrazeError::index)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("attributes", 1));
    assertThat(response.attributesProcessed()).isEqualTo(2);
    assertThat(braze.user("b0").firstName()).isEqualTo("A");
    assertThat(braze.user("b2").firstName()).isEqualTo("C");
    assertThat(braze.user("b1").email()).isEqualTo("user1@example.com");
  }

  @Test
  void aTrackRequestWithoutAnyValidObjectFailsAsAWhole() {
    TrackRequest request =
        new TrackRequest(
            List.of(
                UserAttributes.builder(UserIdentifier.externalId("ext-b1"))
                    .email("broken")
                    .build()),
            List.of(),
            List.of());
    assertThatThrownBy(() -> gateway.track(request))
        .isInstanceOfSatisfying(
            BrazeBadRequestException.class,
            e -> assertThat(e.errors()).extracting(BrazeError::index).containsExactly(0))
        .hasMessageContaining("Valid data must be provided");
    assertThat(braze.tracked()).isEmpty();
  }

  @Test
  void aTrackRequestOverTheLimitIsRefusedBeforeSending() {
    List<UserAttributes> many = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      many.add(UserAttributes.builder(UserIdentifier.externalId("x" + i)).firstName("X").build());
    }
    assertThat(gateway.trackLimit()).isEqualTo(TrackLimit.COMBINED_50);
    assertThatThrownBy(() -> gateway.track(new TrackRequest(many, List.of(), List.of())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(braze.calls(InMemoryBraze.Operation.TRACK)).isZero();
  }

  @Test
  void aRateLimitThatOutlastsTheRetriesSurfacesAsRateLimit() {
    braze.failNext(InMemoryBraze.Operation.TRACK, 5, Fault.RATE_LIMITED);
    TrackRequest request =
        new TrackRequest(
            List.of(
                UserAttributes.builder(UserIdentifier.externalId("ext-b0")).firstName("Z").build()),
            List.of(),
            List.of());
    assertThatThrownBy(() -> gateway.track(request)).isInstanceOf(BrazeRateLimitException.class);
    assertThat(braze.user("b0").firstName()).isEqualTo("First0");
  }

  @Test
  void aCampaignTriggerAnswersADispatchId() {
    TriggerResponse response =
        gateway.triggerCampaign(
            TriggerSend.to("campaign-1", List.of(recipient("ext-b1")))
                .withProperties(Map.of("coupon", "X1")));
    assertThat(response.dispatchId()).isNotBlank();
    assertThat(response.nothingSent()).isFalse();
    assertThat(braze.triggers())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.kind()).isEqualTo("campaign");
              assertThat(t.id()).isEqualTo("campaign-1");
              assertThat(t.dispatchId()).isEqualTo(response.dispatchId());
              assertThat(t.send().recipients())
                  .extracting(Recipient::externalUserId)
                  .containsExactly("ext-b1");
              assertThat(t.send().properties()).containsEntry("coupon", "X1");
            });
  }

  @Test
  void anUnknownCampaignIsABadRequest() {
    assertThatThrownBy(
            () -> gateway.triggerCampaign(TriggerSend.to("nope", List.of(recipient("ext-b1")))))
        .isInstanceOf(BrazeBadRequestException.class)
        .hasMessageContaining("Invalid Campaign ID");
    assertThat(braze.triggers()).isEmpty();
  }

  @Test
  void aPausedCanvasAnswersSuccessWithANoticeAndSendsNothing() {
    TriggerResponse live =
        gateway.triggerCanvas(TriggerSend.to("canvas-live", List.of(recipient("ext-b1"))));
    TriggerResponse paused =
        gateway.triggerCanvas(TriggerSend.to("canvas-paused", List.of(recipient("ext-b1"))));
    assertThat(live.nothingSent()).isFalse();
    assertThat(paused.nothingSent()).isTrue();
    assertThat(paused.notice()).contains("paused");
    assertThat(braze.triggers())
        .extracting(InMemoryBraze.Trigger::delivered)
        .containsExactly(true, false);
  }

  @Test
  void aLostTriggerResponseIsAnIoErrorAfterSendingAndTheSendIsRecordedOnce() {
    braze.failNext(InMemoryBraze.Operation.TRIGGER, 1, Fault.RESPONSE_LOST);
    assertThatThrownBy(
            () ->
                gateway.triggerCampaign(TriggerSend.to("campaign-1", List.of(recipient("ext-b2")))))
        .isInstanceOfSatisfying(BrazeIoException.class, e -> assertThat(e.requestSent()).isTrue());
    assertThat(braze.triggers()).hasSize(1);
    assertThat(braze.calls(InMemoryBraze.Operation.TRIGGER)).isEqualTo(1);
  }

  private static Recipient recipient(String externalId) {
    return new Recipient(externalId, null, null, null, null, null, null, null);
  }
}
