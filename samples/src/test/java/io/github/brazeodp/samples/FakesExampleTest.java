package io.github.brazeodp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.mapping.FieldMapping;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.segments.SegmentSync;
import io.github.brazeodp.sync.segments.Selection;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a team tests its own sync configuration with the in-memory fakes: no network, no sleeping,
 * the same behaviour as the real clients (the fakes pass the ports' contract tests).
 */
class FakesExampleTest {
  private final ManualClock time = new ManualClock(Instant.parse("2026-11-29T02:00:00Z"));
  private final InMemoryBraze braze = new InMemoryBraze(time, time, TrackLimit.COMBINED_50);
  private final InMemoryOdp odp =
      new InMemoryOdp().putField("_braze_loyalty_tier", FieldType.STRING);
  private final SyncStateStore state = SyncStateStore.inMemory();

  private SegmentSync sync() {
    return SegmentSync.builder()
        .braze(braze)
        .odp(odp)
        .state(state)
        .clock(time)
        .selection(Selection.segments("Gold members"))
        .mappings(
            FieldMappings.defaults()
                .add(FieldMapping.customAttribute("loyalty_tier", "_braze_loyalty_tier")))
        .createMissingFields(true)
        .build();
  }

  private static ExportedUser user(String brazeId, String email, String tier) {
    return ExportedUser.builder()
        .brazeId(brazeId)
        .email(email)
        .firstName("Ann")
        .customAttribute("loyalty_tier", tier)
        .build();
  }

  @Test
  void goldMembersReachOdpWithTheirTier() {
    braze
        .putUser(user("b1", "ann@example.com", "gold"))
        .putSegment("seg-1", "Gold members", List.of("b1"))
        .exportReadyAfter(Duration.ofMinutes(10));

    SyncReport report = sync().run();

    assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(odp.customer("email", "ann@example.com"))
        .containsEntry("first_name", "Ann")
        .containsEntry("_braze_loyalty_tier", "gold");
    assertThat(time.slept()).isGreaterThanOrEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void membershipBecomesASegmentEnteredEventAndEmailsMatchIgnoringCase() {
    braze
        .putUser(user("b1", "Ann@Example.com", "gold"))
        .putSegment("seg-1", "Gold members", List.of("b1"));

    assertThat(sync().run().status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);

    // ODP matches emails ignoring case, and so does the fake.
    assertThat(odp.customer("email", "ann@example.com")).containsEntry("first_name", "Ann");
    assertThat(odp.events("segment_entered"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.identifiers()).containsEntry("email", "Ann@Example.com");
              assertThat(e.data()).containsEntry("_braze_segment_name", "Gold members");
            });
    assertThat(odp.events("segment_exited")).isEmpty();
  }

  @Test
  void aRateLimitedOdpLosesNothingAcrossTwoRuns() {
    braze
        .putUser(user("b1", "ann@example.com", "gold"))
        .putSegment("seg-1", "Gold members", List.of("b1"));
    odp.failNext(InMemoryOdp.Operation.UPSERT_PROFILES, 1, Fault.RATE_LIMITED);

    assertThat(sync().run().status()).isEqualTo(ActivityRecord.Status.PARTIAL);
    assertThat(odp.customer("email", "ann@example.com")).isNull();

    time.advance(Duration.ofDays(1));
    assertThat(sync().run().status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(odp.customer("email", "ann@example.com")).isNotNull();
  }
}
