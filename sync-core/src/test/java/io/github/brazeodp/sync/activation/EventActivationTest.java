package io.github.brazeodp.sync.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.activation.EventActivation.Decision;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.LedgerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventActivationTest {
  private final Fixture f = new Fixture();
  private final ManualScheduler timer = new ManualScheduler();

  private Activation.Builder purchases() {
    return Activation.builder("thanks")
        .event(EventFilter.type("order").action("purchase").dataEquals("status", "paid"))
        .target(TargetIdentifier.email())
        .touchpoint(Touchpoint.campaign("camp"))
        .field("last_total", "{{ customer.total }}");
  }

  private EventActivation events(Activation a) {
    return EventActivation.builder(f.runner(), a).scheduler(timer).build();
  }

  private OdpEvent purchase(String id, String email, Instant ts) {
    OdpEvent.Builder b =
        OdpEvent.builder("order", "purchase")
            .data("status", "paid")
            .data("total", 42)
            .ts(ts)
            .idempotenceId(id);
    if (email != null) {
      b.identifier("email", email);
    }
    return b.build();
  }

  private OdpEvent purchase(String id, String email) {
    return purchase(id, email, f.clock.instant());
  }

  private List<String> emailsSent() {
    List<String> out = new ArrayList<>();
    for (InMemoryBraze.Trigger t : f.braze.triggers()) {
      t.send().recipients().stream().map(Recipient::email).forEach(out::add);
    }
    return out;
  }

  @Test
  void filtersAndSendsWithValuesFromTheEvent() {
    try (EventActivation ev = events(purchases().build())) {
      assertThat(ev.onEvent(purchase("1", "a@x.com"))).isEqualTo(Decision.QUEUED);
      OdpEvent unpaid =
          OdpEvent.builder("order", "purchase")
              .identifier("email", "b@x.com")
              .idempotenceId("2")
              .data("status", "pending")
              .build();
      assertThat(ev.onEvent(unpaid)).isEqualTo(Decision.NOT_MATCHING);
      OdpEvent page = OdpEvent.builder("pageview", "view").identifier("email", "b@x.com").build();
      assertThat(ev.onEvent(page)).isEqualTo(Decision.NOT_MATCHING);
      assertThat(ev.onEvent(purchase("3", null))).isEqualTo(Decision.UNMATCHED);

      SyncReport report = ev.flush();

      assertThat(emailsSent()).containsExactly("a@x.com");
      assertThat(f.braze.triggers().get(0).send().recipients().get(0).attributes())
          .containsEntry("last_total", "42");
      assertThat(report.counts().read()).isEqualTo(4);
      assertThat(report.counts().sent()).isEqualTo(1);
      assertThat(report.counts().unmatched()).isEqualTo(1);
      assertThat(report.counts().other()).containsEntry(ActivationCounts.FILTERED, 2L);
      assertThat(f.state.ledgerEntry("thanks", "event:1", "email:a@x.com").orElseThrow().state())
          .isEqualTo(LedgerState.SENT);
      assertThat(f.state.recentActivity(ActivityRecord.Flow.ACTIVATION, 5)).hasSize(1);
    }
  }

  @Test
  void perCustomerCapCountsQueuedAndSentWithinTheHour() {
    Activation a = purchases().rules(AutomationRules.none().perCustomerPerHour(2)).build();
    try (EventActivation ev = events(a)) {
      assertThat(ev.onEvent(purchase("1", "a@x.com"))).isEqualTo(Decision.QUEUED);
      assertThat(ev.onEvent(purchase("2", "a@x.com"))).isEqualTo(Decision.QUEUED);
      assertThat(ev.onEvent(purchase("3", "a@x.com"))).isEqualTo(Decision.CAPPED_PER_CUSTOMER);
      assertThat(ev.onEvent(purchase("4", "b@x.com"))).isEqualTo(Decision.QUEUED);
      SyncReport report = ev.flush();
      // One customer at most once per call: Braze would merge the two into one message.
      assertThat(f.braze.triggers())
          .extracting(t -> t.send().recipients().size())
          .containsExactly(2, 1);
      assertThat(report.counts().other()).containsEntry(ActivationCounts.CAPPED_PER_CUSTOMER, 1L);

      f.clock.advance(Duration.ofMinutes(59));
      assertThat(ev.onEvent(purchase("5", "a@x.com"))).isEqualTo(Decision.CAPPED_PER_CUSTOMER);
      f.clock.advance(Duration.ofMinutes(2));
      assertThat(ev.onEvent(purchase("6", "a@x.com"))).isEqualTo(Decision.QUEUED);
    }
  }

  @Test
  void totalCapPerHour() {
    Activation a = purchases().rules(AutomationRules.none().totalPerHour(3)).build();
    try (EventActivation ev = events(a)) {
      assertThat(ev.onEvent(purchase("1", "a@x.com"))).isEqualTo(Decision.QUEUED);
      assertThat(ev.onEvent(purchase("2", "b@x.com"))).isEqualTo(Decision.QUEUED);
      ev.flush();
      assertThat(ev.onEvent(purchase("3", "c@x.com"))).isEqualTo(Decision.QUEUED);
      assertThat(ev.onEvent(purchase("4", "d@x.com"))).isEqualTo(Decision.CAPPED_TOTAL);
      ev.flush();
      assertThat(emailsSent()).containsExactly("a@x.com", "b@x.com", "c@x.com");
      f.clock.advance(Duration.ofMinutes(61));
      assertThat(ev.onEvent(purchase("5", "d@x.com"))).isEqualTo(Decision.QUEUED);
    }
  }

  @Test
  void eventsOlderThanTheLatencyCutOffAreIgnored() {
    Activation a =
        purchases()
            .rules(AutomationRules.none().ignoreEventsOlderThan(Duration.ofMinutes(10)))
            .build();
    Instant now = f.clock.instant();
    try (EventActivation ev = events(a)) {
      assertThat(ev.onEvent(purchase("1", "a@x.com", now.minus(Duration.ofMinutes(11)))))
          .isEqualTo(Decision.TOO_LATE);
      assertThat(ev.onEvent(purchase("2", "b@x.com", now.minus(Duration.ofMinutes(9)))))
          .isEqualTo(Decision.QUEUED);
      SyncReport report = ev.flush();
      assertThat(emailsSent()).containsExactly("b@x.com");
      assertThat(report.counts().other()).containsEntry(ActivationCounts.TOO_LATE, 1L);
    }
  }

  @Test
  void aRedeliveredEventIsNotSentTwice() {
    try (EventActivation ev = events(purchases().build())) {
      assertThat(ev.onEvent(purchase("evt-1", "a@x.com"))).isEqualTo(Decision.QUEUED);
      assertThat(ev.onEvent(purchase("evt-1", "a@x.com"))).isEqualTo(Decision.ALREADY_HANDLED);
      ev.flush();
      assertThat(ev.onEvent(purchase("evt-1", "a@x.com"))).isEqualTo(Decision.ALREADY_HANDLED);
      SyncReport report = ev.flush();
      assertThat(emailsSent()).containsExactly("a@x.com");
      assertThat(report.counts().other()).containsEntry(ActivationCounts.DUPLICATE_EVENT, 1L);
    }
  }

  @Test
  void anUnknownOutcomeBlocksTheRedeliveredEvent() {
    f.braze.failNext(InMemoryBraze.Operation.TRIGGER, 1, Fault.RESPONSE_LOST);
    try (EventActivation ev = events(purchases().build())) {
      ev.onEvent(purchase("evt-1", "a@x.com"));
      SyncReport report = ev.flush();
      assertThat(report.counts().other()).containsEntry(ActivationCounts.UNKNOWN_OUTCOME, 1L);
      assertThat(ev.onEvent(purchase("evt-1", "a@x.com"))).isEqualTo(Decision.ALREADY_HANDLED);
      ev.flush();
      assertThat(f.braze.triggers()).hasSize(1);
    }
  }

  @Test
  void aFullBatchIsSentAtOnceAndAPartialOneWhenTheWindowEnds() {
    try (EventActivation ev = events(purchases().build())) {
      for (int i = 0; i < 49; i++) {
        ev.onEvent(purchase("e" + i, "c" + i + "@x.com"));
      }
      assertThat(f.braze.triggers()).isEmpty();
      assertThat(timer.pending()).containsExactly(Duration.ofSeconds(1));
      ev.onEvent(purchase("e49", "c49@x.com"));
      assertThat(f.braze.triggers())
          .extracting(t -> t.send().recipients().size())
          .containsExactly(50);
      assertThat(timer.pending()).isEmpty();

      ev.onEvent(purchase("e50", "c50@x.com"));
      assertThat(timer.pending()).containsExactly(Duration.ofSeconds(1));
      timer.runAll();
      assertThat(f.braze.triggers())
          .extracting(t -> t.send().recipients().size())
          .containsExactly(50, 1);
    }
  }

  @Test
  void closeSendsWhatIsQueued() {
    List<SyncReport> reports = new ArrayList<>();
    EventActivation ev =
        EventActivation.builder(f.runner(), purchases().build())
            .scheduler(timer)
            .onReport(reports::add)
            .build();
    ev.onEvent(purchase("1", "a@x.com"));
    ev.close();
    ev.close();
    assertThat(emailsSent()).containsExactly("a@x.com");
    assertThat(reports).hasSize(1);
    assertThatThrownBy(() -> ev.onEvent(purchase("2", "b@x.com")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void dryRunSendsNothing() {
    EventActivation ev =
        EventActivation.builder(f.runner(), purchases().build())
            .scheduler(timer)
            .dryRun(true)
            .build();
    ev.onEvent(purchase("1", "a@x.com"));
    SyncReport report = ev.flush();
    ev.close();
    assertThat(report.counts().sent()).isEqualTo(1);
    assertThat(f.braze.calls(InMemoryBraze.Operation.TRIGGER)).isZero();
    assertThat(f.state.ledgerEntry("thanks", "event:1", "email:a@x.com")).isEmpty();
  }
}
