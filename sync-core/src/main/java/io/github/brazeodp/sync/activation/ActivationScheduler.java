package io.github.brazeodp.sync.activation;

import io.github.brazeodp.sync.RunLockedException;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.Checkpoint;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scheduled, segment-enrolled activations when they are due, on an injected clock and
 * executor.
 *
 * <p>Every {@linkplain Builder#pollInterval poll interval} (or on each {@link #tick()} in tests) it
 * looks, per activation, for the latest occurrence of its {@link Schedule} that is due (at or
 * before now) and later than the last one handled. After downtime that spans several occurrences it
 * runs <b>once</b>, for the latest, and notes how many were skipped: a week offline does not send
 * seven daily campaigns at once. The last occurrence handled is kept in the state store as a
 * checkpoint of scope {@code activation/<name>} (attribute {@value #LAST_OCCURRENCE}); {@code
 * lastSuccess} of the same scope records when a run last finished. An activation added for the
 * first time starts from the moment it is added ("go live"): its first run is the first occurrence
 * after that.
 *
 * <p>A run that throws (ODP unreachable, unknown campaign) is retried on the next ticks, up to
 * {@linkplain Builder#maxAttempts max attempts}, then the occurrence is given up (the activity log
 * has the failed runs); reruns of an occurrence never resend thanks to the ledger.
 *
 * <pre>{@code
 * try (ActivationScheduler scheduler = ActivationScheduler.builder(runner).build()) {
 *   scheduler.add(dailyActivation).start();
 *   ...
 * }
 * }</pre>
 */
public final class ActivationScheduler implements AutoCloseable {
  /** The prefix of the state-store scope of each activation. */
  public static final String SCOPE_PREFIX = "activation/";

  /** The checkpoint attribute holding the last occurrence handled (an ISO-8601 instant). */
  public static final String LAST_OCCURRENCE = "lastOccurrence";

  private static final Logger LOG = LoggerFactory.getLogger(ActivationScheduler.class);
  private static final String RUN_ID = "activation-scheduler";
  private static final String FAILED_OCCURRENCE = "failedOccurrence";
  private static final String ATTEMPTS = "attempts";

  private final ActivationRunner runner;
  private final SyncStateStore state;
  private final Clock clock;
  private final Duration pollInterval;
  private final int maxAttempts;
  private final Duration shutdownTimeout;
  private final Consumer<SyncReport> onReport;
  private final BiConsumer<Activation, RuntimeException> onError;
  private final ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  private final Map<String, Activation> activations = new LinkedHashMap<>();
  // Serializes runs; close() never waits on it, so shutdown stays bounded during a long run.
  private final Object tickLock = new Object();
  private final Object lifecycle = new Object();
  private ScheduledFuture<?> polling;
  private volatile boolean closed;

  private ActivationScheduler(Builder b) {
    this.runner = b.runner;
    this.state = runner.state();
    this.clock = b.clock != null ? b.clock : runner.clock();
    this.pollInterval = b.pollInterval;
    this.maxAttempts = b.maxAttempts;
    this.shutdownTimeout = b.shutdownTimeout;
    this.onReport = b.onReport;
    this.onError = b.onError;
    this.ownsExecutor = b.executor == null;
    this.executor =
        b.executor != null
            ? b.executor
            : Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "activation-scheduler");
                  t.setDaemon(true);
                  return t;
                });
  }

  /**
   * Starts a scheduler running activations through {@code runner}.
   *
   * @param runner the runner (its state store keeps the schedule state)
   * @return a builder
   */
  public static Builder builder(ActivationRunner runner) {
    return new Builder(runner);
  }

  /**
   * Adds a scheduled, segment-enrolled activation; the first time an activation is added, its first
   * run is the first occurrence after now.
   *
   * @param activation the activation
   * @return this scheduler
   * @throws IllegalArgumentException when it has no schedule, is event-enrolled, or its name is
   *     already added
   */
  public ActivationScheduler add(Activation activation) {
    Objects.requireNonNull(activation, "activation");
    if (activation.segment().isEmpty() || activation.schedule().isEmpty()) {
      throw new IllegalArgumentException(
          "activation " + activation.name() + " needs segment enrollment and a schedule");
    }
    synchronized (lifecycle) {
      if (activations.containsKey(activation.name())) {
        throw new IllegalArgumentException(
            "activation " + activation.name() + " is already scheduled");
      }
      String scope = SCOPE_PREFIX + activation.name();
      if (state.checkpoint(scope).isEmpty()) {
        state.putCheckpoint(scope, checkpoint(clock.instant(), null, 0));
      }
      activations.put(activation.name(), activation);
    }
    return this;
  }

  /**
   * Starts polling on the executor every poll interval, beginning now.
   *
   * @return this scheduler
   * @throws IllegalStateException when closed or already started
   */
  public ActivationScheduler start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("the activation scheduler is closed");
      }
      if (polling != null) {
        throw new IllegalStateException("the activation scheduler is already started");
      }
      polling =
          executor.scheduleWithFixedDelay(
              this::tickQuietly, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * Returns the next occurrence an activation will run, as stored now.
   *
   * @param name the activation's name
   * @return the next run, or empty when unknown or the schedule has ended
   */
  public Optional<Instant> nextRun(String name) {
    Activation a;
    synchronized (lifecycle) {
      a = activations.get(name);
    }
    if (a == null) {
      return Optional.empty();
    }
    return a.schedule().orElseThrow().nextRunAfter(last(SCOPE_PREFIX + name));
  }

  /**
   * Runs every activation that is due now, at most one occurrence each.
   *
   * @return the reports of the runs that finished
   */
  public List<SyncReport> tick() {
    List<SyncReport> reports = new ArrayList<>();
    List<Activation> due;
    synchronized (lifecycle) {
      due = List.copyOf(activations.values());
    }
    synchronized (tickLock) {
      for (Activation a : due) {
        if (closed) {
          break;
        }
        runIfDue(a).ifPresent(reports::add);
      }
    }
    return reports;
  }

  private Optional<SyncReport> runIfDue(Activation a) {
    String scope = SCOPE_PREFIX + a.name();
    Schedule schedule = a.schedule().orElseThrow();
    Instant now = clock.instant();
    Instant last = last(scope);
    Instant due = null;
    long skipped = 0;
    for (Optional<Instant> r = schedule.nextRunAfter(last);
        r.isPresent() && !r.get().isAfter(now);
        r = schedule.nextRunAfter(r.get())) {
      if (due != null) {
        skipped++;
      }
      due = r.get();
    }
    if (due == null) {
      return Optional.empty();
    }
    Instant run = due;
    String occurrence = schedule.occurrenceId(due);
    List<String> notes = new ArrayList<>();
    notes.add("scheduled run of " + due + " (" + schedule + ")");
    if (skipped > 0) {
      notes.add(
          "caught up once after downtime: "
              + skipped
              + " earlier occurrence(s) after "
              + last
              + " were skipped");
    }
    Checkpoint cp = state.checkpoint(scope).orElse(null);
    int attempts =
        cp != null && occurrence.equals(cp.attributes().get(FAILED_OCCURRENCE))
            ? Integer.parseInt(cp.attributes().getOrDefault(ATTEMPTS, "0"))
            : 0;
    try {
      SyncReport report = runner.execute(a, occurrence, false, notes);
      state.transaction(
          tx -> {
            tx.putCheckpoint(scope, checkpoint(run, null, 0));
            if (report.status() != ActivityRecord.Status.FAILED) {
              tx.putLastSuccess(scope, clock.instant());
            }
          });
      onReport.accept(report);
      return Optional.of(report);
    } catch (RunLockedException e) {
      // Another process runs this activation now (a manual run): not a failed attempt. The
      // checkpoint stays, so the next tick tries the same occurrence again.
      onError.accept(a, e);
      return Optional.empty();
    } catch (RuntimeException e) {
      int failed = attempts + 1;
      if (failed >= maxAttempts) {
        LOG.error(
            "activation {}: occurrence {} failed {} times and is given up",
            a.name(),
            occurrence,
            failed,
            e);
        state.putCheckpoint(scope, checkpoint(due, null, 0));
      } else {
        state.putCheckpoint(scope, checkpoint(last, occurrence, failed));
      }
      onError.accept(a, e);
      return Optional.empty();
    }
  }

  private Instant last(String scope) {
    Optional<Checkpoint> cp = state.checkpoint(scope);
    String text = cp.map(c -> c.attributes().get(LAST_OCCURRENCE)).orElse(null);
    if (text == null) {
      return clock.instant();
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalStateException(
          "state store scope " + scope + ": " + LAST_OCCURRENCE + " is not an instant: " + text, e);
    }
  }

  private static Checkpoint checkpoint(Instant last, String failedOccurrence, int attempts) {
    Checkpoint.Builder b = Checkpoint.builder(RUN_ID).attribute(LAST_OCCURRENCE, last.toString());
    if (failedOccurrence != null) {
      b.attribute(FAILED_OCCURRENCE, failedOccurrence)
          .attribute(ATTEMPTS, String.valueOf(attempts));
    }
    return b.build();
  }

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again; keep polling.
      LOG.error("activation scheduler: tick failed", e);
    }
  }

  /**
   * Stops polling and waits up to the shutdown timeout for a running activation to finish; an owned
   * executor is shut down. Closing twice is harmless.
   */
  @Override
  public void close() {
    ScheduledFuture<?> p;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      p = polling;
    }
    if (p != null) {
      p.cancel(false);
    }
    if (ownsExecutor) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("activation scheduler: a run did not finish within {}", shutdownTimeout);
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Builds an {@link ActivationScheduler}. */
  public static final class Builder {
    private final ActivationRunner runner;
    private Clock clock;
    private ScheduledExecutorService executor;
    private Duration pollInterval = Duration.ofSeconds(30);
    private int maxAttempts = 3;
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private Consumer<SyncReport> onReport = r -> {};
    private BiConsumer<Activation, RuntimeException> onError =
        (a, e) -> LOG.warn("activation {}: scheduled run failed: {}", a.name(), e.getMessage());

    private Builder(ActivationRunner runner) {
      this.runner = Objects.requireNonNull(runner, "runner");
    }

    /**
     * Sets the clock deciding what is due (default: the runner's clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the executor that polls; by default the scheduler owns a daemon thread.
     *
     * @param executor the executor; the host keeps ownership
     * @return this builder
     */
    public Builder executor(ScheduledExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets how often due activations are looked for (default 30 seconds): runs start within this
     * delay of their scheduled time.
     *
     * @param interval the interval, positive
     * @return this builder
     */
    public Builder pollInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, was " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * Sets how many times an occurrence whose run throws is tried before it is given up (default
     * 3).
     *
     * @param attempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Sets how long {@link #close()} waits for a running activation (default 30 seconds).
     *
     * @param timeout the bound
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Receives the report of every scheduled run.
     *
     * @param onReport the consumer
     * @return this builder
     */
    public Builder onReport(Consumer<SyncReport> onReport) {
      this.onReport = Objects.requireNonNull(onReport, "onReport");
      return this;
    }

    /**
     * Receives the failure of every scheduled run that threw (default: logged).
     *
     * @param onError the consumer
     * @return this builder
     */
    public Builder onError(BiConsumer<Activation, RuntimeException> onError) {
      this.onError = Objects.requireNonNull(onError, "onError");
      return this;
    }

    /**
     * Builds the scheduler; call {@link ActivationScheduler#start()} to poll, or {@link
     * ActivationScheduler#tick()} yourself.
     *
     * @return the scheduler
     */
    public ActivationScheduler build() {
      return new ActivationScheduler(this);
    }
  }
}
