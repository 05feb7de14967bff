package io.github.brazeodp.sync.segments;

import static io.github.brazeodp.sync.segments.World.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.mapping.FieldMapping;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.mapping.MappingException;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentSyncTest {
  private final World w = new World();

  @Test
  void selectingNothingImportsNothingAndSaysSo() {
    w.segmentOf("seg-1", "Gold", 3);
    SyncReport report = w.sync(Selection.none()).build().run();
    assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(report.notes()).contains("no segments selected: nothing imported");
    assertThat(w.braze.exportsStarted()).isEmpty();
    assertThat(w.odp.upserts()).isEmpty();
    assertThat(w.state.recentActivity(1))
        .extracting(ActivityRecord::id)
        .containsExactly(report.activity().id());
  }

  @Test
  void unknownSegmentsFailBeforeAnyExportWithCloseMatches() {
    w.segmentOf("seg-1", "Gold members", 1);
    assertThatThrownBy(() -> w.sync(Selection.segments("Gold member", "nope")).build().run())
        .isInstanceOf(UnknownSegmentsException.class)
        .hasMessageContaining(
            "\"Gold member\" matches no segment id or name; did you mean [Gold members]")
        .hasMessageContaining("\"nope\" matches no segment");
    assertThat(w.braze.exportsStarted()).isEmpty();
    assertThat(w.state.recentActivity(1).get(0).status()).isEqualTo(ActivityRecord.Status.FAILED);
  }

  @Test
  void selectsByIdByNameOrAll() {
    w.segmentOf("seg-1", "Gold", 2);
    w.braze.putSegment("seg-2", "Silver", List.of("u0"));
    w.braze.putSegment("seg-3", "Bronze", List.of("u1"));
    w.sync(Selection.segments("seg-1", "Bronze")).build().run();
    assertThat(w.braze.exportsStarted())
        .extracting(e -> e.segmentId())
        .containsExactlyInAnyOrder("seg-1", "seg-3");
    w.sync(Selection.all()).build().run();
    assertThat(w.braze.exportsStarted()).hasSize(5);
  }

  @Test
  void defaultMappingsUpsertMappedProfilesWithPrefixedBrazeIds() {
    w.braze.putUser(
        user(
            "b1",
            "Jane@Example.com",
            "first_name",
            "Jane",
            "last_name",
            "Doe",
            "home_city",
            "Chicago",
            "gender",
            "F",
            "dob",
            "1980-12-21",
            "phone",
            "+442071838750"));
    w.braze.putUser(user("b2", "max@example.com", "gender", "O"));
    w.braze.putSegment("seg", "All", List.of("b1", "b2"));
    SyncReport report = w.sync(Selection.all()).build().run();

    assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(report.counts().sent()).isEqualTo(2);
    Map<String, Object> jane = w.odp.customer("email", "Jane@Example.com");
    assertThat(jane)
        .containsEntry("first_name", "Jane")
        .containsEntry("last_name", "Doe")
        .containsEntry("city", "Chicago")
        .containsEntry("gender", "F")
        .containsEntry("phone", "+442071838750")
        .containsEntry("_braze_braze_id", "b1")
        .containsEntry("_braze_external_id", "ext-b1");
    assertThat(jane.get("dob_year")).isIn(1980L, 1980, 1980.0);
    assertThat(w.odp.customer("email", "max@example.com")).doesNotContainKey("gender");
  }

  @Test
  void customMappingsAndRemovedDefaultsApply() {
    w.odp.putField("loyalty_tier", FieldType.STRING);
    w.braze.putUser(
        user(
            "b1",
            "a@example.com",
            "first_name",
            "Ann",
            "custom_attributes",
            Map.of("tier", "Gold")));
    w.braze.putSegment("seg", "All", List.of("b1"));
    FieldMappings mappings =
        FieldMappings.defaults()
            .add(FieldMapping.customAttribute("tier", "loyalty_tier"))
            .remove("first_name");
    w.sync(Selection.all()).mappings(mappings).build().run();
    assertThat(w.odp.customer("email", "a@example.com"))
        .containsEntry("loyalty_tier", "Gold")
        .doesNotContainKey("first_name");
  }

  @Test
  void valuesAreConvertedToTheOdpFieldTypes() {
    w.odp.putField("loyalty_points", FieldType.NUMBER);
    w.braze.putUser(user("b1", "a@example.com", "custom_attributes", Map.of("points", "321")));
    w.braze.putSegment("seg", "All", List.of("b1"));
    FieldMappings mappings =
        FieldMappings.defaults().add(FieldMapping.customAttribute("points", "loyalty_points"));
    w.sync(Selection.all()).mappings(mappings).build().run();
    assertThat(w.odp.customer("email", "a@example.com").get("loyalty_points")).isEqualTo(321L);
  }

  @Test
  void mappingToAnUnknownOdpFieldFailsBeforeAnyExport() {
    w.segmentOf("seg", "All", 1);
    FieldMappings mappings =
        FieldMappings.defaults().add(FieldMapping.customAttribute("tier", "loyalty_tierr"));
    assertThatThrownBy(() -> w.sync(Selection.all()).mappings(mappings).build().run())
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("loyalty_tierr");
    assertThat(w.braze.exportsStarted()).isEmpty();
  }

  @Test
  void anIdentityRuleNamingAnIdentifierOdpLacksIsAMappingProblem() {
    w.segmentOf("seg", "All", 1);
    IdentityRule rule =
        IdentityRule.of(List.of(new IdentityRule.Pair("external_id", "braze_external_id")));
    assertThatThrownBy(() -> w.sync(Selection.all()).identity(rule).build().run())
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("braze_external_id");
    assertThat(w.braze.exportsStarted()).isEmpty();
  }

  @Test
  void missingPrefixedFieldsFailUnlessTheSyncMayCreateThem() {
    w.segmentOf("seg", "All", 1);
    assertThatThrownBy(() -> w.sync(Selection.all()).createMissingFields(false).build().run())
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("_braze_braze_id");
    SyncReport report = w.sync(Selection.all()).build().run();
    assertThat(report.notes()).contains("created ODP field _braze_braze_id");
    assertThat(w.odp.customerFields()).anyMatch(f -> f.name().equals("_braze_external_id"));
  }

  @Test
  void secondRunSendsNothingAndAChangedAttributeSendsOneProfile() {
    w.segmentOf("seg", "All", 120);
    SyncReport first = w.sync(Selection.all()).build().run();
    assertThat(first.counts().sent()).isEqualTo(120);

    w.clock.advance(Duration.ofDays(1));
    SyncReport second = w.sync(Selection.all()).build().run();
    assertThat(second.counts().sent()).isZero();
    assertThat(second.counts().unchanged()).isEqualTo(120);
    assertThat(w.odp.upserts()).hasSize(120);

    w.braze.putUser(user("u7", "user7@example.com", "first_name", "Renamed"));
    w.clock.advance(Duration.ofDays(1));
    SyncReport third = w.sync(Selection.all()).build().run();
    assertThat(third.counts().sent()).isEqualTo(1);
    assertThat(w.odp.customer("email", "user7@example.com")).containsEntry("first_name", "Renamed");
  }

  @Test
  void membershipChangesBecomeEnteredAndExitedEventsOnlyOnChange() {
    w.segmentOf("seg", "Gold", 3);
    w.sync(Selection.all()).build().run();
    assertThat(actions("segment_entered")).hasSize(3);

    w.clock.advance(Duration.ofDays(1));
    w.sync(Selection.all()).build().run();
    assertThat(actions("segment_entered")).hasSize(3);
    assertThat(actions("segment_exited")).isEmpty();

    w.braze.putUser(user("u9", "user9@example.com"));
    w.braze.putSegment("seg", "Gold", List.of("u1", "u2", "u9"));
    w.clock.advance(Duration.ofDays(1));
    SyncReport report = w.sync(Selection.all()).build().run();
    assertThat(actions("segment_entered")).hasSize(4);
    List<OdpEvent> exited = actions("segment_exited");
    assertThat(exited)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.identifiers()).containsEntry("email", "user0@example.com");
              assertThat(e.data())
                  .containsEntry("_braze_segment_id", "seg")
                  .containsEntry("_braze_segment_name", "Gold");
            });
    assertThat(report.counts().other())
        .containsEntry("segmentEntered", 1L)
        .containsEntry("segmentExited", 1L);
  }

  @Test
  void customEventsAreSentOnlyWhenNewerThanTheLastSuccessfulRun() {
    Map<String, Object> opened =
        Map.of(
            "name", "opened_app",
            "first", "2026-01-01T00:00:00.000Z",
            "last", "2026-11-28T10:00:00.000Z",
            "count", 4);
    w.braze.putUser(user("b1", "a@example.com", "custom_events", List.of(opened)));
    w.braze.putSegment("seg", "All", List.of("b1"));
    w.sync(Selection.all()).build().run();
    assertThat(actions("custom_event"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.data())
                  .containsEntry("_braze_event_name", "opened_app")
                  .containsEntry("_braze_event_last", "2026-11-28T10:00:00.000Z");
              assertThat(e.ts()).isEqualTo(java.time.Instant.parse("2026-11-28T10:00:00Z"));
            });

    w.clock.advance(Duration.ofDays(1));
    w.sync(Selection.all()).build().run();
    assertThat(actions("custom_event")).hasSize(1);

    Map<String, Object> again =
        Map.of(
            "name", "opened_app",
            "first", "2026-01-01T00:00:00.000Z",
            "last", "2026-11-30T20:00:00.000Z",
            "count", 5);
    w.braze.putUser(user("b1", "a@example.com", "custom_events", List.of(again)));
    w.clock.advance(Duration.ofDays(1));
    w.sync(Selection.all()).build().run();
    assertThat(actions("custom_event")).hasSize(2);
  }

  @Test
  void aCrashAfterFileThreeResumesWithFilesFourAndFiveOnly() {
    w.segmentOf("seg", "All", 50);
    w.braze.exportFileSize(10);
    AtomicInteger commits = new AtomicInteger();
    SegmentSync crashing =
        w.sync(Selection.all())
            .batchSize(10)
            .progress(
                (segment, read, sent) -> {
                  if (commits.incrementAndGet() == 3) {
                    throw new IllegalArgumentException("simulated crash after file 3");
                  }
                })
            .build();
    assertThatThrownBy(crashing::run).hasMessageContaining("simulated crash");
    int upsertsBefore = w.odp.upserts().size();
    // Reading runs two batches ahead of the commits: files 4 and 5 may have been in flight.
    assertThat(upsertsBefore).isBetween(30, 50);

    w.clock.advance(Duration.ofMinutes(10));
    SyncReport resumed = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(resumed.notes()).anyMatch(n -> n.contains("resumed export"));
    assertThat(w.braze.exportsStarted()).hasSize(1);
    List<String> resent =
        w.odp.upserts().subList(upsertsBefore, w.odp.upserts().size()).stream()
            .map(u -> u.identifiers().get("email"))
            .toList();
    assertThat(resumed.counts().read()).isEqualTo(20);
    assertThat(resent)
        .doesNotContain("user0@example.com", "user29@example.com")
        .contains("user30@example.com", "user49@example.com");
    assertThat(actions("segment_entered")).hasSize(50);
  }

  @Test
  void anExpiredExportUrlStartsANewExportInsteadOfResuming() {
    w.segmentOf("seg", "All", 30);
    w.braze.exportFileSize(10);
    SegmentSync crashing =
        w.sync(Selection.all())
            .batchSize(10)
            .progress(
                (segment, read, sent) -> {
                  throw new IllegalArgumentException("crash");
                })
            .build();
    assertThatThrownBy(crashing::run).isInstanceOf(IllegalArgumentException.class);
    w.clock.advance(Duration.ofHours(5));
    SyncReport report = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(w.braze.exportsStarted()).hasSize(2);
    assertThat(report.counts().read()).isEqualTo(30);
    assertThat(w.odp.customers()).hasSize(30);
  }

  @Test
  void anOdpRateLimitStormLosesNothing() {
    w.segmentOf("seg", "All", 100);
    w.odp.failNext(InMemoryOdp.Operation.UPSERT_PROFILES, 3, Fault.RATE_LIMITED);
    SyncReport stormy = w.sync(Selection.all()).batchSize(20).build().run();
    assertThat(stormy.status()).isEqualTo(ActivityRecord.Status.PARTIAL);
    assertThat(stormy.counts().rejected()).isEqualTo(60);
    assertThat(stormy.rejections()).first().satisfies(r -> assertThat(r.reason()).contains("429"));

    w.clock.advance(Duration.ofDays(1));
    SyncReport calm = w.sync(Selection.all()).batchSize(20).build().run();
    assertThat(calm.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(calm.counts().sent()).isEqualTo(60);
    assertThat(w.odp.customers()).hasSize(100);
  }

  @Test
  void aKillBetweenUpsertAndHashCommitResendsOnlyThatBatch() {
    w.segmentOf("seg", "All", 50);
    w.braze.exportFileSize(10);
    AtomicInteger upserts = new AtomicInteger();
    io.github.brazeodp.sync.port.OdpGateway killing =
        new DelegatingOdp(w.odp) {
          @Override
          public io.github.brazeodp.odp.BatchResult upsertProfiles(
              List<io.github.brazeodp.odp.ProfileUpdate> updates) {
            io.github.brazeodp.odp.BatchResult r = super.upsertProfiles(updates);
            if (upserts.incrementAndGet() == 2) {
              throw new AssertionError("process killed after ODP accepted batch 2");
            }
            return r;
          }
        };
    SegmentSync first = w.sync(Selection.all()).odp(killing).batchSize(10).maxInFlight(1).build();
    assertThatThrownBy(first::run).isInstanceOf(AssertionError.class);
    int before = w.odp.upserts().size();

    SyncReport second = w.sync(Selection.all()).batchSize(10).build().run();
    List<String> resent =
        w.odp.upserts().subList(before, w.odp.upserts().size()).stream()
            .map(u -> u.identifiers().get("email"))
            .toList();
    assertThat(resent)
        .contains("user10@example.com", "user19@example.com")
        .doesNotContain("user0@example.com", "user9@example.com");
    assertThat(second.counts().unchanged()).isZero();
    assertThat(w.odp.customers()).hasSize(50);
  }

  @Test
  void dryRunWritesNothing() {
    w.segmentOf("seg", "All", 10);
    SyncReport dry = w.sync(Selection.all()).build().dryRun();
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.counts().sent()).isEqualTo(10);
    assertThat(dry.counts().other()).containsEntry("wouldEnterSegments", 10L);
    assertThat(w.odp.upserts()).isEmpty();
    assertThat(w.odp.events()).isEmpty();
    assertThat(w.state.recentActivity(10)).isEmpty();
    assertThat(w.state.hashes("profile", List.of("u0"))).isEmpty();

    SyncReport real = w.sync(Selection.all()).build().run();
    assertThat(real.counts().sent()).isEqualTo(10);
  }

  @Test
  void usersWithoutIdentifiersAreUnmatchedNotErrors() {
    w.braze.putUser(user("b1", null, "first_name", "Nobody"));
    w.braze.putUser(user("b2", "b2@example.com"));
    w.braze.putSegment("seg", "All", List.of("b1", "b2"));
    SyncReport report = w.sync(Selection.all()).build().run();
    assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(report.counts().unmatched()).isEqualTo(1);
    assertThat(report.unmatched()).containsExactly("b1");
    assertThat(report.counts().sent()).isEqualTo(1);
  }

  @Test
  void rowsOdpRejectsAreReportedWithBrazeIdAndTheRunIsPartial() {
    w.braze.putUser(user("b1", "ok@example.com", "first_name", "x".repeat(2000)));
    w.braze.putUser(user("b2", "fine@example.com"));
    w.braze.putSegment("seg", "All", List.of("b1", "b2"));
    SyncReport report = w.sync(Selection.all()).build().run();
    assertThat(report.status()).isEqualTo(ActivityRecord.Status.PARTIAL);
    assertThat(report.rejections()).anyMatch(r -> String.valueOf(r.location()).contains("b1"));
    assertThat(w.odp.customer("email", "fine@example.com")).isNotNull();
  }

  @Test
  void aUserInSeveralSegmentsIsUpsertedOncePerRun() {
    w.segmentOf("seg-1", "One", 5);
    w.braze.putSegment("seg-2", "Two", List.of("u0", "u1", "u2", "u3", "u4"));
    w.braze.putSegment("seg-3", "Three", List.of("u0", "u1"));
    SyncReport report = w.sync(Selection.all()).build().run();
    assertThat(w.odp.upserts()).hasSize(5);
    assertThat(report.counts().read()).isEqualTo(12);
    assertThat(actions("segment_entered")).hasSize(12);
  }

  @Test
  void aSlowExportIsAwaitedOnTheClockAndAFailedSegmentDoesNotStopOthers() {
    w.segmentOf("seg-1", "One", 3);
    w.braze.putSegment("seg-2", "Two", List.of("u0"));
    w.braze.exportReadyAfter(Duration.ofMinutes(20));
    w.braze.failNext(InMemoryBraze.Operation.START_EXPORT, 1, Fault.SERVER_ERROR);
    SyncReport report = w.sync(Selection.all()).concurrentExports(1).build().run();
    assertThat(report.status()).isEqualTo(ActivityRecord.Status.PARTIAL);
    assertThat(report.rejections()).anyMatch(r -> r.reason().contains("failed"));
    assertThat(w.clock.sleeps()).isNotEmpty();
  }

  @Test
  void theSqliteStoreKeepsTheDiffAcrossReopen(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("state.db");
    w.segmentOf("seg", "All", 20);
    try (SyncStateStore store = SyncStateStore.sqlite(file)) {
      w.state = store;
      assertThat(w.sync(Selection.all()).build().run().counts().sent()).isEqualTo(20);
    }
    try (SyncStateStore store = SyncStateStore.sqlite(file)) {
      w.state = store;
      SyncReport again = w.sync(Selection.all()).build().run();
      assertThat(again.counts().sent()).isZero();
      assertThat(again.counts().unchanged()).isEqualTo(20);
      assertThat(store.recentActivity(5)).hasSize(2);
    }
  }

  @Test
  void progressIsReported() {
    w.segmentOf("seg", "All", 25);
    List<long[]> seen = new java.util.ArrayList<>();
    w.sync(Selection.all())
        .batchSize(10)
        .progress((segment, read, sent) -> seen.add(new long[] {read, sent}))
        .build()
        .run();
    assertThat(seen).hasSize(3);
    assertThat(seen.get(2)).containsExactly(25, 25);
  }

  private List<OdpEvent> actions(String action) {
    return w.odp.events().stream().filter(e -> e.action().equals(action)).toList();
  }
}
