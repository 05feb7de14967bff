package io.github.brazeodp.sync.currents;

import static io.github.brazeodp.sync.currents.CurrentsTestSupport.NOW;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.TOKEN;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.batch;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.event;
import static io.github.brazeodp.sync.currents.CurrentsTestSupport.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.DeadLetter;
import io.github.brazeodp.sync.state.DeadLetterFilter;
import io.github.brazeodp.sync.state.IdentityRecord;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurrentsForwarderTest {
  private final InMemoryOdp odp = new InMemoryOdp();
  private final ManualClock clock = new ManualClock(NOW);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private CurrentsForwarder forwarder(OdpGateway gateway, SyncStateStore store) {
    CurrentsForwarder f =
        CurrentsForwarder.builder()
            .odp(gateway)
            .state(store)
            .clock(clock)
            .jitter(() -> 0.5)
            .activityWindow(Duration.ZERO)
            .build();
    toClose.add(f);
    return f;
  }

  private static CurrentsReceiver receiver(CurrentsForwarder f) {
    return CurrentsReceiver.builder().tokens(TOKEN).forwarder(f).build();
  }

  private SyncStateStore memory() {
    SyncStateStore s = SyncStateStore.inMemory();
    toClose.add(s);
    return s;
  }

  private static byte[] events(String prefix, int n) {
    return batch(IntStream.range(0, n).mapToObj(i -> event(prefix + i)).toArray(String[]::new));
  }

  @Test
  void odpDownQueuesEventsAndDeliversAllExactlyOnceWhenBack() {
    SyncStateStore store = memory();
    CurrentsForwarder f = forwarder(odp, store);
    CurrentsReceiver r = receiver(f);
    odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 2, Fault.SERVER_ERROR);

    assertThat(r.handle(headers(TOKEN), events("a", 3)).status()).isEqualTo(200);
    DrainResult down = f.drainOnce();
    assertThat(down.failed()).isTrue();
    assertThat(down.failure()).contains("503");
    assertThat(down.remaining()).isEqualTo(3);
    assertThat(down.retryIn()).isEqualTo(Duration.ofMillis(750));
    assertThat(f.nextAttemptAt()).isEqualTo(NOW.plusMillis(750));

    // More batches arrive while ODP is down; Braze resends one of them.
    assertThat(r.handle(headers(TOKEN), events("b", 2)).status()).isEqualTo(200);
    assertThat(r.handle(headers(TOKEN), events("a", 3)).body()).contains("\"duplicates\":3");
    assertThat(f.drainOnce().retryIn()).isEqualTo(Duration.ofMillis(1500));

    DrainResult back = f.drainOnce();
    assertThat(back.failed()).isFalse();
    assertThat(back.forwarded()).isEqualTo(5);
    assertThat(back.remaining()).isZero();
    assertThat(back.retryIn()).isZero();
    assertThat(f.nextAttemptAt()).isEqualTo(java.time.Instant.MIN);
    assertThat(odp.events())
        .extracting(OdpEvent::idempotenceId)
        .containsExactly("a0", "a1", "a2", "b0", "b1");
    assertThat(f.counts().forwarded()).isEqualTo(5);
    assertThat(f.counts().queued()).isEqualTo(5);
  }

  @Test
  void twoForwardersOnOneStoreNeverSendTheSameEvent() {
    SyncStateStore store = memory();
    CurrentsForwarder[] second = new CurrentsForwarder[1];
    // While the first forwarder's request is in flight, the second drains the store.
    OdpGateway slow =
        new DelegatingOdp(odp) {
          @Override
          public BatchResult sendEvents(List<OdpEvent> events) {
            if (second[0] != null) {
              CurrentsForwarder other = second[0];
              second[0] = null;
              assertThat(other.drainOnce().forwarded()).isEqualTo(6);
            }
            return super.sendEvents(events);
          }
        };
    CurrentsForwarder first =
        CurrentsForwarder.builder()
            .odp(slow)
            .state(store)
            .clock(clock)
            .batchSize(4)
            .batchesInFlight(1)
            .claims("forwarder-1", Duration.ofMinutes(1))
            .activityWindow(Duration.ZERO)
            .build();
    toClose.add(first);
    second[0] =
        CurrentsForwarder.builder()
            .odp(odp)
            .state(store)
            .clock(clock)
            .claims("forwarder-2", Duration.ofMinutes(1))
            .activityWindow(Duration.ZERO)
            .build();
    toClose.add(second[0]);
    receiver(first).handle(headers(TOKEN), events("e", 10));

    assertThat(first.drainOnce().forwarded()).isEqualTo(4);
    // The second took the six events nobody held; each event reached ODP once.
    assertThat(odp.events())
        .extracting(OdpEvent::idempotenceId)
        .containsExactlyInAnyOrder("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9");
    assertThat(odp.calls(InMemoryOdp.Operation.SEND_EVENTS)).isEqualTo(2);
    assertThat(store.outboxSize().messages()).isZero();
  }

  @Test
  void aForwarderThatDiedLeavesItsClaimsToAnotherAfterTheLease() {
    SyncStateStore store = memory();
    CurrentsForwarder f =
        CurrentsForwarder.builder()
            .odp(odp)
            .state(store)
            .clock(clock)
            .claims("forwarder-2", Duration.ofMinutes(1))
            .activityWindow(Duration.ZERO)
            .build();
    toClose.add(f);
    receiver(f).handle(headers(TOKEN), events("x", 1));
    // Another forwarder claimed the event and died before ODP answered.
    assertThat(store.claimOutbox("dead-forwarder", 10, NOW, Duration.ofMinutes(1))).hasSize(1);

    assertThat(f.drainOnce().forwarded()).isZero();
    clock.advance(Duration.ofMinutes(1));
    assertThat(f.drainOnce().forwarded()).isEqualTo(1);
    assertThat(odp.events()).extracting(OdpEvent::idempotenceId).containsExactly("x0");
  }

  @Test
  void aLostResponseIsResentAndOdpKeepsOneCopy() {
    SyncStateStore store = memory();
    CurrentsForwarder f = forwarder(odp, store);
    receiver(f).handle(headers(TOKEN), events("r", 2));
    odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 1, Fault.RESPONSE_LOST);
    assertThat(f.drainOnce().failed()).isTrue();
    assertThat(f.drainOnce().forwarded()).isEqualTo(2);
    assertThat(odp.events()).extracting(OdpEvent::idempotenceId).containsExactly("r0", "r1");
    assertThat(odp.calls(InMemoryOdp.Operation.SEND_EVENTS)).isEqualTo(2);
  }

  @Test
  void backoffDoublesWithJitterUpToTheMaximum() {
    SyncStateStore store = memory();
    List<Double> jitter = new ArrayList<>(List.of(0.0, 1.0, 0.5, 0.5, 0.5, 0.5));
    CurrentsForwarder f =
        CurrentsForwarder.builder()
            .odp(odp)
            .state(store)
            .clock(clock)
            .backoff(Duration.ofSeconds(2), Duration.ofSeconds(10))
            .jitter(() -> jitter.remove(0))
            .build();
    toClose.add(f);
    receiver(f).handle(headers(TOKEN), events("x", 1));
    odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 6, Fault.CONNECTION_REFUSED);
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waits.add(f.drainOnce().retryIn());
    }
    assertThat(waits)
        .containsExactly(
            Duration.ofSeconds(1), // 2 s, jitter 0: half
            Duration.ofSeconds(4), // 4 s, jitter 1: all
            Duration.ofSeconds(6), // 8 s, jitter 0.5: three quarters
            Duration.ofMillis(7500), // 16 s capped at 10 s
            Duration.ofMillis(7500));
  }

  @Test
  void drainsInOdpSizedBatches() {
    SyncStateStore store = memory();
    CurrentsForwarder f =
        CurrentsForwarder.builder().odp(odp).state(store).clock(clock).batchesInFlight(1).build();
    toClose.add(f);
    CurrentsReceiver r =
        CurrentsReceiver.builder().tokens(TOKEN).forwarder(f).maxEvents(2000).build();
    r.handle(headers(TOKEN), events("n", 1200));
    DrainResult d = f.drainOnce();
    assertThat(d.forwarded()).isEqualTo(1200);
    assertThat(odp.calls(InMemoryOdp.Operation.SEND_EVENTS)).isEqualTo(3);
    assertThat(odp.events()).hasSize(1200);
  }

  @Test
  void oneCycleHandsSeveralBatchesToOneCall() {
    SyncStateStore store = memory();
    List<Integer> callSizes = new ArrayList<>();
    OdpGateway recording =
        new DelegatingOdp(odp) {
          @Override
          public BatchResult sendEvents(List<OdpEvent> events) {
            callSizes.add(events.size());
            return super.sendEvents(events);
          }
        };
    CurrentsForwarder f = forwarder(recording, store);
    CurrentsReceiver r =
        CurrentsReceiver.builder().tokens(TOKEN).forwarder(f).maxEvents(3000).build();
    r.handle(headers(TOKEN), events("q", 2500));

    DrainResult d = f.drainOnce();

    // 4 batches of 500 per cycle by default: the client keeps their requests in flight together.
    assertThat(d.forwarded()).isEqualTo(2500);
    assertThat(callSizes).containsExactly(2000, 500);
    assertThat(odp.events().stream().map(OdpEvent::idempotenceId).distinct()).hasSize(2500);
    assertThat(store.outboxSize().messages()).isZero();
  }

  @Test
  void batchesInFlightIsBounded() {
    assertThatThrownBy(() -> CurrentsForwarder.builder().batchesInFlight(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchesInFlight must be between 1 and 64, was 0");
    assertThatThrownBy(() -> CurrentsForwarder.builder().batchesInFlight(65))
        .hasMessage("batchesInFlight must be between 1 and 64, was 65");
  }

  @Test
  void rowsOdpRejectsAreDeadLetteredCountedAndReported() {
    SyncStateStore store = memory();
    CurrentsForwarder f = forwarder(odp, store);
    // The host configured a custom identifier that this ODP account does not have: ODP refuses
    // events identified by it alone.
    CurrentsReceiver r =
        CurrentsReceiver.builder()
            .tokens(TOKEN)
            .forwarder(f)
            .identity(IdentityRule.defaults().withExternalIdAs("crm_id"))
            .build();
    String onlyExternal =
        event("bad", "users.behaviors.app.SessionStart", "")
            .replace("\"user_id\":\"b-bad\"", "\"user_id\":\"b-bad\",\"external_user_id\":\"e2\"");
    r.handle(headers(TOKEN), batch(event("good"), onlyExternal));
    DrainResult d = f.drainOnce();
    assertThat(d.forwarded()).isEqualTo(1);
    assertThat(d.rejected()).isEqualTo(1);
    assertThat(d.remaining()).isZero();
    assertThat(d.failed()).isFalse();
    assertThat(f.counts().odpRejected()).isEqualTo(1);
    assertThat(f.counts().deadLettered()).isEqualTo(1);
    assertThat(store.deadLetters(DeadLetterFilter.all(), 5))
        .singleElement()
        .satisfies(
            dead -> {
              assertThat(dead.id()).isEqualTo("bad");
              assertThat(dead.reason()).startsWith("ODP refused the event: identifiers:");
              assertThat(dead.deadAt()).isEqualTo(NOW);
            });
    assertThat(odp.events()).extracting(OdpEvent::idempotenceId).containsExactly("good");
    ActivityRecord record = store.recentActivity(ActivityRecord.Flow.CURRENTS, 1).get(0);
    assertThat(record.status()).isEqualTo(ActivityRecord.Status.PARTIAL);
    assertThat(record.counts().rejected()).isEqualTo(1);
    assertThat(record.rejections())
        .anySatisfy(
            rej -> {
              assertThat(rej.reason()).startsWith("ODP refused the event: identifiers:");
              assertThat(rej.location()).isEqualTo("bad");
            });
  }

  @Test
  void anEventTheClientRefusesIsIsolatedInsteadOfBlockingTheOutbox() {
    SyncStateStore store = memory();
    OdpGateway picky =
        new DelegatingOdp(odp) {
          @Override
          public BatchResult sendEvents(List<OdpEvent> events) {
            for (int i = 0; i < events.size(); i++) {
              if (events.get(i).idempotenceId().equals("p1")) {
                throw new IllegalArgumentException("events[" + i + "].data.x: invalid");
              }
            }
            return super.sendEvents(events);
          }
        };
    CurrentsForwarder f = forwarder(picky, store);
    receiver(f).handle(headers(TOKEN), events("p", 3));
    DrainResult d = f.drainOnce();
    assertThat(d.forwarded()).isEqualTo(2);
    assertThat(d.rejected()).isEqualTo(1);
    assertThat(odp.events()).extracting(OdpEvent::idempotenceId).containsExactly("p0", "p2");
    assertThat(store.outboxSize().messages()).isZero();
    assertThat(store.deadLetters(DeadLetterFilter.all(), 5))
        .extracting(DeadLetter::id)
        .containsExactly("p1");
  }

  @Test
  void wholeRequestRefusalsAreSplitUntilEveryEventIsDelivered() {
    SyncStateStore store = memory();
    // An account whose size limit is 50 events per request, answered with a 400 naming no event.
    odp.requestCap(50);
    CurrentsForwarder f = forwarder(odp, store);
    receiver(f).handle(headers(TOKEN), events("w", 500));

    DrainResult d = f.drainOnce();

    assertThat(d.failed()).isFalse();
    assertThat(d.forwarded()).isEqualTo(500);
    assertThat(d.rejected()).isZero();
    assertThat(store.outboxSize().messages()).isZero();
    assertThat(store.deadLetterCount()).isZero();
    assertThat(odp.events()).hasSize(500);
    assertThat(odp.events().stream().map(OdpEvent::idempotenceId).distinct()).hasSize(500);
    // 500 -> 250 -> 125 -> 62/63 -> 31/32: 15 refused requests, then 16 accepted ones.
    assertThat(odp.calls(InMemoryOdp.Operation.SEND_EVENTS)).isEqualTo(31);
  }

  @Test
  void aPoisonEventIsDeadLetteredAndDeliveredAfterReplayOnceAccepted() {
    SyncStateStore store = memory();
    odp.refuseEvents(
        e -> e.idempotenceId().equals("p137"), "data._source: names must not start with _");
    CurrentsForwarder f = forwarder(odp, store);
    receiver(f).handle(headers(TOKEN), events("p", 500));

    DrainResult d = f.drainOnce();

    assertThat(d.forwarded()).isEqualTo(499);
    assertThat(d.rejected()).isEqualTo(1);
    assertThat(d.remaining()).isZero();
    assertThat(odp.events()).hasSize(499);
    assertThat(store.deadLetters(DeadLetterFilter.all(), 5))
        .singleElement()
        .satisfies(
            dead -> {
              assertThat(dead.id()).isEqualTo("p137");
              assertThat(dead.reason())
                  .isEqualTo("ODP refused the event: data._source: names must not start with _");
            });
    ActivityRecord record = store.recentActivity(ActivityRecord.Flow.CURRENTS, 1).get(0);
    assertThat(record.counts().other()).containsEntry("dead_lettered", 1L);

    // The account is fixed; the operator replays what was refused for that reason.
    odp.refuseEvents(e -> false, "");
    clock.advance(Duration.ofHours(1));
    assertThat(store.replayDeadLetters(DeadLetterFilter.reasonContains("_source"), clock.instant()))
        .isEqualTo(1);
    assertThat(f.drainOnce().forwarded()).isEqualTo(1);
    assertThat(odp.events()).hasSize(500);
    assertThat(odp.events().stream().map(OdpEvent::idempotenceId).distinct()).hasSize(500);
    assertThat(store.deadLetterCount()).isZero();
  }

  @Test
  void anUnmatchedEventIsParkedAndForwardedOnceTheSegmentSyncLearnsItsUser() {
    SyncStateStore store = memory();
    CurrentsForwarder f =
        CurrentsForwarder.builder()
            .odp(odp)
            .state(store)
            .clock(clock)
            .activityWindow(Duration.ZERO)
            .parkedCheckInterval(Duration.ZERO)
            .build();
    toClose.add(f);
    // A session start carries only Braze's ids: nothing ODP can use yet.
    String session = event("s1", "users.behaviors.app.SessionStart", "");
    CurrentsResponse r = receiver(f).handle(headers(TOKEN), batch(session));
    assertThat(r.body()).contains("\"unmatched\":1");
    assertThat(store.parkedCount()).isEqualTo(1);
    assertThat(f.drainOnce().forwarded()).isZero();
    assertThat(odp.events()).isEmpty();

    // The nightly segment sync learns the user behind Braze id b-s1.
    store.transaction(
        tx ->
            tx.putIdentities(
                List.of(
                    new IdentityRecord(
                        "b-s1", "cust-1", Map.of("email", "s1@example.com"), clock.instant()))));

    assertThat(f.drainOnce().forwarded()).isEqualTo(1);
    assertThat(f.drainOnce().forwarded()).isZero();
    assertThat(odp.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.idempotenceId()).isEqualTo("s1");
              assertThat(e.identifiers()).containsEntry("email", "s1@example.com");
              assertThat(e.action()).isEqualTo("behaviors_app_sessionstart");
            });
    assertThat(store.parkedCount()).isZero();
    assertThat(f.counts().parked()).isEqualTo(1);
    assertThat(f.counts().unparked()).isEqualTo(1);
    assertThat(store.recentActivity(ActivityRecord.Flow.CURRENTS, 5))
        .anySatisfy(a -> assertThat(a.counts().other()).containsEntry("unparked", 1L));
  }

  @Test
  void parkedEventsPastTheirBoundsAreDroppedAndCounted() {
    SyncStateStore store = memory();
    CurrentsForwarder f =
        CurrentsForwarder.builder()
            .odp(odp)
            .state(store)
            .clock(clock)
            .parking(Duration.ofDays(7), 1)
            .parkedCheckInterval(Duration.ZERO)
            .build();
    toClose.add(f);
    receiver(f)
        .handle(
            headers(TOKEN),
            batch(
                event("p1", "users.behaviors.app.SessionStart", ""),
                event("p2", "users.behaviors.app.SessionStart", "")));
    f.drainOnce();
    assertThat(store.parkedCount()).isEqualTo(1);
    clock.advance(Duration.ofDays(8));
    f.drainOnce();
    assertThat(store.parkedCount()).isZero();
    assertThat(f.counts().parkedDropped()).isEqualTo(2);
  }

  @Test
  void eventsFailingTooOftenOrForTooLongAreDeadLetteredNotLost() {
    SyncStateStore store = memory();
    CurrentsForwarder f =
        CurrentsForwarder.builder()
            .odp(odp)
            .state(store)
            .clock(clock)
            .jitter(() -> 0.5)
            .maxAttempts(2)
            .maxAge(Duration.ofDays(1))
            .build();
    toClose.add(f);
    receiver(f).handle(headers(TOKEN), events("t", 2));
    odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 2, Fault.SERVER_ERROR);
    assertThat(f.drainOnce().failed()).isTrue();
    assertThat(f.drainOnce().failed()).isTrue();
    assertThat(store.peekOutbox(5)).extracting(OutboxMessage::attempts).containsExactly(2, 2);

    DrainResult gaveUp = f.drainOnce();
    assertThat(gaveUp.rejected()).isEqualTo(2);
    assertThat(store.deadLetters(DeadLetterFilter.all(), 5))
        .allSatisfy(
            dead -> {
              assertThat(dead.attempts()).isEqualTo(2);
              assertThat(dead.reason())
                  .startsWith("gave up after 2 failed delivery attempts; last failure:")
                  .contains("503");
            });

    receiver(f).handle(headers(TOKEN), events("old", 1));
    clock.advance(Duration.ofDays(2));
    assertThat(f.drainOnce().rejected()).isEqualTo(1);
    assertThat(store.deadLetters(DeadLetterFilter.reasonContains("not delivered within"), 5))
        .extracting(DeadLetter::id)
        .containsExactly("old0");
    assertThat(odp.events()).isEmpty();
  }

  @Test
  void anUnreadableOutboxMessageIsDeadLetteredAndReported() {
    SyncStateStore store = memory();
    store.enqueue(List.of(new OutboxMessage("junk", "{not json", NOW)));
    CurrentsForwarder f = forwarder(odp, store);
    DrainResult d = f.drainOnce();
    assertThat(d.rejected()).isEqualTo(1);
    assertThat(d.remaining()).isZero();
    assertThat(store.deadLetters(DeadLetterFilter.all(), 5))
        .extracting(DeadLetter::id, DeadLetter::payload)
        .containsExactly(tuple("junk", "{not json"));
    assertThat(store.recentActivity(ActivityRecord.Flow.CURRENTS, 1).get(0).rejections())
        .anySatisfy(rej -> assertThat(rej.reason()).startsWith("unreadable outbox payload"));
  }

  @Test
  void activityRecordPerCycleButNoneForEmptyCycles() {
    SyncStateStore store = memory();
    CurrentsForwarder f = forwarder(odp, store);
    CurrentsReceiver r = receiver(f);
    f.drainOnce();
    assertThat(store.recentActivity(10)).isEmpty();

    r.handle(headers(TOKEN), batch(event("c1"), event("c2"), event("nobody", "x.Y", "")));
    f.drainOnce();
    f.drainOnce(); // nothing new: no record
    List<ActivityRecord> records = store.recentActivity(ActivityRecord.Flow.CURRENTS, 10);
    assertThat(records).hasSize(1);
    ActivityRecord first = records.get(0);
    assertThat(first.category()).isEqualTo("braze");
    assertThat(first.subject()).isEqualTo("currents");
    assertThat(first.status()).isEqualTo(ActivityRecord.Status.PARTIAL); // one unmatched
    assertThat(first.counts().read()).isEqualTo(3);
    assertThat(first.counts().sent()).isEqualTo(2);
    assertThat(first.counts().unmatched()).isEqualTo(1);
    assertThat(first.counts().odpCalls()).isEqualTo(1);
    assertThat(first.counts().other()).containsEntry("queued", 2L);
    assertThat(first.rejections())
        .extracting(ActivityRecord.Rejection::location)
        .contains("nobody");

    odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 1, Fault.SERVER_ERROR);
    r.handle(headers(TOKEN), batch(event("c3")));
    f.drainOnce();
    r.handle(headers(TOKEN), batch(event("c3")));
    f.drainOnce();
    records = store.recentActivity(ActivityRecord.Flow.CURRENTS, 10);
    assertThat(records).hasSize(3);
    assertThat(records.get(1).status()).isEqualTo(ActivityRecord.Status.FAILED);
    assertThat(records.get(1).counts().sent()).isZero();
    assertThat(records.get(0).status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(records.get(0).counts().sent()).isEqualTo(1);
    assertThat(records.get(0).counts().unchanged()).isEqualTo(1); // the resent c3
  }

  @Test
  void cyclesWithinOneActivityWindowShareARecord() {
    SyncStateStore store = memory();
    CurrentsForwarder f =
        CurrentsForwarder.builder().odp(odp).state(store).clock(clock).build(); // 1 min window
    toClose.add(f);
    CurrentsReceiver r = receiver(f);
    r.handle(headers(TOKEN), batch(event("w1")));
    f.drainOnce();
    clock.advance(Duration.ofSeconds(30));
    r.handle(headers(TOKEN), batch(event("w2")));
    f.drainOnce();
    List<ActivityRecord> records = store.recentActivity(ActivityRecord.Flow.CURRENTS, 10);
    assertThat(records).hasSize(1);
    assertThat(records.get(0).counts().sent()).isEqualTo(2);
    assertThat(records.get(0).end()).isEqualTo(NOW.plusSeconds(30));
    clock.advance(Duration.ofSeconds(31));
    r.handle(headers(TOKEN), batch(event("w3")));
    f.drainOnce();
    records = store.recentActivity(ActivityRecord.Flow.CURRENTS, 10);
    assertThat(records).hasSize(2);
    assertThat(records.get(0).counts().sent()).isEqualTo(1);
  }

  @Test
  void concurrentPostsShareCommitsWithoutLosingOrDuplicatingAnEvent(@TempDir Path dir)
      throws Exception {
    try (SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"))) {
      CurrentsForwarder f = forwarder(odp, store);
      CurrentsReceiver r = receiver(f);
      int threads = 8;
      int posts = 25;
      java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String prefix = "t" + t + "-";
          done.add(
              pool.submit(
                  () -> {
                    for (int p = 0; p < posts; p++) {
                      assertThat(r.handle(headers(TOKEN), events(prefix + p + "-", 20)).status())
                          .isEqualTo(200);
                    }
                    // Braze resends one batch: every event is a duplicate.
                    assertThat(r.handle(headers(TOKEN), events(prefix + "0-", 20)).body())
                        .contains("\"duplicates\":20");
                    return null;
                  }));
        }
        for (java.util.concurrent.Future<?> d : done) {
          d.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(store.outboxSize().messages()).isEqualTo(threads * posts * 20L);
      assertThat(f.counts().queued()).isEqualTo(threads * posts * 20L);
      assertThat(f.counts().duplicates()).isEqualTo(threads * 20L);
      assertThat(f.drainOnce().forwarded()).isEqualTo(threads * posts * 20);
      assertThat(odp.events().stream().map(OdpEvent::idempotenceId).distinct())
          .hasSize(threads * posts * 20);
    }
  }

  @Test
  void restartDrainsWhatThePreviousProcessLeftQueued(@TempDir Path dir) {
    Path file = dir.resolve("state.db");
    byte[] body = events("s", 4);
    try (SyncStateStore first = SyncStateStore.sqlite(file)) {
      CurrentsForwarder f = forwarder(odp, first);
      odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 1, Fault.SERVER_ERROR);
      assertThat(receiver(f).handle(headers(TOKEN), body).status()).isEqualTo(200);
      assertThat(f.drainOnce().failed()).isTrue();
      f.close();
    } // the process "crashes" with four events queued

    try (SyncStateStore second = SyncStateStore.sqlite(file)) {
      assertThat(second.outboxSize().messages()).isEqualTo(4);
      CurrentsForwarder f = forwarder(odp, second);
      // Braze resends the batch it may not have seen acknowledged: still a duplicate.
      assertThat(receiver(f).handle(headers(TOKEN), body).body()).contains("\"duplicates\":4");
      DrainResult d = f.drainOnce();
      assertThat(d.forwarded()).isEqualTo(4);
      assertThat(second.outboxSize().messages()).isZero();
    }
    assertThat(odp.events())
        .extracting(OdpEvent::idempotenceId)
        .containsExactly("s0", "s1", "s2", "s3");
  }

  @Test
  void startedForwarderDrainsTheOldOutboxAndCloseFlushes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("state.db");
    try (SyncStateStore first = SyncStateStore.sqlite(file)) {
      receiver(forwarder(odp, first)).handle(headers(TOKEN), events("o", 3));
    }
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try (SyncStateStore second = SyncStateStore.sqlite(file)) {
      CurrentsForwarder f =
          CurrentsForwarder.builder().odp(odp).state(second).executor(executor).build();
      CurrentsReceiver r = receiver(f);
      f.start();
      f.start(); // harmless
      r.handle(headers(TOKEN), events("q", 2));
      f.close(); // bounded: waits for the running cycle and flushes
      f.close(); // idempotent
      assertThat(second.outboxSize().messages()).isZero();
      // The host's executor is the host's to shut down.
      assertThat(executor.isShutdown()).isFalse();
    } finally {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(odp.events())
        .extracting(OdpEvent::idempotenceId)
        .containsExactly("o0", "o1", "o2", "q0", "q1");
  }

  @Test
  void closeWithOwnThreadStopsIt() {
    SyncStateStore store = memory();
    CurrentsForwarder f = CurrentsForwarder.builder().odp(odp).state(store).build();
    f.start();
    receiver(f).handle(headers(TOKEN), events("t", 2));
    f.close();
    assertThat(store.outboxSize().messages()).isZero();
    assertThat(odp.events()).hasSize(2);
    assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
        .doesNotContain("currents-forwarder");
  }

  /** Forwards every call to another gateway; tests override what they need. */
  static class DelegatingOdp implements OdpGateway {
    private final OdpGateway target;

    DelegatingOdp(OdpGateway target) {
      this.target = target;
    }

    @Override
    public BatchResult upsertProfiles(List<ProfileUpdate> updates) {
      return target.upsertProfiles(updates);
    }

    @Override
    public BatchResult sendEvents(List<OdpEvent> events) {
      return target.sendEvents(events);
    }

    @Override
    public List<SchemaField> customerFields() {
      return target.customerFields();
    }

    @Override
    public SchemaField createCustomerField(SchemaField field) {
      return target.createCustomerField(field);
    }

    @Override
    public Stream<ExportRow> segmentMembers(String segment, List<String> fields) {
      return target.segmentMembers(segment, fields);
    }
  }
}
