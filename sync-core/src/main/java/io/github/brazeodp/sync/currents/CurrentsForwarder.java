package io.github.brazeodp.sync.currents;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpException;
import io.github.brazeodp.odp.RowError;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.OutboxSize;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the durable Currents outbox into ODP in ODP-sized batches, oldest first.
 *
 * <p>Each cycle reads up to {@code batchSize} messages (default 500, ODP's maximum), sends them
 * with {@link OdpGateway#sendEvents} and removes from the outbox the rows ODP accepted or refused
 * for good (those are counted and reported); rows whose outcome is unconfirmed stay and are sent
 * again (events carry the Currents id as idempotence id). It goes on until the outbox is empty or
 * ODP fails. The client already retries each call, so a failure here means ODP is down for longer
 * than its retry budget: the forwarder then waits before the next cycle, exponentially longer with
 * jitter (1 s, 2 s, 4 s, ... up to 5 min by default), and the events wait in the outbox.
 *
 * <p>{@link #start()} schedules cycles every {@code pollInterval} on the injected {@link
 * ScheduledExecutorService} (or a daemon thread of its own), beginning with one at once, so that
 * after a restart what the outbox holds is drained first; the receiver also asks for a cycle after
 * each batch it queues. Tests call {@link #drainOnce()} instead. {@link #close()} stops the
 * schedule and makes one last bounded attempt to flush; whatever it cannot send stays durably
 * queued for the next start.
 *
 * <p>Each cycle that did something updates an activity record ({@link
 * ActivityRecord.Flow#CURRENTS}) in the state store; cycles within one {@code activityWindow}
 * (default one minute) share a record, so that a busy receiver does not write thousands of records
 * an hour. Cycles that found nothing to do and saw no received batch write nothing.
 *
 * <pre>{@code
 * CurrentsForwarder forwarder = CurrentsForwarder.builder()
 *     .odp(new OdpClientGateway(odpClient)).state(store).build();
 * forwarder.start();
 * ...
 * forwarder.close(); // flushes, bounded
 * }</pre>
 */
public final class CurrentsForwarder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CurrentsForwarder.class);
  static final String SUBJECT = "currents";

  private final OdpGateway odp;
  private final SyncStateStore state;
  private final int batchSize;
  private final Duration pollInterval;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final DoubleSupplier jitter;
  private final Clock clock;
  private final Duration shutdownTimeout;
  private final Duration activityWindow;
  private final Counters counters = new Counters();

  private final ReentrantLock drainLock = new ReentrantLock();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean kickPending = new AtomicBoolean();
  private volatile Instant nextAttemptAt = Instant.MIN;
  private ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  private ScheduledFuture<?> ticker;

  // Guarded by drainLock.
  private int consecutiveFailures;
  private String windowId;
  private Instant windowStart;
  private CurrentsCounts windowBase;
  private CurrentsCounts lastRecorded;
  private long windowOdpCallsBase;
  private long lastOdpCalls;
  private int windowFailedCycles;
  private final List<ActivityRecord.Rejection> windowProblems = new ArrayList<>();
  private final List<ActivityRecord.Rejection> cycleProblems = new ArrayList<>();

  private CurrentsForwarder(Builder b) {
    this.odp = Objects.requireNonNull(b.odp, "odp");
    this.state = Objects.requireNonNull(b.state, "state");
    this.batchSize = b.batchSize;
    this.pollInterval = b.pollInterval;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    this.clock = b.clock;
    this.shutdownTimeout = b.shutdownTimeout;
    this.activityWindow = b.activityWindow;
    this.executor = b.executor;
    this.ownsExecutor = b.executor == null;
    this.lastRecorded = counters.snapshot();
  }

  /**
   * Returns a builder; {@code odp} and {@code state} are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the scheduled cycles, the first one at once (draining what a previous process left in
   * the outbox). Starting twice is harmless.
   *
   * @throws IllegalStateException if the forwarder was closed
   */
  public synchronized void start() {
    if (closed.get()) {
      throw new IllegalStateException("the forwarder is closed");
    }
    if (!started.compareAndSet(false, true)) {
      return;
    }
    if (executor == null) {
      executor =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "currents-forwarder");
                t.setDaemon(true);
                return t;
              });
    }
    ticker =
        executor.scheduleWithFixedDelay(
            this::tick, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs one forwarding cycle now, on the calling thread, even during a backoff wait: drains the
   * outbox until it is empty or ODP fails. Cycles never overlap; this waits for a running one.
   *
   * @return what the cycle did
   */
  public DrainResult drainOnce() {
    drainLock.lock();
    try {
      return drain();
    } finally {
      drainLock.unlock();
    }
  }

  /**
   * Returns the counters shared with the receiver built on this forwarder.
   *
   * @return a snapshot of the counters
   */
  public CurrentsCounts counts() {
    return counters.snapshot();
  }

  /**
   * Returns how much the outbox holds.
   *
   * @return the outbox's size
   */
  public OutboxSize outboxSize() {
    return state.outboxSize();
  }

  /**
   * Returns when scheduled cycles may try ODP again after a failure.
   *
   * @return the instant, or {@link Instant#MIN} when ODP is considered healthy
   */
  public Instant nextAttemptAt() {
    return nextAttemptAt;
  }

  SyncStateStore state() {
    return state;
  }

  Counters counters() {
    return counters;
  }

  Clock clock() {
    return clock;
  }

  /** Asks for a cycle soon (after a batch was queued); does nothing when not started or waiting. */
  void kick() {
    if (!started.get()
        || closed.get()
        || clock.instant().isBefore(nextAttemptAt)
        || !kickPending.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(
          () -> {
            kickPending.set(false);
            tick();
          });
    } catch (RuntimeException rejected) {
      // The executor is shutting down; the outbox keeps the events for the next start.
      kickPending.set(false);
    }
  }

  private void tick() {
    if (closed.get() || clock.instant().isBefore(nextAttemptAt) || !drainLock.tryLock()) {
      return;
    }
    try {
      drain();
    } catch (RuntimeException e) {
      // A failing store must not kill the schedule; the next tick tries again.
      log.warn("Currents forwarding cycle failed: {}", e.toString());
    } finally {
      drainLock.unlock();
    }
  }

  private DrainResult drain() {
    Instant start = clock.instant();
    int forwarded = 0;
    int rejected = 0;
    String failure = null;
    while (!Thread.currentThread().isInterrupted()) {
      List<OutboxMessage> batch = state.peekOutbox(batchSize);
      if (batch.isEmpty()) {
        break;
      }
      List<String> done = new ArrayList<>();
      List<OutboxMessage> rows = new ArrayList<>();
      List<OdpEvent> events = new ArrayList<>();
      for (OutboxMessage m : batch) {
        try {
          events.add(OutboxCodec.decode(m.payload()));
          rows.add(m);
        } catch (IllegalArgumentException e) {
          done.add(m.id());
          rejected++;
          counters.rejected.incrementAndGet();
          problem(e.getMessage(), m.id());
        }
      }
      Sent sent = send(events, rows);
      forwarded += sent.accepted.size();
      rejected += sent.rejected.size();
      done.addAll(sent.accepted);
      done.addAll(sent.rejected);
      if (!done.isEmpty()) {
        state.acknowledge(done);
      }
      counters.forwarded.addAndGet(sent.accepted.size());
      counters.odpRejected.addAndGet(sent.rejected.size());
      if (sent.failure != null) {
        failure = sent.failure;
        break;
      }
      if (done.isEmpty()) {
        failure = "ODP confirmed none of " + batch.size() + " events";
        break;
      }
    }
    Duration retryIn = Duration.ZERO;
    if (failure == null) {
      consecutiveFailures = 0;
      nextAttemptAt = Instant.MIN;
    } else {
      consecutiveFailures++;
      retryIn = backoff(consecutiveFailures);
      nextAttemptAt = clock.instant().plus(retryIn);
      log.warn(
          "Currents forwarding to ODP failed ({} in a row), retrying in {} ms: {}",
          consecutiveFailures,
          retryIn.toMillis(),
          failure);
    }
    recordActivity(start, failure, forwarded + rejected > 0);
    long remaining = state.outboxSize().messages();
    return new DrainResult(forwarded, rejected, failure, remaining, retryIn);
  }

  private record Sent(List<String> accepted, List<String> rejected, String failure) {}

  /** Sends once; the client has already retried when this reports a failure. */
  private Sent send(List<OdpEvent> events, List<OutboxMessage> rows) {
    List<String> accepted = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    if (events.isEmpty()) {
      return new Sent(accepted, rejected, null);
    }
    try {
      BatchResult result = odp.sendEvents(events);
      counters.odpCalls.addAndGet(Math.max(1, result.requestCount()));
      sort(result, rows, accepted, rejected);
      return new Sent(accepted, rejected, null);
    } catch (OdpException e) {
      counters.odpCalls.incrementAndGet();
      e.partialResult().ifPresent(r -> sort(r, rows, accepted, rejected));
      return new Sent(accepted, rejected, e.getMessage());
    } catch (IllegalArgumentException e) {
      // The client refused a row before sending anything. The transformer keeps ODP's rules, so
      // this is unexpected; isolate the row rather than block the outbox behind it.
      if (events.size() == 1) {
        rejected.add(rows.get(0).id());
        problem("ODP client refused the event: " + e.getMessage(), rows.get(0).id());
        return new Sent(accepted, rejected, null);
      }
      for (int i = 0; i < events.size(); i++) {
        Sent one = send(List.of(events.get(i)), List.of(rows.get(i)));
        accepted.addAll(one.accepted);
        rejected.addAll(one.rejected);
        if (one.failure != null) {
          return new Sent(accepted, rejected, one.failure);
        }
      }
      return new Sent(accepted, rejected, null);
    } catch (RuntimeException e) {
      counters.odpCalls.incrementAndGet();
      return new Sent(accepted, rejected, e.toString());
    }
  }

  private void sort(
      BatchResult result, List<OutboxMessage> rows, List<String> accepted, List<String> rejected) {
    Map<Integer, RowError> errors = new HashMap<>();
    for (RowError e : result.errors()) {
      errors.putIfAbsent(e.index(), e);
    }
    for (int i = 0; i < result.size() && i < rows.size(); i++) {
      RowStatus status = result.status(i);
      if (status == RowStatus.ACCEPTED) {
        accepted.add(rows.get(i).id());
      } else if (status == RowStatus.REJECTED) {
        rejected.add(rows.get(i).id());
        RowError error = errors.get(i);
        problem(
            "ODP rejected the event: "
                + (error == null
                    ? "no reason given"
                    : (error.field() == null ? "" : error.field() + ": ") + error.message()),
            rows.get(i).id());
      }
    }
  }

  private Duration backoff(int failures) {
    long base = initialBackoff.toMillis();
    long max = maxBackoff.toMillis();
    long delay = base;
    for (int i = 1; i < failures && delay < max; i++) {
      delay *= 2;
    }
    delay = Math.min(delay, max);
    // Equal jitter: half fixed, half random, so hosts that failed together do not retry together.
    double r = Math.min(1.0, Math.max(0.0, jitter.getAsDouble()));
    return Duration.ofMillis(delay / 2 + Math.round(delay / 2.0 * r));
  }

  private void problem(String reason, String location) {
    if (cycleProblems.size() < ActivityRecord.MAX_REJECTIONS) {
      cycleProblems.add(new ActivityRecord.Rejection(reason, location));
    }
  }

  private void recordActivity(Instant cycleStart, String failure, boolean sentSomething) {
    CurrentsCounts now = counters.snapshot();
    long odpCalls = counters.odpCalls.get();
    List<ActivityRecord.Rejection> problems = new ArrayList<>(counters.takeProblems());
    problems.addAll(cycleProblems);
    cycleProblems.clear();
    if (failure != null) {
      problems.add(new ActivityRecord.Rejection("forwarding to ODP failed: " + failure, null));
    }
    boolean quiet =
        failure == null && !sentSomething && now.equals(lastRecorded) && problems.isEmpty();
    if (quiet) {
      return;
    }
    Instant end = clock.instant();
    if (windowId == null
        || activityWindow.isZero()
        || !cycleStart.isBefore(windowStart.plus(activityWindow))) {
      windowId = "currents-" + UUID.randomUUID();
      windowStart = cycleStart;
      windowBase = lastRecorded;
      windowOdpCallsBase = lastOdpCalls;
      windowFailedCycles = 0;
      windowProblems.clear();
    }
    for (ActivityRecord.Rejection r : problems) {
      if (windowProblems.size() < ActivityRecord.MAX_REJECTIONS) {
        windowProblems.add(r);
      }
    }
    if (failure != null) {
      windowFailedCycles++;
    }
    CurrentsCounts d = now.minus(windowBase);
    ActivityCounts counts =
        ActivityCounts.builder()
            .read(d.received())
            .matched(d.queued() + d.duplicates())
            .unmatched(d.unmatched())
            .unchanged(d.duplicates())
            .sent(d.forwarded())
            .rejected(d.rejected() + d.odpRejected())
            .retried(windowFailedCycles)
            .odpCalls(odpCalls - windowOdpCallsBase)
            .other("queued", d.queued())
            .other("duplicates", d.duplicates())
            .other("odp_rejected", d.odpRejected())
            .other("truncated_fields", d.truncatedFields())
            .other("refused_batches", d.refusedBatches())
            .other("unauthorized", d.unauthorized())
            .build();
    ActivityRecord.Status status =
        failure != null
            ? (d.forwarded() == 0 ? ActivityRecord.Status.FAILED : ActivityRecord.Status.PARTIAL)
            : d.rejected() + d.odpRejected() + d.unmatched() > 0 || windowFailedCycles > 0
                ? ActivityRecord.Status.PARTIAL
                : ActivityRecord.Status.SUCCEEDED;
    ActivityRecord record =
        new ActivityRecord(
            windowId,
            ActivityRecord.CATEGORY_BRAZE,
            ActivityRecord.Flow.CURRENTS,
            SUBJECT,
            windowStart,
            end,
            status,
            counts,
            windowProblems);
    try {
      state.appendActivity(record);
      lastRecorded = now;
      lastOdpCalls = odpCalls;
    } catch (RuntimeException e) {
      log.warn("could not write the Currents activity record: {}", e.toString());
    }
  }

  /**
   * Stops the schedule and flushes: one last cycle, unless ODP is in a backoff wait, bounded by
   * {@code shutdownTimeout}. Messages it cannot send stay in the outbox. Closing twice is harmless;
   * an executor passed to the builder is left running for its owner to shut down.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ScheduledExecutorService exec;
    synchronized (this) {
      if (ticker != null) {
        ticker.cancel(false);
      }
      exec = started.get() ? executor : null;
    }
    if (exec == null) {
      return;
    }
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    try {
      Future<?> flush =
          exec.submit(
              () -> {
                if (!clock.instant().isBefore(nextAttemptAt)) {
                  drainOnce();
                }
              });
      try {
        flush.get(shutdownTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        flush.cancel(true);
        log.warn(
            "Currents forwarder: flush did not finish within {}; the rest stays queued",
            shutdownTimeout);
      } catch (ExecutionException e) {
        log.warn(
            "Currents forwarder: flush failed; the rest stays queued: {}", e.getCause().toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException rejected) {
      // The host's executor is already shut down: nothing to flush with; the outbox is durable.
    } finally {
      if (ownsExecutor) {
        exec.shutdown();
        try {
          long left = Math.max(0, deadline - System.nanoTime());
          if (!exec.awaitTermination(left, TimeUnit.NANOSECONDS)) {
            exec.shutdownNow();
          }
        } catch (InterruptedException e) {
          exec.shutdownNow();
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Builds {@link CurrentsForwarder}s. */
  public static final class Builder {
    private OdpGateway odp;
    private SyncStateStore state;
    private int batchSize = 500;
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(5);
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService executor;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration activityWindow = Duration.ofMinutes(1);

    private Builder() {}

    /**
     * Sets the ODP gateway events are sent to (required).
     *
     * @param odp the gateway
     * @return this builder
     */
    public Builder odp(OdpGateway odp) {
      this.odp = Objects.requireNonNull(odp, "odp");
      return this;
    }

    /**
     * Sets the state store holding the outbox, de-duplication ids and activity log (required).
     *
     * @param state the store
     * @return this builder
     */
    public Builder state(SyncStateStore state) {
      this.state = Objects.requireNonNull(state, "state");
      return this;
    }

    /**
     * Sets how many events one ODP call carries (default 500, ODP's documented maximum).
     *
     * @param events from 1 to 500
     * @return this builder
     */
    public Builder batchSize(int events) {
      if (events < 1 || events > 500) {
        throw new IllegalArgumentException("batchSize must be between 1 and 500, was " + events);
      }
      this.batchSize = events;
      return this;
    }

    /**
     * Sets the pause between scheduled cycles (default 1 s); the receiver also asks for a cycle
     * after each batch it queues.
     *
     * @param interval at least 1 ms
     * @return this builder
     */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = positive(interval, "pollInterval");
      return this;
    }

    /**
     * Sets the backoff after failed cycles: {@code initial}, doubled per further failure, at most
     * {@code max}, with equal jitter (defaults 1 s and 5 min).
     *
     * @param initial the first wait
     * @param max the longest wait
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = positive(initial, "initial backoff");
      this.maxBackoff = positive(max, "max backoff");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max backoff " + max + " is below initial " + initial);
      }
      return this;
    }

    /**
     * Sets the source of jitter, values in [0, 1] (default random), for deterministic tests.
     *
     * @param jitter the source
     * @return this builder
     */
    public Builder jitter(DoubleSupplier jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /**
     * Sets the clock (default UTC system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the executor running the cycles; the host keeps ownership. Default: a daemon thread the
     * forwarder owns and shuts down on {@link #close()}.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(ScheduledExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets how long {@link #close()} may take to flush (default 10 s).
     *
     * @param timeout the bound
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = positive(timeout, "shutdownTimeout");
      return this;
    }

    /**
     * Sets how long cycles share one activity record (default 1 min); zero writes one record per
     * cycle that did something.
     *
     * @param window the window, zero or more
     * @return this builder
     */
    public Builder activityWindow(Duration window) {
      Objects.requireNonNull(window, "activityWindow");
      if (window.isNegative()) {
        throw new IllegalArgumentException("activityWindow must not be negative, was " + window);
      }
      this.activityWindow = window;
      return this;
    }

    /**
     * Builds the forwarder; call {@link CurrentsForwarder#start()} to begin the schedule.
     *
     * @return the forwarder
     * @throws NullPointerException if odp or state is missing
     */
    public CurrentsForwarder build() {
      return new CurrentsForwarder(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }
  }
}
