package io.github.brazeodp.sync.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.TriggerResponse;
import io.github.brazeodp.braze.TriggerSend;
import io.github.brazeodp.braze.UserAttributes;
import io.github.brazeodp.braze.UserIdentifier;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.port.BrazeGateway;
import io.github.brazeodp.sync.port.DelegatingBraze;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.LedgerState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ActivationRunnerTest {
  private static final String OCC = "2025-03-28T08:00:00Z";
  private final Fixture f = new Fixture();

  private static List<String> externalIds(InMemoryBraze.Trigger t) {
    return t.send().recipients().stream().map(Recipient::externalUserId).toList();
  }

  private static List<String> ids(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "e" + i).toList();
  }

  private static long other(SyncReport r, String name) {
    return r.counts().other().getOrDefault(name, 0L);
  }

  @Test
  void sendsInBatchesOfFiftyWithRenderedAttributes() {
    f.customers(101);
    SyncReport report = f.runner().run(Fixture.campaign("promo").build(), OCC);

    List<InMemoryBraze.Trigger> triggers = f.braze.triggers();
    assertThat(triggers).extracting(t -> t.send().recipients().size()).containsExactly(50, 50, 1);
    assertThat(triggers).allSatisfy(t -> assertThat(t.id()).isEqualTo("camp"));
    Recipient first = triggers.get(0).send().recipients().get(0);
    assertThat(first.externalUserId()).isEqualTo("e0");
    assertThat(first.attributes())
        .containsExactly(Map.entry("first_name", "F0"), Map.entry("company", "Co0"));
    assertThat(externalIds(triggers.get(2))).containsExactly("e100");

    assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(report.counts().read()).isEqualTo(101);
    assertThat(report.counts().matched()).isEqualTo(101);
    assertThat(report.counts().sent()).isEqualTo(101);
    assertThat(report.counts().brazeCalls()).isEqualTo(3);
    assertThat(f.state.ledgerCounts("promo", OCC)).containsEntry(LedgerState.SENT, 101L);
    assertThat(f.state.ledgerEntry("promo", OCC, "external_id:e7").orElseThrow().dispatchId())
        .isEqualTo(triggers.get(0).dispatchId());
    assertThat(f.state.recentActivity(ActivityRecord.Flow.ACTIVATION, 1))
        .containsExactly(report.activity());
  }

  @Test
  void rerunningAnOccurrenceSendsNobodyTwice() {
    f.customers(60);
    Activation a = Fixture.campaign("promo").build();
    f.runner().run(a, OCC);
    SyncReport again = f.runner().run(a, OCC);

    assertThat(f.braze.triggers()).hasSize(2);
    assertThat(again.counts().sent()).isZero();
    assertThat(other(again, ActivationCounts.SKIPPED_ALREADY_SENT)).isEqualTo(60);
    // Another occurrence is another send.
    f.runner().run(a, "2025-03-29T08:00:00Z");
    assertThat(f.braze.triggers()).hasSize(4);
  }

  @Test
  void crashAfterBatchTwoOfFiveThenRerunSendsBatchesThreeToFiveOnly() {
    f.customers(250);
    Activation a = Fixture.campaign("promo").build();
    AtomicInteger calls = new AtomicInteger();
    // Braze processes the second call, then the process dies before the answer is recorded.
    BrazeGateway crashing =
        new DelegatingBraze(f.braze) {
          @Override
          public TriggerResponse triggerCampaign(TriggerSend send) {
            TriggerResponse r = super.triggerCampaign(send);
            if (calls.incrementAndGet() == 2) {
              throw new Error("simulated crash");
            }
            return r;
          }
        };
    ActivationRunner crashingRunner =
        ActivationRunner.builder().braze(crashing).odp(f.odp).state(f.state).clock(f.clock).build();
    assertThrows(Error.class, () -> crashingRunner.run(a, OCC));
    assertThat(f.braze.triggers()).hasSize(2);
    assertThat(f.state.ledgerCounts("promo", OCC))
        .containsEntry(LedgerState.SENT, 50L)
        .containsEntry(LedgerState.PENDING, 50L);

    SyncReport rerun = f.runner().run(a, OCC);

    List<InMemoryBraze.Trigger> triggers = f.braze.triggers();
    assertThat(triggers).hasSize(5);
    assertThat(externalIds(triggers.get(2))).isEqualTo(ids(100, 150));
    assertThat(externalIds(triggers.get(3))).isEqualTo(ids(150, 200));
    assertThat(externalIds(triggers.get(4))).isEqualTo(ids(200, 250));
    assertThat(rerun.counts().sent()).isEqualTo(150);
    assertThat(other(rerun, ActivationCounts.SKIPPED_ALREADY_SENT)).isEqualTo(50);
    // Batch 2 reached Braze but its answer was lost in the crash: unknown, reported, not resent.
    assertThat(other(rerun, ActivationCounts.RECOVERED_AS_UNKNOWN)).isEqualTo(50);
    assertThat(other(rerun, ActivationCounts.SKIPPED_UNKNOWN)).isEqualTo(50);
    assertThat(rerun.status()).isEqualTo(ActivityRecord.Status.PARTIAL);
    assertThat(rerun.notes())
        .anySatisfy(n -> assertThat(n).contains("50 customers were pending"))
        .anySatisfy(n -> assertThat(n).contains("external_id:e50"));
    assertThat(f.runner().unresolved(a, OCC)).hasSize(50);
  }

  @Test
  void crashWhileReadingMembersAfterBatchTwoResumesWithBatchThree() {
    f.customers(250);
    Activation a = Fixture.campaign("promo").build();
    MemberSource dying =
        (segment, fields) ->
            MemberSource.odp(f.odp)
                .members(segment, fields)
                .peek(
                    m -> {
                      if (m.get("ext_id").equals("e100")) {
                        throw new Error("simulated crash");
                      }
                    });
    ActivationRunner crashing =
        ActivationRunner.builder()
            .braze(f.braze)
            .members(dying)
            .state(f.state)
            .clock(f.clock)
            .build();
    assertThrows(Error.class, () -> crashing.run(a, OCC));
    assertThat(f.braze.triggers()).hasSize(2);

    SyncReport rerun = f.runner().run(a, OCC);

    assertThat(f.braze.triggers()).hasSize(5);
    assertThat(externalIds(f.braze.triggers().get(2))).isEqualTo(ids(100, 150));
    assertThat(rerun.counts().sent()).isEqualTo(150);
    assertThat(other(rerun, ActivationCounts.SKIPPED_ALREADY_SENT)).isEqualTo(100);
    assertThat(rerun.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
  }

  @Test
  void timeoutAfterSendIsUnknownAndNeverResent() {
    f.customers(100);
    Activation a = Fixture.campaign("promo").build();
    f.braze.failNext(InMemoryBraze.Operation.TRIGGER, 1, Fault.RESPONSE_LOST);

    SyncReport first = f.runner().run(a, OCC);

    assertThat(f.braze.triggers()).hasSize(2); // both reached Braze; the first answer was lost
    assertThat(first.counts().sent()).isEqualTo(50);
    assertThat(other(first, ActivationCounts.UNKNOWN_OUTCOME)).isEqualTo(50);
    assertThat(first.status()).isEqualTo(ActivityRecord.Status.PARTIAL);
    assertThat(first.notes())
        .anySatisfy(n -> assertThat(n).contains("50 customers").contains("unknown outcome"));
    assertThat(f.state.ledgerEntry("promo", OCC, "external_id:e0").orElseThrow().state())
        .isEqualTo(LedgerState.UNKNOWN);

    SyncReport rerun = f.runner().run(a, OCC);

    assertThat(f.braze.triggers()).hasSize(2);
    assertThat(other(rerun, ActivationCounts.SKIPPED_UNKNOWN)).isEqualTo(50);
    assertThat(other(rerun, ActivationCounts.SKIPPED_ALREADY_SENT)).isEqualTo(50);
  }

  @Test
  void serverErrorOnASendIsUnknownButConnectionRefusedIsFailedAndRetriedOnRerun() {
    f.customers(150);
    Activation a = Fixture.campaign("promo").build();
    f.braze.failNext(InMemoryBraze.Operation.TRIGGER, 1, Fault.CONNECTION_REFUSED);
    f.braze.failNext(InMemoryBraze.Operation.TRIGGER, 1, Fault.SERVER_ERROR);

    SyncReport first = f.runner().run(a, OCC);

    assertThat(other(first, ActivationCounts.NOT_SENT)).isEqualTo(50);
    assertThat(other(first, ActivationCounts.UNKNOWN_OUTCOME)).isEqualTo(50);
    assertThat(first.counts().sent()).isEqualTo(50);
    assertThat(f.braze.triggers()).hasSize(1);

    SyncReport rerun = f.runner().run(a, OCC);

    // Only the batch that certainly never left is sent again.
    assertThat(f.braze.triggers()).hasSize(2);
    assertThat(externalIds(f.braze.triggers().get(1))).isEqualTo(ids(0, 50));
    assertThat(rerun.counts().sent()).isEqualTo(50);
  }

  @Test
  void rateLimitedAfterRetriesStopsTheRunAndTheRerunSendsTheRest() {
    f.customers(120);
    Activation a = Fixture.campaign("promo").build();
    f.braze.failNext(InMemoryBraze.Operation.TRIGGER, 1, Fault.RATE_LIMITED);

    SyncReport first = f.runner().run(a, OCC);

    assertThat(first.status()).isEqualTo(ActivityRecord.Status.FAILED);
    assertThat(other(first, ActivationCounts.RATE_LIMITED)).isEqualTo(50);
    assertThat(f.braze.calls(InMemoryBraze.Operation.TRIGGER)).isEqualTo(1);
    assertThat(first.notes()).anySatisfy(n -> assertThat(n).contains("429"));

    SyncReport rerun = f.runner().run(a, OCC);
    assertThat(rerun.counts().sent()).isEqualTo(120);
    assertThat(f.braze.triggers()).hasSize(3);
  }

  @Test
  void dryRunRendersAndCountsWithoutCallingBrazeOrWritingTheLedger() {
    f.customers(101);
    Activation a = Fixture.campaign("promo").build();

    SyncReport dry = f.runner().dryRun(a, OCC);

    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.counts().sent()).isEqualTo(101);
    assertThat(f.braze.calls(InMemoryBraze.Operation.TRIGGER)).isZero();
    assertThat(f.state.ledgerCounts("promo", OCC).values()).allMatch(n -> n == 0);
    assertThat(f.state.recentActivity(10)).isEmpty();

    f.runner().run(a, OCC);
    SyncReport dryAfter = f.runner().dryRun(a, OCC);
    assertThat(dryAfter.counts().sent()).isZero();
    assertThat(other(dryAfter, ActivationCounts.SKIPPED_ALREADY_SENT)).isEqualTo(101);
  }

  @Test
  void customersWithoutTheTargetIdentifierAreUnmatched() {
    f.customers(5);
    f.odp.putCustomer(Map.of("email", "noext@example.com", "first_name", "N"));
    SyncReport report = f.runner().run(Fixture.campaign("promo").build(), OCC);

    assertThat(report.counts().unmatched()).isEqualTo(1);
    assertThat(report.unmatched()).containsExactly("member #6");
    assertThat(report.counts().sent()).isEqualTo(5);
  }

  @Test
  void emailAndAliasTargets() {
    f.customers(2);
    Activation byEmail =
        Activation.builder("mail")
            .segment("everyone")
            .target(TargetIdentifier.email())
            .touchpoint(Touchpoint.campaign("camp"))
            .property("greeting", "Hello {{customer.first_name}}")
            .build();
    f.runner().run(byEmail, OCC);
    Recipient r = f.braze.triggers().get(0).send().recipients().get(0);
    assertThat(r.email()).isEqualTo("c0@example.com");
    assertThat(r.properties()).containsEntry("greeting", "Hello F0");
    assertThat(f.state.ledgerEntry("mail", OCC, "email:c0@example.com")).isPresent();

    Activation byAlias =
        Activation.builder("alias")
            .segment("everyone")
            .target(TargetIdentifier.userAlias("odp_ext", "ext_id"))
            .touchpoint(Touchpoint.canvas("live"))
            .build();
    f.runner().run(byAlias, OCC);
    Recipient alias = f.braze.triggers().get(1).send().recipients().get(1);
    assertThat(alias.userAlias().aliasName()).isEqualTo("e1");
    assertThat(alias.userAlias().aliasLabel()).isEqualTo("odp_ext");
    assertThat(f.braze.triggers().get(1).kind()).isEqualTo("canvas");
  }

  @Test
  void valuesTooLongForBrazeRejectTheCustomer() {
    f.customers(3);
    f.odp.putCustomer(
        Map.of("email", "long@example.com", "ext_id", "long", "company_name", "x".repeat(300)));
    SyncReport report = f.runner().run(Fixture.campaign("promo").build(), OCC);

    assertThat(report.counts().rejected()).isEqualTo(1);
    assertThat(report.rejections())
        .containsExactly(
            new ActivityRecord.Rejection(
                "field #2 (company): 300 characters, over the limit of 255", "external_id:long"));
    assertThat(report.counts().sent()).isEqualTo(3);
    assertThat(report.status()).isEqualTo(ActivityRecord.Status.PARTIAL);
  }

  @Test
  void profileOnlyUsesUsersTrackInBatchesOfTheTrackLimitAndMayResend() {
    f.customers(120);
    Activation a =
        Activation.builder("profiles")
            .segment("everyone")
            .target(TargetIdentifier.externalId("ext_id"))
            .touchpoint(Touchpoint.profileUpdateOnly())
            .field("company", "{{customer.company_name}}")
            .build();

    SyncReport report = f.runner().run(a, OCC);

    List<TrackRequest> tracked = f.braze.tracked();
    assertThat(tracked).extracting(t -> t.attributes().size()).containsExactly(50, 50, 20);
    assertThat(tracked).allSatisfy(t -> assertThat(TrackLimit.COMBINED_50.fits(t)).isTrue());
    UserAttributes first = tracked.get(0).attributes().get(0);
    assertThat(first.identifier()).isEqualTo(UserIdentifier.externalId("e0"));
    assertThat(first.values()).containsExactly(Map.entry("company", "Co0"));
    assertThat(report.counts().sent()).isEqualTo(120);
    assertThat(f.braze.calls(InMemoryBraze.Operation.TRIGGER)).isZero();
    assertThat(f.state.ledgerCounts("profiles", OCC).values()).allMatch(n -> n == 0);

    // Idempotent: a rerun writes the same attributes again.
    f.runner().run(a, OCC);
    assertThat(f.braze.tracked()).hasSize(6);
  }

  @Test
  void pausedCanvasIsANoticeAndStopsTheRunWithCustomersFailed() {
    f.customers(120);
    Activation a = Fixture.campaign("canvas").touchpoint(Touchpoint.canvas("paused")).build();

    SyncReport report = f.runner().run(a, OCC);

    assertThat(f.braze.triggers()).hasSize(1);
    assertThat(f.braze.triggers().get(0).delivered()).isFalse();
    assertThat(report.status()).isEqualTo(ActivityRecord.Status.FAILED);
    assertThat(report.counts().sent()).isZero();
    assertThat(other(report, ActivationCounts.NOT_SENT)).isEqualTo(50);
    assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("The Canvas is paused"));
    assertThat(f.state.ledgerCounts("canvas", OCC)).containsEntry(LedgerState.FAILED, 50L);

    f.braze.putCanvas("paused", InMemoryBraze.CanvasState.ACTIVE);
    SyncReport resumed = f.runner().run(a, OCC);
    assertThat(resumed.counts().sent()).isEqualTo(120);
    assertThat(f.braze.triggers()).hasSize(4);
  }

  @Test
  void invalidCampaignIdStopsTheRunWithAClearError() {
    f.customers(120);
    Activation a = Fixture.campaign("bad").touchpoint(Touchpoint.campaign("nope")).build();

    ActivationException e = assertThrows(ActivationException.class, () -> f.runner().run(a, OCC));

    assertThat(e.getMessage())
        .isEqualTo(
            "activation bad: campaign nope is unknown to Braze (Invalid Campaign ID): check the"
                + " id and that it is API-triggered. Nothing was sent.");
    assertThat(e.report().status()).isEqualTo(ActivityRecord.Status.FAILED);
    assertThat(f.braze.calls(InMemoryBraze.Operation.TRIGGER)).isEqualTo(1);
    assertThat(f.state.ledgerCounts("bad", OCC)).containsEntry(LedgerState.FAILED, 50L);
    assertThat(f.state.recentActivity(1)).containsExactly(e.report().activity());
  }

  @Test
  void fieldsUnknownToOdpFailBeforeAnySend() {
    f.customers(3);
    Activation a = Fixture.campaign("promo").field("x", "{{customer.nickname}}").build();
    assertThatThrownBy(() -> f.runner().run(a, OCC))
        .isInstanceOf(ActivationException.class)
        .hasMessageContaining("field #3 (x): unknown ODP customer field \"nickname\"");
    assertThat(f.braze.calls(InMemoryBraze.Operation.TRIGGER)).isZero();
  }

  @Test
  void hostSuppliedMemberSourceGetsTheNeededFields() {
    List<java.util.Set<String>> asked = new java.util.ArrayList<>();
    MemberSource source =
        (segment, fields) -> {
          asked.add(fields);
          return Stream.of(Map.of("ext_id", "h1", "first_name", "ada"));
        };
    ActivationRunner runner =
        ActivationRunner.builder()
            .braze(f.braze)
            .members(source)
            .state(f.state)
            .clock(f.clock)
            .build();
    SyncReport report = runner.run(Fixture.campaign("host").build(), OCC);
    assertThat(asked).containsExactly(java.util.Set.of("company_name", "ext_id", "first_name"));
    assertThat(report.counts().sent()).isEqualTo(1);
    assertThat(f.braze.triggers().get(0).send().recipients().get(0).attributes())
        .containsEntry("first_name", "ADA")
        .containsEntry("company", "none");
  }

  @Test
  void eventActivationsAreRefused() {
    Activation event =
        Activation.builder("ev")
            .event(EventFilter.type("order"))
            .target(TargetIdentifier.email())
            .touchpoint(Touchpoint.campaign("camp"))
            .build();
    assertThatThrownBy(() -> f.runner().run(event, OCC)).hasMessageContaining("is event-enrolled");
    assertThat(Instant.parse(OCC)).isNotNull();
  }
}
