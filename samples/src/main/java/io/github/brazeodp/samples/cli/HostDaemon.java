package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.ActivationRunner;
import io.github.brazeodp.sync.activation.ActivationScheduler;
import io.github.brazeodp.sync.activation.Schedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code daemon} command runs: the segment sync nightly, the scheduled activations, and
 * the Currents receiver when tokens are configured, all on one {@link Host}.
 *
 * <p>{@link #close()} stops everything within {@link #STOP_BUDGET}: running jobs are interrupted
 * (their checkpoints make the next run resume), the Currents receiver stops accepting and flushes
 * its outbox, then the activation scheduler gets what is left of the budget.
 */
final class HostDaemon implements AutoCloseable {
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration SCHEDULER_STOP = Duration.ofSeconds(1);
  private static final Duration SYNC_STOP = Duration.ofMillis(300);

  /**
   * The longest {@link #close()} takes (the Currents grace, flush, scheduler and sync bounds added
   * up), under the 5 s a SIGTERM is promised; most schedulers grant 10 to 30 s.
   */
  static final Duration STOP_BUDGET =
      CurrentsService.IN_FLIGHT_GRACE.plus(FLUSH_TIMEOUT).plus(SCHEDULER_STOP).plus(SYNC_STOP);

  private final Host host;
  private final HostConfig config;
  private final Clock clock;
  private final Log log;
  private final ScheduledExecutorService syncJobs;
  private ActivationScheduler scheduler;
  private CurrentsService currents;
  private Schedule syncSchedule;
  private ScheduledFuture<?> nextSync;
  private boolean closed;

  private HostDaemon(Host host, HostConfig config, Clock clock, Log log) {
    this.host = host;
    this.config = config;
    this.clock = clock;
    this.log = log;
    this.syncJobs =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "segment-sync");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts every part the configuration enables, logging one line per part. */
  static HostDaemon start(Host host, HostConfig config, Clock clock, Log log) {
    HostDaemon d = new HostDaemon(host, config, clock, log);
    try {
      d.startSegmentSync();
      d.startActivations();
      d.startCurrents();
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  private void startSegmentSync() {
    HostConfig.Daemon d = config.daemon();
    if (config.segmentSync().selection().isNone()) {
      log.line("segment sync: no segmentSync.segments configured; not scheduled");
      return;
    }
    // A daily schedule from yesterday: the Schedule class resolves daylight-saving gaps and
    // overlaps the same way for the sync as for activations.
    syncSchedule =
        Schedule.recurring(
                LocalDate.now(clock.withZone(d.zone())).minusDays(1).atTime(d.syncAt()), d.zone())
            .daily(1)
            .build();
    scheduleNextSync();
  }

  private synchronized void scheduleNextSync() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    Optional<Instant> next = syncSchedule.nextRunAfter(now);
    if (next.isEmpty()) {
      return;
    }
    long delay = Math.max(0, Duration.between(now, next.get()).toMillis());
    nextSync = syncJobs.schedule(this::runSegmentSync, delay, TimeUnit.MILLISECONDS);
    log.line(
        "segment sync: next run at "
            + next.get()
            + " ("
            + config.daemon().syncAt()
            + " "
            + config.daemon().zone()
            + ")");
  }

  private void runSegmentSync() {
    log.line("segment sync: started");
    try {
      SyncReport report = SyncSegmentsCommand.run(host, config, false, false);
      log.line("segment sync: " + report.status());
    } catch (RuntimeException e) {
      log.line("segment sync: failed: " + e);
    }
    scheduleNextSync();
  }

  private void startActivations() {
    ActivationRunner runner =
        ActivationRunner.builder()
            .braze(host.brazeGateway)
            .odp(host.odpGateway)
            .state(host.state)
            .build();
    for (Activation a : config.activations()) {
      if (a.segment().isEmpty()) {
        log.line(
            "activation "
                + a.name()
                + ": event-enrolled; the daemon does not receive ODP events, so it is not run here");
        continue;
      }
      if (a.schedule().isEmpty()) {
        log.line("activation " + a.name() + ": no schedule; run it with the activate command");
        continue;
      }
      if (scheduler == null) {
        scheduler =
            ActivationScheduler.builder(runner)
                .clock(clock)
                .shutdownTimeout(SCHEDULER_STOP)
                .onReport(r -> log.line("activation run: " + r))
                .onError((act, e) -> log.line("activation " + act.name() + ": run failed: " + e))
                .build();
      }
      scheduler.add(a);
      log.line(
          "activation "
              + a.name()
              + ": "
              + a.schedule().get()
              + "; next run at "
              + scheduler.nextRun(a.name()).map(Instant::toString).orElse("never (ended)"));
    }
    if (scheduler != null) {
      scheduler.start();
    }
  }

  private void startCurrents() {
    if (!config.currents().enabled()) {
      log.line("Currents receiver: no currents.tokensEnv configured; not started");
      return;
    }
    currents = CurrentsService.start(host, config, FLUSH_TIMEOUT);
    log.line(
        "Currents receiver: listening on port "
            + currents.port()
            + " at "
            + config.currents().path()
            + "; outbox holds "
            + currents.outboxMessages()
            + " events");
  }

  /** Returns the Currents receiver, or null when it is not configured. */
  CurrentsService currents() {
    return currents;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    synchronized (this) {
      if (nextSync != null) {
        nextSync.cancel(false);
      }
    }
    // Interrupts a running sync at once; its checkpoints let the next run resume.
    syncJobs.shutdownNow();
    if (currents != null) {
      currents.close();
      log.line(
          "Currents receiver: stopped; "
              + currents.counts()
              + "; outbox holds "
              + currents.outboxMessages()
              + " events");
    }
    if (scheduler != null) {
      scheduler.close();
    }
    try {
      syncJobs.awaitTermination(SYNC_STOP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
