package io.github.brazeodp.samples.boot;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.currents.CurrentsCounts;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.OutboxSize;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code brazeOdpSync}: up unless the latest segment sync
 * failed; the Currents outbox and counts as details.
 */
@Component("brazeOdpSync")
public class SyncHealthIndicator implements HealthIndicator {
  private final CurrentsForwarder forwarder;
  private final NightlySegmentSync nightly;

  SyncHealthIndicator(CurrentsForwarder forwarder, NightlySegmentSync nightly) {
    this.forwarder = forwarder;
    this.nightly = nightly;
  }

  @Override
  public Health health() {
    SyncReport last = nightly.lastReport();
    Health.Builder health =
        last != null && last.status() == ActivityRecord.Status.FAILED ? Health.down() : Health.up();
    OutboxSize outbox = forwarder.outboxSize();
    CurrentsCounts counts = forwarder.counts();
    health
        .withDetail("currentsOutboxEvents", outbox.messages())
        .withDetail("currentsForwarded", counts.forwarded())
        .withDetail("currentsOdpRejected", counts.odpRejected());
    if (last != null) {
      health.withDetail("lastSegmentSync", last.status().name());
    }
    return health.build();
  }
}
