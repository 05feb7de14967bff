package io.github.brazeodp.sync.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.sync.RunLockedException;
import io.github.brazeodp.sync.state.LedgerState;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One run per activation at a time: a second run neither sends nor touches the ledger. */
class ActivationRunLockTest {
  private static final String OCC = "2025-03-28T08:00:00Z";
  private final Fixture f = new Fixture();

  @Test
  void aSecondRunOfTheActivationRefusesWithoutSendingAndTheLockGoesWithTheRun() {
    f.customers(10);
    Activation promo = Fixture.campaign("promo").build();
    f.state.tryLock("activation/promo", "running", f.clock.instant(), Duration.ofMinutes(2));
    // The running one left a pending send; a second run must not declare it unknown.
    f.state.recordPending("promo", OCC, List.of("external_id:e1"), f.clock.instant());

    assertThatThrownBy(() -> f.runner().run(promo, OCC))
        .isInstanceOf(RunLockedException.class)
        .hasMessageContaining("activation/promo");
    assertThat(f.braze.triggers()).isEmpty();
    assertThat(f.state.ledgerCounts("promo", OCC)).containsEntry(LedgerState.PENDING, 1L);

    // A dry run reads only and takes no lock.
    assertThat(f.runner().dryRun(promo, OCC).counts().read()).isEqualTo(10);

    f.state.unlock("activation/promo", "running");
    f.runner().run(promo, OCC);
    assertThat(f.braze.triggers()).isNotEmpty();
    assertThat(f.state.runLock("activation/promo")).isEmpty();
  }

  @Test
  void aBusyActivationIsNotAFailedAttemptOfTheScheduler() {
    f.customers(5);
    Activation daily =
        Fixture.campaign("daily")
            .schedule(
                Schedule.recurring(LocalDateTime.parse("2025-03-01T09:00"), ZoneId.of("UTC"))
                    .daily(1)
                    .build())
            .build();
    List<RuntimeException> errors = new ArrayList<>();
    try (ActivationScheduler s =
        ActivationScheduler.builder(f.runner())
            .executor(new ManualScheduler())
            .maxAttempts(1)
            .onError((a, e) -> errors.add(e))
            .build()
            .add(daily)) {
      f.clock.set(Instant.parse("2025-03-28T09:00:00Z"));
      f.state.tryLock("activation/daily", "manual-run", f.clock.instant(), Duration.ofMinutes(2));
      assertThat(s.tick()).isEmpty();
      assertThat(s.tick()).isEmpty();
      assertThat(errors).hasSize(2).allMatch(e -> e instanceof RunLockedException);
      assertThat(f.braze.triggers()).isEmpty();

      // With one attempt allowed, a counted failure would have given the occurrence up.
      f.state.unlock("activation/daily", "manual-run");
      assertThat(s.tick())
          .singleElement()
          .satisfies(r -> assertThat(r.counts().sent()).isEqualTo(5));
    }
  }
}
