package io.github.brazeodp.sync.segments;

import static io.github.brazeodp.sync.segments.World.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.state.StateWriter;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The fast paths of a rerun: unchanged lines skipped, membership and checkpoints written less. */
class SegmentSyncRerunTest {
  private final World w = new World();
  private final List<String> writes = Collections.synchronizedList(new ArrayList<>());
  // The store's own methods called, writes and reads.
  private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  private volatile Predicate<String> failWrite = name -> false;

  @Test
  void anUnchangedRerunParsesNothingAndWritesNoHashMemberOrPerBatchCheckpoint() {
    w.segmentOf("seg", "All", 120);
    w.state = recording(w.state);
    w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(writes).contains("putHashes", "addMembers", "putIdentities");
    assertThat(hash("u7")).matches("[0-9a-f]{32}:[0-9a-f]{16}");

    writes.clear();
    w.clock.advance(Duration.ofDays(1));
    SyncReport second = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(second.counts().read()).isEqualTo(120);
    assertThat(second.counts().unchanged()).isEqualTo(120);
    assertThat(second.counts().sent()).isZero();
    assertThat(writes)
        .doesNotContain(
            "putHashes", "stageMembers", "addMembers", "putIdentities", "removeMembers");
    // One checkpoint when the export starts; the clock did not move, so no batch wrote another.
    assertThat(writes.stream().filter("putCheckpoint"::equals)).hasSize(1);

    // One changed line: only its user is written, and its checkpoint goes with it.
    w.braze.putUser(user("u7", "user7@example.com", "first_name", "Renamed"));
    writes.clear();
    w.clock.advance(Duration.ofDays(1));
    SyncReport third = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(third.counts().sent()).isEqualTo(1);
    assertThat(writes.stream().filter("putHashes"::equals)).hasSize(1);
    assertThat(writes.stream().filter("putCheckpoint"::equals)).hasSize(2);
  }

  @Test
  void usersTheStoredLinesAnswerForAreNotLookedUp() {
    w.segmentOf("seg", "All", 120);
    w.state = recording(w.state);
    // A first run into an empty store: every user is new, nobody is looked up.
    w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(calls).doesNotContain("hashesUnlessEndingWith", "nonMembersAmong", "hashes");

    calls.clear();
    w.clock.advance(Duration.ofDays(1));
    SyncReport unchanged = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(unchanged.counts().unchanged()).isEqualTo(120);
    assertThat(calls).contains("forEachMemberHash");
    assertThat(calls).doesNotContain("hashesUnlessEndingWith", "nonMembersAmong", "hashes");

    // A changed line is looked up, alone; a user new to the segment is not: every stored hash
    // belongs to a member, so one without a member row has none.
    w.braze.putUser(user("u7", "user7@example.com", "first_name", "Renamed"));
    w.braze.putUser(user("u120", "user120@example.com"));
    List<String> members = new ArrayList<>();
    for (int i = 0; i <= 120; i++) {
      members.add("u" + i);
    }
    w.braze.putSegment("seg", "All", members);
    calls.clear();
    w.clock.advance(Duration.ofDays(1));
    SyncReport third = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(third.counts().sent()).isEqualTo(2);
    assertThat(third.counts().unchanged()).isEqualTo(119);
    assertThat(calls.stream().filter("hashesUnlessEndingWith"::equals)).hasSize(1);
    assertThat(calls.stream().filter("nonMembersAmong"::equals)).hasSize(1);
    assertThat(actions("segment_entered").stream().map(e -> e.data().get("_braze_braze_id")))
        .hasSize(121)
        .containsOnlyOnce("u120");
  }

  @Test
  void aUserWhoseStoredHashCameFromAnotherSegmentIsNotTakenForNew() {
    w.segmentOf("a", "A", 10);
    w.braze.putSegment("b", "B", List.of("u0", "u1", "u2"));
    w.sync(Selection.segments("a")).build().run();
    int upserts = w.odp.upserts().size();

    // Segment b has no member yet, but the namespace holds hashes of its users: they are looked
    // up, found unchanged and only enter b.
    w.clock.advance(Duration.ofDays(1));
    SyncReport b = w.sync(Selection.segments("b")).build().run();
    assertThat(b.counts().sent()).isZero();
    assertThat(b.counts().unchanged()).isEqualTo(3);
    assertThat(w.odp.upserts()).hasSize(upserts);
    assertThat(
            actions("segment_entered").stream()
                .filter(e -> "b".equals(e.data().get("_braze_segment_id"))))
        .hasSize(3);
    assertThat(w.state.memberCount("b")).isEqualTo(3);
  }

  @Test
  void checkpointsThatOnlyMoveThePositionFollowTheInterval() {
    w.segmentOf("seg", "All", 60);
    w.sync(Selection.all()).batchSize(10).build().run();
    w.state = recording(w.state);
    w.clock.advance(Duration.ofDays(1));
    w.sync(Selection.all()).batchSize(10).checkpointInterval(Duration.ZERO).build().run();
    // The start of the export, then one per batch of ten.
    assertThat(writes.stream().filter("putCheckpoint"::equals)).hasSize(7);
    assertThatThrownBy(() -> SegmentSync.builder().checkpointInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpointInterval must not be negative, was PT-1S");
  }

  @Test
  void aLineWhoseProfileIsUnchangedGetsItsNewDigestAndItsNewCustomEvents() {
    w.braze.putUser(user("b1", "a@example.com", "custom_events", List.of(opened(4, "10:00"))));
    w.braze.putSegment("seg", "All", List.of("b1"));
    w.sync(Selection.all()).build().run();
    String before = hash("b1");

    w.braze.putUser(user("b1", "a@example.com", "custom_events", List.of(opened(5, "23:00"))));
    w.clock.advance(Duration.ofMinutes(1));
    SyncReport second = w.sync(Selection.all()).build().run();
    assertThat(second.counts().sent()).isZero();
    assertThat(second.counts().unchanged()).isEqualTo(1);
    assertThat(actions("custom_event")).hasSize(2);
    String after = hash("b1");
    assertThat(after).isNotEqualTo(before);
    assertThat(SegmentSync.profileHash(after)).isEqualTo(SegmentSync.profileHash(before));
  }

  @Test
  void anUnchangedLineIsNotEvenCheckedForNewCustomEvents() {
    // The event's time lies after both runs' start: only a parse of the line would offer it again
    // (ODP would drop the copy by its id, but it would still be sent).
    w.braze.putUser(user("b1", "a@example.com", "custom_events", List.of(opened(4, "23:00"))));
    w.braze.putSegment("seg", "All", List.of("b1"));
    AtomicInteger customEventsSent = new AtomicInteger();
    DelegatingOdp counting =
        new DelegatingOdp(w.odp) {
          @Override
          public io.github.brazeodp.odp.BatchResult sendEvents(List<OdpEvent> events) {
            events.stream()
                .filter(e -> e.action().equals("custom_event"))
                .forEach(e -> customEventsSent.incrementAndGet());
            return super.sendEvents(events);
          }
        };
    w.sync(Selection.all()).odp(counting).build().run();
    assertThat(customEventsSent).hasValue(1);
    w.clock.advance(Duration.ofMinutes(1));
    w.sync(Selection.all()).odp(counting).build().run();
    assertThat(customEventsSent).hasValue(1);
  }

  @Test
  void newMappingRulesRetireEveryStoredLineDigest() {
    w.segmentOf("seg", "All", 5);
    w.sync(Selection.all()).build().run();
    String before = hash("u1");
    w.clock.advance(Duration.ofDays(1));
    SyncReport report =
        w.sync(Selection.all())
            .mappings(FieldMappings.defaults().without("first_name"))
            .build()
            .run();
    // Parsed and mapped again: the profile lost an attribute, so all five are upserted.
    assertThat(report.counts().sent()).isEqualTo(5);
    assertThat(hash("u1")).isNotEqualTo(before);
  }

  @Test
  void undeliveredCustomEventsLeaveNoLineDigestSoTheNextRunOffersThemAgain() {
    w.braze.putUser(user("b1", "a@example.com", "custom_events", List.of(opened(4, "10:00"))));
    w.braze.putSegment("seg", "All", List.of("b1"));
    w.odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 1, Fault.SERVER_ERROR);
    SyncReport first = w.sync(Selection.all()).build().run();
    assertThat(first.counts().sent()).isEqualTo(1);
    assertThat(hash("b1")).matches("[0-9a-f]{32}");
    assertThat(actions("custom_event")).isEmpty();

    w.clock.advance(Duration.ofMinutes(1));
    w.sync(Selection.all()).build().run();
    assertThat(actions("custom_event")).hasSize(1);
    assertThat(hash("b1")).contains(":");
  }

  @Test
  void aResumedRunStillExitsOnlyTheMembersItDidNotRead() {
    w.segmentOf("seg", "All", 50);
    w.braze.exportFileSize(10);
    w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(actions("segment_entered")).hasSize(50);

    List<String> staying = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      if (i != 45) {
        staying.add("u" + i);
      }
    }
    staying.add("u50");
    w.braze.putUser(user("u50", "user50@example.com"));
    w.braze.putSegment("seg", "All", staying);
    w.clock.advance(Duration.ofDays(1));
    AtomicInteger batches = new AtomicInteger();
    SegmentSync crashing =
        w.sync(Selection.all())
            .batchSize(10)
            .checkpointInterval(Duration.ZERO)
            .progress(
                (segment, read, sent) -> {
                  if (batches.incrementAndGet() == 3) {
                    throw new IllegalArgumentException("simulated crash after file 3");
                  }
                })
            .build();
    assertThatThrownBy(crashing::run).hasMessageContaining("simulated crash");

    w.clock.advance(Duration.ofMinutes(10));
    SyncReport resumed = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(resumed.notes()).anyMatch(n -> n.contains("resumed export"));
    assertThat(actions("segment_exited"))
        .singleElement()
        .satisfies(e -> assertThat(e.data()).containsEntry("_braze_braze_id", "u45"));
    assertThat(actions("segment_entered"))
        .hasSize(51)
        .last()
        .satisfies(e -> assertThat(e.data()).containsEntry("_braze_braze_id", "u50"));
    assertThat(w.state.memberCount("seg")).isEqualTo(50);
    assertThat(w.state.membersAmong("seg", List.of("u45", "u50"))).containsExactly("u50");
  }

  @Test
  void aFailedCommitStopsTheLaterOnesAndTheNextRunResumesAfterTheLastCommittedBatch() {
    w.segmentOf("seg", "All", 60);
    w.braze.exportFileSize(10);
    w.state = recording(w.state);
    AtomicInteger hashWrites = new AtomicInteger();
    failWrite = name -> name.equals("putHashes") && hashWrites.incrementAndGet() == 3;
    assertThatThrownBy(() -> w.sync(Selection.all()).batchSize(10).build().run())
        .hasMessageContaining("disk full");
    int upsertsBefore = w.odp.upserts().size();
    // The third batch's commit failed: batches 1 and 2 are committed, and no later batch, even if
    // it was sent meanwhile.
    assertThat(w.state.hashes(SegmentSync.HASHES, List.of("u19", "u20", "u35", "u59")))
        .containsOnlyKeys("u19");

    failWrite = name -> false;
    w.clock.advance(Duration.ofMinutes(10));
    SyncReport resumed = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(resumed.notes()).anyMatch(n -> n.contains("resumed export"));
    assertThat(resumed.counts().read()).isEqualTo(40);
    assertThat(resumed.counts().sent()).isEqualTo(40);
    List<String> resent =
        w.odp.upserts().subList(upsertsBefore, w.odp.upserts().size()).stream()
            .map(u -> u.identifiers().get("email"))
            .toList();
    assertThat(resent).doesNotContain("user0@example.com", "user19@example.com");
    assertThat(w.state.hashCount(SegmentSync.HASHES)).isEqualTo(60);
    assertThat(w.state.memberCount("seg")).isEqualTo(60);
    assertThat(
            actions("segment_entered").stream()
                .map(e -> e.data().get("_braze_braze_id"))
                .distinct())
        .hasSize(60);
  }

  private String hash(String brazeId) {
    return w.state.hashes(SegmentSync.HASHES, List.of(brazeId)).get(brazeId);
  }

  private static Map<String, Object> opened(int count, String lastTime) {
    return Map.of(
        "name",
        "opened_app",
        "first",
        "2026-01-01T00:00:00.000Z",
        "last",
        "2026-11-29T" + lastTime + ":00.000Z",
        "count",
        count);
  }

  private List<OdpEvent> actions(String action) {
    return w.odp.events().stream().filter(e -> e.action().equals(action)).toList();
  }

  /** The store, with the names of the writer calls made inside its transactions recorded. */
  private SyncStateStore recording(SyncStateStore store) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          calls.add(method.getName());
          Object[] call = args;
          if (method.getName().startsWith("transaction") && args != null && args.length == 1) {
            Object work = args[0];
            call =
                new Object[] {
                  work instanceof Consumer<?> c
                      ? (Consumer<StateWriter>) tx -> ((Consumer<StateWriter>) c).accept(wrap(tx))
                      : (Function<StateWriter, Object>)
                          tx -> ((Function<StateWriter, Object>) work).apply(wrap(tx))
                };
          } else if (method.getDeclaringClass() == StateWriter.class) {
            // A single write, which the store runs as a transaction of its own.
            writes.add(method.getName());
          }
          return invoke(method, store, call);
        };
    return (SyncStateStore)
        Proxy.newProxyInstance(
            SyncStateStore.class.getClassLoader(), new Class<?>[] {SyncStateStore.class}, handler);
  }

  private StateWriter wrap(StateWriter tx) {
    return (StateWriter)
        Proxy.newProxyInstance(
            StateWriter.class.getClassLoader(),
            new Class<?>[] {StateWriter.class},
            (p, m, a) -> {
              writes.add(m.getName());
              if (failWrite.test(m.getName())) {
                throw new IllegalStateException("disk full (simulated)");
              }
              return invoke(m, tx, a);
            });
  }

  private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
