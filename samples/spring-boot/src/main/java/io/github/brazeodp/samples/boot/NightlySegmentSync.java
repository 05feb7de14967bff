package io.github.brazeodp.samples.boot;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.metrics.SyncMetrics;
import io.github.brazeodp.sync.port.BrazeGateway;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.segments.SegmentSync;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.scheduling.support.CronTrigger;
import org.springframework.stereotype.Component;

/**
 * Runs the Braze to ODP segment sync every day at {@code braze-odp.daemon.segment-sync-at} in
 * {@code braze-odp.daemon.zone}, as the CLI daemon does.
 */
@Component
public class NightlySegmentSync implements SchedulingConfigurer {
  private static final Logger LOG = LoggerFactory.getLogger(NightlySegmentSync.class);

  private final BrazeGateway braze;
  private final OdpGateway odp;
  private final SyncStateStore store;
  private final SegmentSyncPlan plan;
  private final SyncProperties.Daemon daemon;
  private final SyncMetrics metrics;
  private final AtomicReference<SyncReport> last = new AtomicReference<>();

  NightlySegmentSync(
      BrazeGateway braze,
      OdpGateway odp,
      SyncStateStore store,
      SegmentSyncPlan plan,
      SyncProperties properties,
      SyncMetrics metrics) {
    this.metrics = metrics;
    this.braze = braze;
    this.odp = odp;
    this.store = store;
    this.plan = plan;
    this.daemon = properties.daemon();
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    LocalTime at = LocalTime.parse(daemon.segmentSyncAt());
    String cron = "0 " + at.getMinute() + " " + at.getHour() + " * * *";
    registrar.addCronTask(
        new org.springframework.scheduling.config.CronTask(
            this::runScheduled,
            new CronTrigger(cron, TimeZone.getTimeZone(ZoneId.of(daemon.zone())))));
  }

  private void runScheduled() {
    try {
      run();
    } catch (RuntimeException e) {
      // A configuration error fails this run (and is in the activity log); tomorrow's still runs.
      LOG.error("nightly segment sync failed", e);
    }
  }

  /** Runs the sync now and returns its report. */
  public SyncReport run() {
    SyncReport report =
        SegmentSync.builder()
            .braze(braze)
            .odp(odp)
            .state(store)
            .selection(plan.selection())
            .mappings(plan.mappings())
            .identity(plan.identity())
            .createMissingFields(plan.createMissingFields())
            .batchSize(plan.batchSize())
            .concurrentExports(plan.concurrentExports())
            .build()
            .run();
    last.set(report);
    metrics.record(report);
    LOG.info("{}", report);
    return report;
  }

  /** Returns the report of the latest run since start, or null. */
  public SyncReport lastReport() {
    return last.get();
  }
}
