package io.github.brazeodp.sync.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.TrackEvent;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.odp.ExportFilter;
import io.github.brazeodp.odp.ExportJob;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.ExportState;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpExportException;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.port.OdpEventExport;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.Checkpoint;
import io.github.brazeodp.sync.state.LedgerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class OdpEventSourceTest {
  private final Fixture f = new Fixture();
  private final ManualScheduler timer = new ManualScheduler();

  private static Activation.Builder purchases() {
    return Activation.builder("buyers")
        .event(EventFilter.type("order").action("purchase").dataEquals("status", "paid"))
        .target(TargetIdentifier.email())
        .touchpoint(Touchpoint.campaign("camp"))
        .property("order", "{{ event.data.order_id }}");
  }

  private OdpEvent purchase(String id, String email, Instant ts) {
    return OdpEvent.builder("order", "purchase")
        .identifier("email", email)
        .data("status", "paid")
        .data("order_id", "o-" + id)
        .data("total", "19.90")
        .ts(ts)
        .idempotenceId(id)
        .build();
  }

  private EventActivation events(Activation a) {
    return EventActivation.builder(f.runner(), a).scheduler(timer).build();
  }

  private OdpEventSource source(EventActivation ev, OdpEventExport odp) {
    return OdpEventSource.builder(ev, odp)
        .interval(Duration.ofMinutes(5))
        .overlap(Duration.ofMinutes(10))
        .build();
  }

  private List<String> sentEventIds() {
    List<String> out = new ArrayList<>();
    for (InMemoryBraze.Trigger t : f.braze.triggers()) {
      for (Recipient r : t.send().recipients()) {
        out.add(String.valueOf(r.properties().get("order")));
      }
    }
    return out;
  }

  @Test
  void boundaryAndLateEventsAreEachFedOnce() {
    Instant t0 = f.clock.instant();
    f.odp.putEvent(purchase("1", "a@x.com", t0.minusSeconds(120)));
    f.odp.putEvent(purchase("2", "b@x.com", t0.minusSeconds(60)));
    try (EventActivation ev = events(purchases().build())) {
      OdpEventSource src = source(ev, f.odp);

      OdpEventSource.Window first = src.poll();
      assertThat(first.fed()).isEqualTo(2);
      assertThat(first.watermark()).isEqualTo(t0.minusSeconds(60));
      assertThat(first.lag()).isEqualTo(Duration.ofSeconds(60));

      f.clock.advance(Duration.ofMinutes(5));
      // Same ts as the watermark, and a late arrival 3 minutes before it: both inside the overlap.
      f.odp.putEvent(purchase("3", "c@x.com", t0.minusSeconds(60)));
      f.odp.putEvent(purchase("4", "d@x.com", t0.minusSeconds(240)));
      f.odp.putEvent(purchase("5", "e@x.com", t0.plusSeconds(30)));

      OdpEventSource.Window second = src.poll();
      assertThat(second.read()).isEqualTo(5);
      assertThat(second.alreadyFed()).isEqualTo(2);
      assertThat(second.fed()).isEqualTo(3);
      assertThat(second.watermark()).isEqualTo(t0.plusSeconds(30));
      assertThat(second.report().counts().other())
          .containsEntry(ActivationCounts.EVENTS_READ, 5L)
          .containsEntry(ActivationCounts.EVENTS_ALREADY_FED, 2L);

      f.clock.advance(Duration.ofMinutes(5));
      OdpEventSource.Window third = src.poll();
      assertThat(third.fed()).isZero();
    }
    assertThat(sentEventIds()).containsExactlyInAnyOrder("o-1", "o-2", "o-3", "o-4", "o-5");
  }

  @Test
  void eventsOutsideTheFilterAreReadButNotSent() {
    Instant t0 = f.clock.instant();
    f.odp.putEvent(purchase("1", "a@x.com", t0.minusSeconds(10)));
    f.odp.putEvent(
        OdpEvent.builder("order", "purchase")
            .identifier("email", "b@x.com")
            .data("status", "pending")
            .ts(t0.minusSeconds(10))
            .idempotenceId("2")
            .build());
    f.odp.putEvent(
        OdpEvent.builder("order", "refund")
            .identifier("email", "c@x.com")
            .ts(t0.minusSeconds(10))
            .idempotenceId("3")
            .build());
    try (EventActivation ev = events(purchases().build())) {
      OdpEventSource.Window w = source(ev, f.odp).poll();
      // The refund never leaves ODP (type and action are in the export filter); the pending
      // purchase is read and dropped by the data condition.
      assertThat(w.read()).isEqualTo(2);
      assertThat(w.report().counts().read()).isEqualTo(2);
      assertThat(w.report().counts().other()).containsEntry(ActivationCounts.FILTERED, 1L);
      assertThat(w.report().counts().sent()).isEqualTo(1);
    }
  }

  @Test
  void crashAfterFeedingHalfAWindowRerunFeedsTheRestAndSendsNothingTwice() {
    Instant t0 = f.clock.instant();
    for (int i = 0; i < 6; i++) {
      f.odp.putEvent(purchase("e" + i, "u" + i + "@x.com", t0.minusSeconds(100 - i)));
    }
    // The process dies while reading row 4: rows 1-3 were fed and (batch of 2) partly sent.
    OdpEventExport dying = new DyingExport(f.odp, 3);
    EventActivation first =
        EventActivation.builder(f.runner(), purchases().build())
            .scheduler(timer)
            .maxBatch(2)
            .build();
    assertThatThrownBy(() -> source(first, dying).poll()).hasMessageContaining("process died");
    assertThat(sentEventIds()).containsExactly("o-e0", "o-e1");
    // Nothing of the window was committed: only its start, no watermark past the fed events.
    assertThat(f.state.checkpoint(OdpEventSource.SCOPE_PREFIX + "buyers").get().attributes())
        .containsOnlyKeys("watermark")
        .containsEntry("watermark", t0.minus(Duration.ofMinutes(5)).toString());

    // A new process: the same window is read again from the start.
    try (EventActivation again = events(purchases().build())) {
      OdpEventSource.Window w = source(again, f.odp).poll();
      assertThat(w.fed()).isEqualTo(6);
      assertThat(w.report().counts().other()).containsEntry(ActivationCounts.DUPLICATE_EVENT, 2L);
    }
    assertThat(sentEventIds())
        .containsExactlyInAnyOrder("o-e0", "o-e1", "o-e2", "o-e3", "o-e4", "o-e5");
  }

  @Test
  void automationRulesApplyToPolledEvents() {
    Instant t0 = f.clock.instant();
    f.odp.putEvent(purchase("1", "a@x.com", t0.minusSeconds(50)));
    f.odp.putEvent(purchase("2", "a@x.com", t0.minusSeconds(40)));
    f.odp.putEvent(purchase("3", "b@x.com", t0.minusSeconds(280)));
    f.odp.putEvent(purchase("4", "c@x.com", t0.minusSeconds(30)));
    f.odp.putEvent(purchase("5", "d@x.com", t0.minusSeconds(20)));
    Activation a =
        purchases()
            .rules(
                AutomationRules.none()
                    .perCustomerPerHour(1)
                    .totalPerHour(2)
                    .ignoreEventsOlderThan(Duration.ofMinutes(4)))
            .build();
    try (EventActivation ev = events(a)) {
      OdpEventSource.Window w = source(ev, f.odp).poll();
      Map<String, Long> other = w.report().counts().other();
      assertThat(other)
          .containsEntry(ActivationCounts.TOO_LATE, 1L)
          .containsEntry(ActivationCounts.CAPPED_PER_CUSTOMER, 1L)
          .containsEntry(ActivationCounts.CAPPED_TOTAL, 1L);
      assertThat(w.report().counts().sent()).isEqualTo(2);
    }
  }

  @Test
  void customEventsAreRenderedTimedByTheOdpEventAndBatchedUnderTheTrackLimit() {
    Instant t0 = f.clock.instant();
    f.odp.putEventField("coupon");
    for (int i = 0; i < 60; i++) {
      f.odp.putEvent(purchase("p" + i, "u" + i + "@x.com", t0.minusSeconds(120 - i)));
    }
    Activation a =
        Activation.builder("purchase-events")
            .event(EventFilter.type("order").action("purchase"))
            .target(TargetIdentifier.email())
            .touchpoint(Touchpoint.profileUpdateOnly())
            .customEvent("odp_{{ event.action }}")
            .customEventProperty("order_id", "{{ event.data.order_id }}")
            .customEventProperty("total", "{{ event.data.total }}")
            .customEventProperty("coupon", "{{ event.data.coupon }}")
            .build();
    try (EventActivation ev = events(a)) {
      OdpEventSource src = source(ev, f.odp);
      OdpEventSource.Window w = src.poll();
      assertThat(w.report().counts().other())
          .containsEntry(ActivationCounts.CUSTOM_EVENTS_SENT, 60L);

      // A replay of the same period sends no custom event twice.
      src.poll(t0.minusSeconds(600));
    }
    List<TrackEvent> sent = new ArrayList<>();
    List<Integer> perRequest = new ArrayList<>();
    for (TrackRequest r : f.braze.tracked()) {
      if (!r.events().isEmpty()) {
        perRequest.add(r.events().size());
        sent.addAll(r.events());
      }
    }
    assertThat(perRequest).allMatch(n -> n <= 50);
    assertThat(sent).hasSize(60);
    TrackEvent first =
        sent.stream().filter(e -> "o-p0".equals(e.properties().get("order_id"))).findFirst().get();
    assertThat(first.name()).isEqualTo("odp_purchase");
    assertThat(first.time().toInstant()).isEqualTo(t0.minusSeconds(120));
    assertThat(first.properties())
        .containsEntry("total", "19.90")
        // No coupon in the ODP event: left out, never "".
        .doesNotContainKey("coupon");
    assertThat(
            f.state.ledgerEntry(
                "purchase-events" + Activation.CUSTOM_EVENT_LEDGER_SUFFIX,
                "event:p0",
                TargetIdentifier.email().key("u0@x.com")))
        .get()
        .extracting(e -> e.state())
        .isEqualTo(LedgerState.SENT);
  }

  @Test
  void filterOrTemplateOverAnUnknownEventFieldIsAConfigurationErrorNamingTheActivation() {
    Activation badFilter =
        Activation.builder("typo")
            .event(EventFilter.type("order").dataEquals("statsu", "paid"))
            .target(TargetIdentifier.email())
            .touchpoint(Touchpoint.campaign("camp"))
            .build();
    f.odp.putEvent(purchase("1", "a@x.com", f.clock.instant()));
    try (EventActivation ev = events(badFilter)) {
      assertThatThrownBy(() -> source(ev, f.odp).poll())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("activation typo")
          .hasMessageContaining("unknown ODP event field \"statsu\"");
    }
    Activation badTemplate = purchases().property("nr", "{{ event.data.order_nr }}").build();
    try (EventActivation ev = events(badTemplate)) {
      assertThatThrownBy(() -> source(ev, f.odp).poll())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("activation buyers")
          .hasMessageContaining("property \"nr\": unknown ODP event field \"order_nr\"");
    }
    assertThat(f.braze.triggers()).isEmpty();
  }

  @Test
  void watermarkInTheFutureIsRefused() {
    f.state.transaction(
        tx ->
            tx.putCheckpoint(
                OdpEventSource.SCOPE_PREFIX + "buyers",
                Checkpoint.builder("event-source")
                    .attribute("watermark", f.clock.instant().plusSeconds(3600).toString())
                    .build()));
    try (EventActivation ev = events(purchases().build())) {
      assertThatThrownBy(() -> source(ev, f.odp).poll())
          .isInstanceOf(EventSourceException.class)
          .hasMessageContaining("activation buyers")
          .hasMessageContaining("in the future");
      assertThatThrownBy(() -> source(ev, f.odp).poll(f.clock.instant().plusSeconds(60)))
          .isInstanceOf(EventSourceException.class)
          .hasMessageContaining("in the future");
    }
  }

  @Test
  void aFailedExportCommitsNothingAndTheNextWindowRetries() {
    Instant t0 = f.clock.instant();
    f.odp.putEvent(purchase("1", "a@x.com", t0.minusSeconds(30)));
    f.odp.failNext(InMemoryOdp.Operation.EVENT_EXPORT, 1, Fault.SERVER_ERROR);
    try (EventActivation ev = events(purchases().build())) {
      OdpEventSource src = source(ev, f.odp);
      assertThatThrownBy(src::poll)
          .isInstanceOf(EventSourceException.class)
          .hasMessageContaining("activation buyers")
          .hasMessageContaining("next window retries");
      assertThat(src.watermark()).contains(t0.minus(Duration.ofMinutes(5)));

      f.clock.advance(Duration.ofMinutes(1));
      OdpEventSource.Window w = src.poll();
      assertThat(w.fed()).isEqualTo(1);
      assertThat(w.report().status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    }
    assertThat(sentEventIds()).containsExactly("o-1");
  }

  @Test
  void anExportThatNeverCompletesIsAnErrorNamingTheActivationAndTheNextWindowRetries() {
    Instant t0 = f.clock.instant();
    f.odp.putEvent(purchase("1", "a@x.com", t0.minusSeconds(30)));
    // The client's deadline: the job is still running when the polling timeout is reached.
    OdpEventExport stuck =
        new OdpEventExport() {
          private boolean timedOut;

          @Override
          public List<SchemaField> eventFields() {
            return f.odp.eventFields();
          }

          @Override
          public Stream<ExportRow> exportEvents(ExportFilter filter, List<String> fields) {
            if (!timedOut) {
              timedOut = true;
              throw new OdpExportException(
                  "ODP export job job-1 did not complete within PT2H (last state RUNNING)",
                  new ExportJob(
                      "job-1",
                      null,
                      ExportState.RUNNING,
                      null,
                      null,
                      null,
                      null,
                      List.of(),
                      "csv",
                      null,
                      List.of()),
                  null);
            }
            return f.odp.exportEvents(filter, fields);
          }
        };
    try (EventActivation ev = events(purchases().build())) {
      OdpEventSource src = source(ev, stuck);
      assertThatThrownBy(src::poll)
          .isInstanceOf(EventSourceException.class)
          .hasMessageContaining("activation buyers")
          .hasMessageContaining("did not complete within PT2H");
      // Only the start of the first window is kept, so the retry reads from there.
      assertThat(src.watermark()).contains(t0.minus(Duration.ofMinutes(5)));

      f.clock.advance(Duration.ofMinutes(5));
      assertThat(src.poll().fed()).isEqualTo(1);
    }
    assertThat(sentEventIds()).containsExactly("o-1");
  }

  /** Streams the real rows but throws, like a dying process, after {@code limit} rows. */
  private static final class DyingExport implements OdpEventExport {
    private final OdpEventExport real;
    private final int limit;

    DyingExport(OdpEventExport real, int limit) {
      this.real = real;
      this.limit = limit;
    }

    @Override
    public List<SchemaField> eventFields() {
      return real.eventFields();
    }

    @Override
    public Stream<ExportRow> exportEvents(ExportFilter filter, List<String> fields) {
      Iterator<ExportRow> rows = real.exportEvents(filter, fields).iterator();
      Iterator<ExportRow> dying =
          new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
              return rows.hasNext();
            }

            @Override
            public ExportRow next() {
              if (n++ == limit) {
                throw new IllegalStateException("process died");
              }
              return rows.next();
            }
          };
      return StreamSupport.stream(Spliterators.spliteratorUnknownSize(dying, 0), false);
    }
  }
}
