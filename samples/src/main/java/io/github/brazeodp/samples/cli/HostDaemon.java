package io.github.brazeodp.samples.cli;

import io.github.brazeodp.samples.ui.TroubleshootingServer;
import io.github.brazeodp.samples.ui.UiInspector;
import io.github.brazeodp.sync.RunLock;
import io.github.brazeodp.sync.RunLockedException;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.ActivationRunner;
import io.github.brazeodp.sync.activation.ActivationScheduler;
import io.github.brazeodp.sync.activation.EventActivation;
import io.github.brazeodp.sync.activation.OdpEventSource;
import io.github.brazeodp.sync.activation.Schedule;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code daemon} command runs: the segment sync nightly, the scheduled activations, a poll
 * of ODP's events every interval for each event-enrolled activation ({@link OdpEventSource}), and
 * the Currents receiver when tokens are configured, all on one {@link Host}.
 *
 * <p>The schedules (segment sync, scheduled activations, event polling) run only on the replica
 * holding the cluster-wide lease {@code daemon/<daemon.name>} in the state store: with a shared
 * PostgreSQL store, however many replicas run, one runs them; the others stand by, asking for the
 * lease every {@link #STANDBY_RETRY}, and take over within a lease after the holder stops. The
 * Currents receiver runs on every replica.
 *
 * <p>{@link #close()} stops everything within {@link #STOP_BUDGET}: running jobs are interrupted
 * (their checkpoints make the next run resume), the Currents receiver stops accepting and flushes
 * its outbox, then the activation scheduler gets what is left of the budget.
 */
final class HostDaemon implements AutoCloseable {
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration SCHEDULER_STOP = Duration.ofSeconds(1);
  private static final Duration SYNC_STOP = Duration.ofMillis(300);

  /** How often a standing-by replica asks for the daemon lease. */
  static final Duration STANDBY_RETRY = RunLock.DEFAULT_LEASE.dividedBy(4);

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
  private final Duration standbyRetry;
  private final ScheduledExecutorService syncJobs;
  private final ScheduledExecutorService eventJobs;
  private final List<EventActivation> eventActivations = new ArrayList<>();
  private ActivationScheduler scheduler;
  private CurrentsService currents;
  private TroubleshootingServer page;
  private TroubleshootingServer health;
  private Schedule syncSchedule;
  private ScheduledFuture<?> nextSync;
  private final List<ScheduledFuture<?>> eventPolls = new ArrayList<>();
  // Guarded by this: the daemon lease while this replica leads, and the retries while it does not.
  private RunLock leadership;
  private ScheduledFuture<?> standby;
  private boolean closed;

  private HostDaemon(Host host, HostConfig config, Clock clock, Log log, Duration standbyRetry) {
    this.host = host;
    this.config = config;
    this.clock = clock;
    this.log = log;
    this.standbyRetry = standbyRetry;
    this.syncJobs =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "segment-sync");
              t.setDaemon(true);
              return t;
            });
    // Event sources poll on their own thread, so a long segment sync never delays them.
    this.eventJobs =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "odp-event-sources");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts every part the configuration enables, logging one line per part. */
  static HostDaemon start(Host host, HostConfig config, Clock clock, Log log) {
    return start(host, config, clock, log, null, null);
  }

  /**
   * Starts every part like {@link #start(Host, HostConfig, Clock, Log)}, and the troubleshooting
   * page on {@code page} (not started when null) listing {@code inspector}'s exchanges; its {@code
   * /health} is the daemon's, as is the Currents receiver's.
   */
  static HostDaemon start(
      Host host,
      HostConfig config,
      Clock clock,
      Log log,
      InetSocketAddress page,
      UiInspector inspector) {
    return start(host, config, clock, log, page, inspector, null, STANDBY_RETRY);
  }

  /**
   * Starts every part like {@link #start(Host, HostConfig, Clock, Log, InetSocketAddress,
   * UiInspector)} and, when the Currents receiver does not run, serves {@code /health} and {@code
   * /metrics} on {@code health} (not when null), so that probes always have a target.
   */
  static HostDaemon start(
      Host host,
      HostConfig config,
      Clock clock,
      Log log,
      InetSocketAddress page,
      UiInspector inspector,
      InetSocketAddress health) {
    return start(host, config, clock, log, page, inspector, health, STANDBY_RETRY);
  }

  /** Starts like the other {@code start}s, a standing-by replica asking every {@code retry}. */
  static HostDaemon start(
      Host host,
      HostConfig config,
      Clock clock,
      Log log,
      InetSocketAddress page,
      UiInspector inspector,
      InetSocketAddress health,
      Duration retry) {
    HostDaemon d = new HostDaemon(host, config, clock, log, retry);
    try {
      d.lead();
      d.startCurrents();
      if (page != null) {
        d.page =
            Page.start(
                host,
                config,
                page,
                inspector,
                () -> CurrentsService.health(host.state, d.currents, true, clock),
                "braze-odp-sync daemon",
                log);
      }
      if (health != null && d.currents == null) {
        d.health =
            Page.startHealth(
                host,
                config,
                health,
                () -> CurrentsService.health(host.state, null, true, clock),
                log);
      }
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  /**
   * Takes the daemon lease and starts the schedules, or stands by: then asks again every {@link
   * #standbyRetry} on the sync thread.
   */
  private synchronized void lead() {
    if (closed || leadership != null) {
      return;
    }
    String scope = config.daemon().leaseScope();
    try {
      leadership = RunLock.builder(host.state).scopes(List.of(scope)).clock(clock).acquire();
    } catch (RunLockedException e) {
      if (standby == null) {
        log.line(
            "daemon: standing by; "
                + scope
                + " is held by "
                + e.holder().owner()
                + " (schedules run there; asking again every "
                + standbyRetry
                + ")");
        standby =
            syncJobs.scheduleWithFixedDelay(
                this::leadQuietly,
                standbyRetry.toMillis(),
                standbyRetry.toMillis(),
                TimeUnit.MILLISECONDS);
      }
      return;
    }
    if (standby != null) {
      standby.cancel(false);
      standby = null;
    }
    log.line("daemon: leading; " + scope + " held by " + leadership.owner());
    startSegmentSync();
    startActivations();
  }

  private void leadQuietly() {
    try {
      lead();
    } catch (RuntimeException e) {
      // A failing store: the next retry asks again.
      log.line("daemon: asking for the daemon lease failed: " + e);
    }
  }

  /**
   * Whether this replica still holds the daemon lease; if it lost it (paused past the lease while
   * another replica took over), it stops its schedules and stands by.
   */
  private boolean stillLeading() {
    RunLock lock;
    synchronized (this) {
      lock = leadership;
    }
    if (lock == null) {
      return false;
    }
    try {
      lock.ensureHeld();
      return true;
    } catch (RunLockedException e) {
      log.line("daemon: lost the daemon lease to " + e.holder().owner() + "; standing by");
      stepDown();
      leadQuietly();
      return false;
    }
  }

  private void stepDown() {
    ActivationScheduler stopped;
    synchronized (this) {
      if (nextSync != null) {
        nextSync.cancel(false);
        nextSync = null;
      }
      eventPolls.forEach(f -> f.cancel(false));
      eventPolls.clear();
      stopped = scheduler;
      scheduler = null;
      if (leadership != null) {
        leadership.close();
        leadership = null;
      }
    }
    if (stopped != null) {
      stopped.close();
    }
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
    if (!stillLeading()) {
      return;
    }
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
        startEventSource(runner, a);
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
                .onReport(
                    r -> {
                      host.metrics.record(r);
                      log.line("activation run: " + r);
                    })
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

  /**
   * Polls an event-enrolled activation's ODP events every interval; a failed window is logged and
   * the next one reads the same events again.
   */
  private void startEventSource(ActivationRunner runner, Activation a) {
    ActivationsConfig.EventPolling polling = config.polling(a.name());
    EventActivation events = EventActivation.builder(runner, a).build();
    eventActivations.add(events);
    OdpEventSource source =
        OdpEventSource.builder(events, host.odpGateway)
            .interval(polling.interval())
            .overlap(polling.overlap())
            .build();
    eventPolls.add(
        eventJobs.scheduleWithFixedDelay(
            () -> pollWindow(a, source), 0, polling.interval().toMillis(), TimeUnit.MILLISECONDS));
    log.line(
        "activation "
            + a.name()
            + ": event-enrolled; polling ODP events every "
            + polling.interval()
            + " (overlap "
            + polling.overlap()
            + ")");
  }

  private void pollWindow(Activation a, OdpEventSource source) {
    try {
      OdpEventSource.Window w = source.poll();
      log.line("activation " + a.name() + ": " + ActivateCommand.describe(w));
      if (w.read() > 0) {
        host.metrics.record(w.report());
        log.line("activation run: " + w.report());
      }
    } catch (RuntimeException e) {
      // Caught so the next window still runs: nothing of this window was committed.
      log.line("activation " + a.name() + ": window failed, the next one retries: " + e);
    }
  }

  private void startCurrents() {
    if (!config.currents().enabled()) {
      log.line("Currents receiver: no currents.tokensEnv configured; not started");
      return;
    }
    currents = CurrentsService.start(host, config, FLUSH_TIMEOUT, true);
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
      if (standby != null) {
        standby.cancel(false);
      }
    }
    if (page != null) {
      page.close();
    }
    if (health != null) {
      health.close();
    }
    // Interrupts a running sync at once; its checkpoints let the next run resume.
    syncJobs.shutdownNow();
    // An interrupted poll window commits nothing; the next start reads it again.
    eventJobs.shutdownNow();
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
    long deadline = System.nanoTime() + SYNC_STOP.toNanos();
    try {
      syncJobs.awaitTermination(SYNC_STOP.toMillis(), TimeUnit.MILLISECONDS);
      eventJobs.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (EventActivation events : eventActivations) {
      try {
        events.close();
      } catch (RuntimeException e) {
        log.line("activation: closing an event activation failed: " + e);
      }
    }
    RunLock lock;
    synchronized (this) {
      lock = leadership;
      leadership = null;
    }
    if (lock != null) {
      // Released at once, so that a standing-by replica takes over at its next retry.
      lock.close();
    }
  }
}
