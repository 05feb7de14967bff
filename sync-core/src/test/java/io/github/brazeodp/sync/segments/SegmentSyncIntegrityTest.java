package io.github.brazeodp.sync.segments;

import static io.github.brazeodp.sync.segments.World.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.ExportLimits;
import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpException;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.RunLockedException;
import io.github.brazeodp.sync.RunStats;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.port.DelegatingBraze;
import io.github.brazeodp.sync.port.ExportHandle;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.ActivityRecord.Status;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segment sync under damaged exports, overlapping segments, failed event calls and resyncs. */
class SegmentSyncIntegrityTest {
  private final World w = new World();

  private static Map<String, Object> event(String name, String last) {
    return Map.of("name", name, "first", "2026-01-01T00:00:00.000Z", "last", last, "count", 1);
  }

  private List<OdpEvent> actions(String action) {
    return w.odp.events().stream().filter(e -> e.action().equals(action)).toList();
  }

  private List<OdpEvent> actionsFor(String action, String email) {
    return actions(action).stream()
        .filter(e -> email.equals(e.identifiers().get("email")))
        .toList();
  }

  /** Serves the fake's exports with the lines of some users replaced by unreadable ones. */
  private final class DamagingBraze extends DelegatingBraze {
    private final Set<String> damaged;

    DamagingBraze(Set<String> damaged) {
      super(w.braze);
      this.damaged = damaged;
    }

    @Override
    public ExportUserStream openExport(ExportHandle export, ExportReadOptions options) {
      byte[] archive = damage(w.braze.openExportArchive(export.objectPrefix()), damaged);
      return ExportUserStream.open(
          new ByteArrayInputStream(archive), export.objectPrefix() + ".zip", options);
    }
  }

  static byte[] damage(InputStream zip, Set<String> brazeIds) {
    try (ZipInputStream in = new ZipInputStream(zip)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ZipOutputStream out = new ZipOutputStream(bytes)) {
        for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
          String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          StringBuilder kept = new StringBuilder();
          for (String line : text.split("\n", -1)) {
            boolean hit =
                brazeIds.stream()
                    .anyMatch(
                        id ->
                            Pattern.compile("\"braze_id\"\\s*:\\s*\"" + id + "\"")
                                .matcher(line)
                                .find());
            kept.append(hit ? "{\"braze_id\": \"" + line.length() + " cut off" : line);
            kept.append('\n');
          }
          out.putNextEntry(new ZipEntry(entry.getName()));
          out.write(kept.substring(0, kept.length() - 1).getBytes(StandardCharsets.UTF_8));
          out.closeEntry();
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void archiveEntriesThatAreNotUserFilesAreNamedInTheReport() {
    w.segmentOf("seg", "All", 3);
    DelegatingBraze withJunk =
        new DelegatingBraze(w.braze) {
          @Override
          public ExportUserStream openExport(ExportHandle export, ExportReadOptions options) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipInputStream in =
                    new ZipInputStream(w.braze.openExportArchive(export.objectPrefix()));
                ZipOutputStream out = new ZipOutputStream(bytes)) {
              for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(in.readAllBytes());
                out.closeEntry();
              }
              out.putNextEntry(new ZipEntry("__MACOSX/._users.txt"));
              out.write("{}".getBytes(StandardCharsets.UTF_8));
              out.closeEntry();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            return ExportUserStream.open(
                new ByteArrayInputStream(bytes.toByteArray()), "junk.zip", options);
          }
        };

    SyncReport report = w.sync(Selection.all()).braze(withJunk).build().run();

    assertThat(report.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(report.counts().sent()).isEqualTo(3);
    assertThat(report.notes())
        .anyMatch(
            n -> n.contains("seg") && n.contains("__MACOSX/._users.txt") && n.contains("not read"));
  }

  @Test
  void anUnreadableLineNeitherExitsItsUserNorLosesItsEvents() {
    w.braze.putUser(user("a", "a@example.com"));
    w.braze.putUser(user("x", "x@example.com"));
    w.braze.putSegment("seg-a", "A", List.of("a", "x"));
    assertThat(w.sync(Selection.all()).build().run().status()).isEqualTo(Status.SUCCEEDED);
    assertThat(actions("segment_entered")).hasSize(2);

    // X, only in A, does something new; the next export has X's line unreadable.
    w.braze.putUser(
        user("x", "x@example.com", "custom_events", List.of(event("bought", "2026-11-29T12:00Z"))));
    w.clock.advance(Duration.ofDays(1));
    SyncReport damaged =
        w.sync(Selection.all()).braze(new DamagingBraze(Set.of("x"))).build().run();

    assertThat(damaged.status()).isEqualTo(Status.PARTIAL);
    assertThat(damaged.activity().reason()).contains("segments incomplete: [A]");
    assertThat(damaged.notes()).anyMatch(n -> n.contains("export incomplete (1 unreadable lines)"));
    assertThat(damaged.rejections()).anyMatch(r -> r.reason().contains("malformed export line"));
    assertThat(actions("segment_exited")).isEmpty();
    assertThat(actions("custom_event")).isEmpty();
    assertThat(w.state.memberCount("seg-a")).isEqualTo(2);

    w.clock.advance(Duration.ofDays(1));
    SyncReport clean = w.sync(Selection.all()).build().run();
    assertThat(clean.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(actionsFor("custom_event", "x@example.com"))
        .singleElement()
        .satisfies(e -> assertThat(e.data()).containsEntry("_braze_event_name", "bought"));
    assertThat(actions("segment_exited")).isEmpty();
  }

  @Test
  void entriesGoOutWithTheirBatchAlsoWhenALaterLineIsUnreadable() {
    w.segmentOf("seg", "All", 30);
    w.braze.exportFileSize(10);
    SyncReport damaged =
        w.sync(Selection.all()).braze(new DamagingBraze(Set.of("u25"))).batchSize(10).build().run();

    // The 29 readable users entered, each announced once, with the batch that read it; the
    // unreadable one is neither announced nor stored, and nobody exits.
    assertThat(damaged.status()).isEqualTo(Status.PARTIAL);
    assertThat(damaged.counts().other()).containsEntry("segmentEntered", 29L);
    assertThat(actions("segment_entered")).hasSize(29);
    assertThat(w.state.memberCount("seg")).isEqualTo(29);
    assertThat(w.state.membersAmong("seg", List.of("u25"))).isEmpty();

    w.clock.advance(Duration.ofDays(1));
    SyncReport clean = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(clean.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(clean.counts().other()).containsEntry("segmentEntered", 1L);
    assertThat(actions("segment_entered")).hasSize(30);
    assertThat(actions("segment_exited")).isEmpty();
    assertThat(w.state.memberCount("seg")).isEqualTo(30);
  }

  @Test
  void entriesWhoseCallFailedAreAnnouncedAtTheEndOfTheRun() {
    w.segmentOf("seg", "All", 30);
    w.braze.exportFileSize(10);
    // The events call of the first batch fails (its custom events are owed to the next run).
    w.odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 1, Fault.SERVER_ERROR);
    SyncReport first = w.sync(Selection.all()).batchSize(10).build().run();

    assertThat(first.counts().other()).containsEntry("segmentEntered", 30L);
    assertThat(actions("segment_entered")).hasSize(30);
    assertThat(
            actions("segment_entered").stream()
                .map(e -> e.data().get("_braze_braze_id"))
                .distinct())
        .hasSize(30);
    assertThat(first.notes()).anyMatch(n -> n.contains("sent again at the end"));
    assertThat(w.state.memberCount("seg")).isEqualTo(30);

    w.clock.advance(Duration.ofDays(1));
    SyncReport second = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(second.counts().other()).containsEntry("segmentEntered", 0L);
    assertThat(actions("segment_entered")).hasSize(30);
  }

  @Test
  void aResumedExportStillKnowsItHadUnreadableLines() {
    w.segmentOf("seg", "All", 30);
    w.braze.exportFileSize(10);
    w.sync(Selection.all()).build().run();
    w.clock.advance(Duration.ofDays(1));
    // u3 (file 1) is unreadable; the run dies after file 2 and is resumed.
    AtomicInteger commits = new AtomicInteger();
    SegmentSync crashing =
        w.sync(Selection.all())
            .braze(new DamagingBraze(Set.of("u3")))
            .batchSize(10)
            .progress(
                (segment, read, sent) -> {
                  if (commits.incrementAndGet() == 2) {
                    throw new IllegalStateException("crash after file 2");
                  }
                })
            .build();
    assertThatThrownBy(crashing::run).hasMessageContaining("crash after file 2");
    SyncReport resumed = w.sync(Selection.all()).batchSize(10).build().run();
    assertThat(resumed.notes()).anyMatch(n -> n.contains("resumed export"));
    assertThat(resumed.status()).isEqualTo(Status.PARTIAL);
    assertThat(actions("segment_exited")).isEmpty();
  }

  @Test
  void unreadableLinesReadAheadOfACrashAreCountedOnceByTheResumedRun() {
    w.segmentOf("seg", "All", 30);
    w.braze.exportFileSize(10);
    w.sync(Selection.all()).build().run();
    w.clock.advance(Duration.ofDays(1));
    // File 3 holds u25, a line too long for the reader (skipped while it reads ahead), and u27,
    // cut off (found when the segment thread parses it). The run dies after its first batch,
    // by when the reader may well have read all three files.
    DelegatingBraze damaged =
        new DelegatingBraze(w.braze) {
          @Override
          public ExportUserStream openExport(ExportHandle export, ExportReadOptions options) {
            byte[] archive =
                lengthen(
                    new ByteArrayInputStream(
                        damage(w.braze.openExportArchive(export.objectPrefix()), Set.of("u27"))),
                    "u25",
                    4_000);
            return ExportUserStream.open(
                new ByteArrayInputStream(archive),
                export.objectPrefix() + ".zip",
                options.limits(ExportLimits.defaults().withMaxLineBytes(1024)));
          }
        };
    AtomicInteger commits = new AtomicInteger();
    SegmentSync crashing =
        w.sync(Selection.all())
            .braze(damaged)
            .batchSize(10)
            .progress(
                (segment, read, sent) -> {
                  if (commits.incrementAndGet() == 1) {
                    throw new IllegalStateException("crash after the first batch");
                  }
                })
            .build();
    assertThatThrownBy(crashing::run).hasMessageContaining("crash after the first batch");

    SyncReport resumed = w.sync(Selection.all()).braze(damaged).batchSize(10).build().run();

    // The first batch's checkpoint counted no unreadable line: both are after it, and the resumed
    // run finds each of them once.
    assertThat(resumed.notes()).anyMatch(n -> n.contains("resumed export"));
    assertThat(resumed.notes()).anyMatch(n -> n.contains("export incomplete (2 unreadable lines)"));
    assertThat(resumed.status()).isEqualTo(Status.PARTIAL);
  }

  /** Pads the line of {@code brazeId} to more than {@code bytes} bytes. */
  static byte[] lengthen(InputStream zip, String brazeId, int bytes) {
    try (ZipInputStream in = new ZipInputStream(zip)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ZipOutputStream zipped = new ZipOutputStream(out)) {
        for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
          String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          String padded =
              text.replace(
                  "\"braze_id\":\"" + brazeId + "\"",
                  "\"braze_id\":\"" + brazeId + "\",\"pad\":\"" + "x".repeat(bytes) + "\"");
          zipped.putNextEntry(new ZipEntry(entry.getName()));
          zipped.write(padded.getBytes(StandardCharsets.UTF_8));
          zipped.closeEntry();
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aUserInOverlappingSegmentsGetsEachCustomEventOnceAndIsCountedOnce() {
    for (int i = 0; i < 4; i++) {
      w.braze.putUser(
          user(
              "u" + i,
              "user" + i + "@example.com",
              "custom_events",
              List.of(event("opened", "2026-11-28T10:00Z"), event("bought", "2026-11-28T11:00Z"))));
    }
    w.braze.putUser(user("nobody", null));
    List<String> everyone = List.of("u0", "u1", "u2", "u3", "nobody");
    w.braze.putSegment("seg-1", "One", everyone);
    w.braze.putSegment("seg-2", "Two", everyone);
    w.braze.putSegment("seg-3", "Three", List.of("u0", "u1"));

    SyncReport report = w.sync(Selection.all()).build().run();

    assertThat(actions("custom_event")).hasSize(8);
    assertThat(report.counts().read()).isEqualTo(12);
    assertThat(report.counts().matched()).isEqualTo(4);
    assertThat(report.counts().unmatched()).isEqualTo(1);
    assertThat(report.counts().sent()).isEqualTo(4);
    assertThat(report.counts().other()).containsEntry(SegmentSync.CUSTOM_EVENTS, 8L);
  }

  @Test
  void aFailedEventsCallRejectsNoProfileAndTheEventsComeNextRun() {
    for (int i = 0; i < 6; i++) {
      w.braze.putUser(
          user(
              "u" + i,
              "user" + i + "@example.com",
              "custom_events",
              List.of(event("opened", "2026-11-28T10:00Z"))));
    }
    w.braze.putSegment("seg", "All", List.of("u0", "u1", "u2", "u3", "u4", "u5"));
    DelegatingOdp failingEvents =
        new DelegatingOdp(w.odp) {
          @Override
          public BatchResult sendEvents(List<OdpEvent> events) {
            if (events.stream().anyMatch(e -> e.action().equals("custom_event"))) {
              throw new OdpException("/v3/events", "HTTP 503 from /v3/events", null);
            }
            return super.sendEvents(events);
          }
        };

    SyncReport first = w.sync(Selection.all()).odp(failingEvents).build().run();

    assertThat(first.status()).isEqualTo(Status.PARTIAL);
    assertThat(first.counts().rejected()).isZero();
    assertThat(first.counts().sent()).isEqualTo(6);
    assertThat(first.counts().other())
        .containsEntry(SegmentSync.CUSTOM_EVENTS_FAILED, 6L)
        .containsEntry(RunStats.PROBLEMS, 1L);
    assertThat(first.activity().reason()).contains("1 problems");
    assertThat(w.odp.customers()).hasSize(6);
    assertThat(actions("custom_event")).isEmpty();

    w.clock.advance(Duration.ofDays(1));
    SyncReport second = w.sync(Selection.all()).build().run();
    assertThat(second.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(second.counts().sent()).isZero();
    assertThat(second.counts().unchanged()).isEqualTo(6);
    assertThat(actions("custom_event")).hasSize(6);
  }

  @Test
  void aFullResyncResendsEveryMappedProfileOnce() {
    w.segmentOf("seg-1", "One", 6);
    w.braze.putSegment("seg-2", "Two", List.of("u0", "u1", "u2"));
    w.braze.putUser(user("nobody", null));
    w.braze.putSegment("seg-3", "Three", List.of("nobody", "u5"));
    w.sync(Selection.all()).build().run();
    int before = w.odp.upserts().size();
    assertThat(before).isEqualTo(6);

    w.clock.advance(Duration.ofDays(1));
    SyncReport normal = w.sync(Selection.all()).build().run();
    assertThat(normal.counts().sent()).isZero();

    w.clock.advance(Duration.ofDays(1));
    SyncReport full = w.sync(Selection.all()).fullResync(true).build().run();
    assertThat(full.counts().sent()).isEqualTo(6);
    assertThat(full.counts().unchanged()).isZero();
    assertThat(
            w.odp.upserts().subList(12 - 6, w.odp.upserts().size()).stream()
                .map(u -> u.identifiers().get("email"))
                .distinct())
        .hasSize(6);
    assertThat(w.odp.upserts()).hasSize(12);

    // Alone, a single segment is resent too.
    w.clock.advance(Duration.ofDays(1));
    assertThat(w.sync(Selection.segments("seg-2")).fullResync(true).build().run().counts().sent())
        .isEqualTo(3);
  }

  @Test
  void anErrorStillLeavesAFailedRecordWithItsReason() {
    w.segmentOf("seg", "All", 3);
    DelegatingBraze exhausted =
        new DelegatingBraze(w.braze) {
          @Override
          public ExportUserStream openExport(ExportHandle export, ExportReadOptions options) {
            throw new OutOfMemoryError("Java heap space");
          }
        };
    assertThatThrownBy(() -> w.sync(Selection.all()).braze(exhausted).build().run())
        .isInstanceOf(OutOfMemoryError.class);
    ActivityRecord record = w.state.recentActivity(1).get(0);
    assertThat(record.status()).isEqualTo(Status.FAILED);
    assertThat(record.reason()).isEqualTo("OutOfMemoryError: Java heap space");
    // The lock went with the run.
    assertThat(w.state.runLock(SegmentSync.SCOPE_PREFIX + "seg")).isEmpty();
  }

  @Test
  void aRuntimeFailureIsRecordedWithItsReason() {
    w.segmentOf("seg", "All", 3);
    SegmentSync crashing =
        w.sync(Selection.all())
            .progress(
                (segment, read, sent) -> {
                  throw new IllegalStateException("disk full");
                })
            .build();
    assertThatThrownBy(crashing::run).hasMessage("disk full");
    assertThat(w.state.recentActivity(1).get(0).reason())
        .isEqualTo("IllegalStateException: disk full");
  }

  @Test
  void aRemovedPhoneMappingStopsThePhoneLeavingAsAnIdentifierUnlessTheRuleIsExplicit() {
    w.braze.putUser(user("b1", "a@example.com", "phone", "+15550100"));
    w.braze.putUser(user("b2", null, "phone", "+15550111"));
    w.braze.putSegment("seg", "All", List.of("b1", "b2"));

    SyncReport report =
        w.sync(Selection.all()).mappings(FieldMappings.defaults().remove("phone")).build().run();

    assertThat(w.odp.upserts())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.identifiers()).containsOnlyKeys("email");
              assertThat(u.attributes()).doesNotContainKey("phone");
            });
    assertThat(report.counts().unmatched()).isEqualTo(1);
    assertThat(w.braze.exportsStarted()).hasSize(1);

    w.clock.advance(Duration.ofDays(1));
    IdentityRule explicit =
        IdentityRule.of(
            List.of(
                new IdentityRule.Pair("email", "email"), new IdentityRule.Pair("phone", "phone")));
    w.sync(Selection.all())
        .mappings(FieldMappings.defaults().remove("phone"))
        .identity(explicit)
        .build()
        .run();
    assertThat(w.odp.upserts().subList(1, w.odp.upserts().size()))
        .extracting(u -> u.identifiers().get("phone"))
        .containsExactlyInAnyOrder("+15550100", "+15550111");
  }

  @Test
  void removingEveryDefaultIdentifierNeedsAnExplicitRule() {
    assertThatThrownBy(
            () ->
                w.sync(Selection.all())
                    .mappings(FieldMappings.defaults().remove("phone").remove("email"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[email, phone]")
        .hasMessageContaining("configure the identity rule explicitly");
  }

  // ---- Run locks ------------------------------------------------------------------------------

  @Test
  void aSecondRunRefusesAtOnceWhileTheFirstHoldsTheSegment() {
    w.segmentOf("seg", "All", 3);
    w.state.tryLock(
        SegmentSync.SCOPE_PREFIX + "seg", "other-run", w.clock.instant(), Duration.ofMinutes(2));

    assertThatThrownBy(() -> w.sync(Selection.all()).build().run())
        .isInstanceOf(RunLockedException.class)
        .hasMessageContaining("another run holds segment-sync/seg (owner other-run")
        .hasMessageContaining("try again later");
    assertThat(w.braze.exportsStarted()).isEmpty();
    assertThat(w.state.recentActivity(10)).isEmpty();
    assertThat(w.clock.sleeps()).isEmpty();
  }

  @Test
  void aCrashedHoldersLeaseLapsesAndTheNextRunTakesOver() {
    w.segmentOf("seg", "All", 3);
    w.state.tryLock(
        SegmentSync.SCOPE_PREFIX + "seg", "crashed", w.clock.instant(), Duration.ofMinutes(2));
    w.clock.advance(Duration.ofMinutes(2));
    SyncReport report = w.sync(Selection.all()).build().run();
    assertThat(report.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(w.state.runLock(SegmentSync.SCOPE_PREFIX + "seg")).isEmpty();
  }

  @Test
  void aRunToldToWaitWaitsOnTheClockForTheLeaseToLapse() {
    w.segmentOf("seg", "All", 3);
    w.state.tryLock(
        SegmentSync.SCOPE_PREFIX + "seg", "slow", w.clock.instant(), Duration.ofSeconds(12));

    SyncReport report =
        w.sync(Selection.all()).waitForLock(Duration.ofMinutes(1)).sleeper(w.clock).build().run();

    assertThat(report.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(w.clock.sleeps()).startsWith(Duration.ofSeconds(5), Duration.ofSeconds(5));
    assertThat(w.clock.slept()).isBetween(Duration.ofSeconds(12), Duration.ofSeconds(15));

    w.state.tryLock(
        SegmentSync.SCOPE_PREFIX + "seg", "stuck", w.clock.instant(), Duration.ofHours(1));
    assertThatThrownBy(
            () ->
                w.sync(Selection.all())
                    .waitForLock(Duration.ofSeconds(7))
                    .sleeper(w.clock)
                    .build()
                    .run())
        .isInstanceOf(RunLockedException.class)
        .hasMessageContaining("did not finish while this run waited");
  }

  @Test
  void twoConcurrentRunsOnOneSqliteFileNeverBothRun(@TempDir Path dir) throws Exception {
    w.segmentOf("seg", "All", 40);
    try (SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"))) {
      w.state = store;
      w.sync(Selection.all()).build().run();
      w.clock.advance(Duration.ofDays(1));
      CountDownLatch inExport = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      DelegatingBraze blocking =
          new DelegatingBraze(w.braze) {
            @Override
            public void awaitExport(ExportHandle export, Instant deadline) {
              inExport.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              super.awaitExport(export, deadline);
            }
          };
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        Future<SyncReport> first =
            other.submit(() -> w.sync(Selection.all()).braze(blocking).build().run());
        assertThat(inExport.await(30, TimeUnit.SECONDS)).isTrue();
        // The first run has started its export and written its checkpoint.
        try (SyncStateStore second = SyncStateStore.sqlite(dir.resolve("state.db"))) {
          assertThatThrownBy(() -> w.sync(Selection.all()).state(second).build().run())
              .isInstanceOf(RunLockedException.class);
        }
        release.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(Status.SUCCEEDED);
      } finally {
        release.countDown();
        other.shutdownNow();
      }
      assertThat(store.memberCount("seg")).isEqualTo(40);
      assertThat(actions("segment_exited")).isEmpty();
      assertThat(actions("segment_entered")).hasSize(40);
    }
  }

  @Test
  void aRunInAnotherProcessHoldsTheSegmentUntilItsLeaseLapses(@TempDir Path dir) throws Exception {
    w.segmentOf("seg", "All", 5);
    Path file = dir.resolve("state.db");
    SyncStateStore.sqlite(file).close();
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process holder =
        new ProcessBuilder(
                javaBin.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                LockHolder.class.getName(),
                file.toString(),
                SegmentSync.SCOPE_PREFIX + "seg",
                "60")
            .redirectErrorStream(true)
            .start();
    try (SyncStateStore store = SyncStateStore.sqlite(file)) {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).startsWith(LockHolder.READY);
      w.state = store;
      w.clock.set(Instant.now());
      assertThatThrownBy(() -> w.sync(Selection.all()).build().run())
          .isInstanceOf(RunLockedException.class)
          .hasMessageContaining(line.substring(LockHolder.READY.length() + 1));
      assertThat(w.braze.exportsStarted()).isEmpty();

      // kill -9: the holder never releases; its lease lapses on the clock.
      holder.destroyForcibly();
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> w.sync(Selection.all()).build().run())
          .isInstanceOf(RunLockedException.class);
      w.clock.advance(Duration.ofSeconds(61));
      SyncReport report = w.sync(Selection.all()).build().run();
      assertThat(report.status()).isEqualTo(Status.SUCCEEDED);
      assertThat(store.memberCount("seg")).isEqualTo(5);
    } finally {
      holder.destroyForcibly();
    }
  }
}
