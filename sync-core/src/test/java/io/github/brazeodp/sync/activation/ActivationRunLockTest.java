package io.github.brazeodp.sync.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.sync.RunLockedException;
import io.github.brazeodp.sync.state.LedgerState;
import java.time.Duration;
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
    f.state.recordPending("promo", OCC, java.util.List.of("external_id:e1"), f.clock.instant());

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
}
