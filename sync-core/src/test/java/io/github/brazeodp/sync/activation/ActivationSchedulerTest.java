package io.github.brazeodp.sync.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivationSchedulerTest {
  private final Fixture f = new Fixture().customers(60);
  private final ManualScheduler executor = new ManualScheduler();

  // Daily at 09:00 Paris: 08:00Z before 2025-03-30, 07:00Z from then on.
  private final Activation daily =
      Fixture.campaign("daily")
          .schedule(
              Schedule.recurring(LocalDateTime.parse("2025-03-01T09:00"), ZoneId.of("Europe/Paris"))
                  .daily(1)
                  .build())
          .build();

  private ActivationScheduler scheduler() {
    return ActivationScheduler.builder(f.runner()).executor(executor).maxAttempts(2).build();
  }

  @Test
  void runsWhenDueOnceAndPersistsTheLastRun() {
    try (ActivationScheduler s = scheduler().add(daily)) {
      assertThat(s.tick()).isEmpty();
      assertThat(s.nextRun("daily")).contains(Instant.parse("2025-03-28T08:00:00Z"));

      f.clock.set(Instant.parse("2025-03-28T08:00:00Z"));
      List<SyncReport> reports = s.tick();
      assertThat(reports).hasSize(1);
      assertThat(reports.get(0).counts().sent()).isEqualTo(60);
      assertThat(f.state.ledgerCounts("daily", "2025-03-28T08:00:00Z"))
          .containsEntry(io.github.brazeodp.sync.state.LedgerState.SENT, 60L);
      assertThat(s.tick()).isEmpty();
      assertThat(f.state.checkpoint("activation/daily").orElseThrow().attributes())
          .containsEntry(ActivationScheduler.LAST_OCCURRENCE, "2025-03-28T08:00:00Z");
      assertThat(f.state.lastSuccess("activation/daily")).isPresent();
    }
    // A new process on the same state neither reruns nor forgets.
    try (ActivationScheduler again = scheduler().add(daily)) {
      assertThat(again.tick()).isEmpty();
      assertThat(again.nextRun("daily")).contains(Instant.parse("2025-03-29T08:00:00Z"));
    }
    assertThat(f.braze.triggers()).hasSize(2);
  }

  @Test
  void catchesUpOnceAfterDowntime() {
    try (ActivationScheduler s = scheduler().add(daily)) {
      f.clock.set(Instant.parse("2025-03-28T08:00:00Z"));
      s.tick();
      // Down from Friday morning to Wednesday: Sat, Sun, Mon, Tue and Wed 07:00Z were missed.
      f.clock.set(Instant.parse("2025-04-02T10:00:00Z"));
      List<SyncReport> reports = s.tick();
      assertThat(reports).hasSize(1);
      assertThat(reports.get(0).notes())
          .anySatisfy(n -> assertThat(n).contains("caught up once after downtime: 4 earlier"))
          .anySatisfy(n -> assertThat(n).contains("occurrence 2025-04-02T07:00:00Z"));
      assertThat(s.tick()).isEmpty();
    }
    assertThat(f.braze.triggers()).hasSize(4); // two runs of 60 members
  }

  @Test
  void theFirstRunIsTheFirstOccurrenceAfterGoingLive() {
    f.clock.set(Instant.parse("2025-03-28T08:30:00Z"));
    try (ActivationScheduler s = scheduler().add(daily)) {
      assertThat(s.tick()).isEmpty();
      assertThat(s.nextRun("daily")).contains(Instant.parse("2025-03-29T08:00:00Z"));
    }
  }

  @Test
  void aFailingRunIsRetriedThenGivenUp() {
    List<RuntimeException> errors = new ArrayList<>();
    f.odp.failNext(InMemoryOdp.Operation.SEGMENT_MEMBERS, 3, Fault.SERVER_ERROR);
    try (ActivationScheduler s =
        ActivationScheduler.builder(f.runner())
            .executor(executor)
            .maxAttempts(2)
            .onError((a, e) -> errors.add(e))
            .build()
            .add(daily)) {
      f.clock.set(Instant.parse("2025-03-28T08:00:00Z"));
      assertThat(s.tick()).isEmpty();
      assertThat(s.nextRun("daily")).contains(Instant.parse("2025-03-28T08:00:00Z"));
      assertThat(s.tick()).isEmpty();
      assertThat(errors)
          .hasSize(2)
          .allSatisfy(e -> assertThat(e).isInstanceOf(ActivationException.class));
      assertThat(s.nextRun("daily")).contains(Instant.parse("2025-03-29T08:00:00Z"));
      assertThat(f.braze.calls(InMemoryBraze.Operation.TRIGGER)).isZero();
    }
  }

  @Test
  void startPollsOnTheExecutorAndCloseStops() {
    List<SyncReport> reports = new ArrayList<>();
    ActivationScheduler s =
        ActivationScheduler.builder(f.runner())
            .executor(executor)
            .pollInterval(Duration.ofSeconds(10))
            .onReport(reports::add)
            .build()
            .add(daily)
            .start();
    assertThat(executor.pending()).containsExactly(Duration.ofSeconds(10));
    f.clock.set(Instant.parse("2025-03-28T08:00:05Z"));
    executor.runAll();
    assertThat(reports).hasSize(1);
    s.close();
    s.close();
    assertThat(executor.pending()).isEmpty();
    assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void onlyScheduledSegmentActivationsAreAccepted() {
    try (ActivationScheduler s = scheduler()) {
      assertThatThrownBy(() -> s.add(Fixture.campaign("unscheduled").build()))
          .hasMessageContaining("needs segment enrollment and a schedule");
      s.add(daily);
      assertThatThrownBy(() -> s.add(daily)).hasMessageContaining("already scheduled");
    }
  }
}
