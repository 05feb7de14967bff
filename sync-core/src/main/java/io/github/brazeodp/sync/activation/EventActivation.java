package io.github.brazeodp.sync.activation;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.RunStats;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an event-enrolled activation for the ODP events a host receives (webhook, queue): filter,
 * apply the automation rules, and send in micro-batches.
 *
 * <p>{@link #onEvent(OdpEvent)} decides at once and returns the {@link Decision}: events that do
 * not match the filter, are older than the latency cut-off, would exceed the per-customer or total
 * per-hour cap, lack the target identifier, or were already handled are dropped; the others are
 * queued. The queue is sent when it holds a full batch (50 recipients for campaigns and Canvases,
 * the track limit for profile-only), sent on the calling thread, or when the {@linkplain
 * Builder#window window} since the first queued event has passed, sent on the scheduler; {@link
 * #flush()} sends it now. Each flush that did anything writes one activity record.
 *
 * <p>The occurrence of an event is {@code "event:" + idempotenceId}, so a redelivered event (same
 * idempotence id) finds its ledger entry and is not sent again; events need a stable idempotence id
 * for this (ODP's {@code idempotence_id}). Customer values for the templates come from the
 * {@linkplain Builder#customer customer lookup}, by default the event's identifiers and data fields
 * (identifiers win).
 *
 * <pre>{@code
 * try (EventActivation events = EventActivation.builder(runner, activation).build()) {
 *   webhook.onOdpEvent(events::onEvent);
 *   ...
 * }
 * }</pre>
 */
public final class EventActivation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventActivation.class);
  private static final Duration HOUR = Duration.ofHours(1);
  private static final String OCCURRENCE_PREFIX = "event:";

  /** What {@link #onEvent} did with an event. */
  public enum Decision {
    /** Queued for the next micro-batch. */
    QUEUED,
    /** The event does not match the activation's filter. */
    NOT_MATCHING,
    /** The event is older than the latency cut-off. */
    TOO_LATE,
    /** The customer reached the per-customer per-hour cap. */
    CAPPED_PER_CUSTOMER,
    /** The activation reached the total per-hour cap. */
    CAPPED_TOTAL,
    /** The customer lacks the target identifier. */
    UNMATCHED,
    /** A rendered value is too long for Braze. */
    REJECTED,
    /** The same event (idempotence id) was already sent, queued or has an unknown outcome. */
    ALREADY_HANDLED
  }

  private final Activation activation;
  private final ActivationRunner runner;
  private final SyncStateStore state;
  private final Clock clock;
  private final Duration window;
  private final int maxBatch;
  private final boolean dry;
  private final Function<OdpEvent, Map<String, String>> customer;
  private final Consumer<SyncReport> onReport;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Duration shutdownTimeout;
  private final Object queueLock = new Object();
  private final Object sendLock = new Object();
  private final List<Dispatcher.Item> queue = new ArrayList<>();
  // Taken from the queue by a flush but not yet in the ledger: still counted by the caps.
  private final List<Dispatcher.Item> claiming = new ArrayList<>();
  private RunStats stats = new RunStats();
  private Instant statsSince;
  private ScheduledFuture<?> timer;
  private boolean closed;
  // While a poll window runs, flushes (full batches, timer) send but keep counting into one report.
  private boolean holding;
  private boolean heldHalt;

  private EventActivation(Builder b) {
    this.runner = b.runner;
    this.activation = b.activation;
    if (activation.eventFilter().isEmpty()) {
      throw new IllegalArgumentException(
          "activation " + activation.name() + " is segment-enrolled: run it with ActivationRunner");
    }
    this.state = runner.state();
    this.clock = runner.clock();
    this.window = b.window;
    int batchCap =
        new Dispatcher(activation, runner.braze(), state, clock, stats, b.dry).batchSize();
    this.maxBatch = b.maxBatch == 0 ? batchCap : Math.min(b.maxBatch, batchCap);
    this.dry = b.dry;
    this.customer = b.customer;
    this.onReport = b.onReport;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = b.scheduler != null ? b.scheduler : ownedScheduler(activation.name());
    this.shutdownTimeout = b.shutdownTimeout;
    this.statsSince = clock.instant();
  }

  /**
   * Starts an event activation over the runner's Braze gateway, state store and clock.
   *
   * @param runner the runner whose Braze side, state and clock are used
   * @param activation an event-enrolled activation
   * @return a builder
   */
  public static Builder builder(ActivationRunner runner, Activation activation) {
    return new Builder(runner, activation);
  }

  /**
   * Decides what to do with one ODP event: drop it with a reason, or queue it for the next
   * micro-batch (which this call may send when the batch is full).
   *
   * @param event the event as the host received it
   * @return the decision
   * @throws IllegalStateException after {@link #close()}
   */
  public Decision onEvent(OdpEvent event) {
    Objects.requireNonNull(event, "event");
    Decision decision;
    boolean full;
    synchronized (queueLock) {
      if (closed) {
        throw new IllegalStateException("event activation " + activation.name() + " is closed");
      }
      decision = decide(event);
      full = decision == Decision.QUEUED && queue.size() >= maxBatch;
      if (decision == Decision.QUEUED && queue.size() == 1 && !full) {
        timer = scheduler.schedule(this::flushOnTimer, window.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    if (full) {
      flush();
    }
    return decision;
  }

  private Decision decide(OdpEvent event) {
    RunStats s = stats;
    s.read(1);
    if (!activation.eventFilter().orElseThrow().test(event)) {
      s.count(ActivationCounts.FILTERED, 1);
      return Decision.NOT_MATCHING;
    }
    Instant now = clock.instant();
    AutomationRules rules = activation.rules();
    Optional<Duration> cutOff = rules.latencyCutOff();
    if (cutOff.isPresent() && event.ts() != null && event.ts().isBefore(now.minus(cutOff.get()))) {
      s.count(ActivationCounts.TOO_LATE, 1);
      return Decision.TOO_LATE;
    }
    Map<String, String> values = customer.apply(event);
    Activation.Rendered rendered =
        activation.render(
            k -> k.startsWith(Template.EVENT_PREFIX) ? eventValue(event, k) : values.get(k));
    String occurrence = OCCURRENCE_PREFIX + event.idempotenceId();
    if (rendered.unmatched()) {
      s.unmatched("event " + event.idempotenceId());
      return Decision.UNMATCHED;
    }
    s.matched(1);
    if (rendered.rejection() != null) {
      s.rejected(rendered.rejection(), rendered.key());
      return Decision.REJECTED;
    }
    String key = rendered.key();
    if (alreadyHandled(occurrence, key)) {
      s.count(ActivationCounts.DUPLICATE_EVENT, 1);
      return Decision.ALREADY_HANDLED;
    }
    if (rules.perCustomerPerHour() > 0) {
      long sends =
          state.sendsToCustomerSince(activation.name(), key, now.minus(HOUR))
              + waiting(i -> i.key().equals(key));
      if (sends >= rules.perCustomerPerHour()) {
        s.count(ActivationCounts.CAPPED_PER_CUSTOMER, 1);
        return Decision.CAPPED_PER_CUSTOMER;
      }
    }
    if (rules.totalPerHour() > 0) {
      long sends = state.sendsSince(activation.name(), now.minus(HOUR)) + waiting(i -> true);
      if (sends >= rules.totalPerHour()) {
        s.count(ActivationCounts.CAPPED_TOTAL, 1);
        return Decision.CAPPED_TOTAL;
      }
    }
    queue.add(
        new Dispatcher.Item(occurrence, rendered, "event " + event.idempotenceId(), event.ts()));
    return Decision.QUEUED;
  }

  /**
   * While on, flushes send as usual but neither write an activity record nor start a new report:
   * everything counts into the report of the first flush after it is turned off. {@link
   * OdpEventSource} uses it so each poll window writes one record.
   */
  void holdReports(boolean hold) {
    synchronized (queueLock) {
      holding = hold;
    }
  }

  /** Adds to a count of the report the next flush writes (used by {@link OdpEventSource}). */
  void count(String name, long n) {
    synchronized (queueLock) {
      stats.count(name, n);
    }
  }

  /** Adds a note to the report the next flush writes. */
  void note(String note) {
    synchronized (queueLock) {
      stats.note(note);
    }
  }

  /** Returns the activation this feeds. */
  Activation activation() {
    return activation;
  }

  /** Returns the state store of the runner. */
  SyncStateStore state() {
    return state;
  }

  /** Returns the runner's clock. */
  Clock clock() {
    return clock;
  }

  private boolean alreadyHandled(String occurrence, String key) {
    for (List<Dispatcher.Item> items : List.of(queue, claiming)) {
      for (Dispatcher.Item i : items) {
        if (i.occurrence().equals(occurrence) && i.key().equals(key)) {
          return true;
        }
      }
    }
    if (!activation.touchpoint().sendsMessages()) {
      return false;
    }
    return state
        .ledgerEntry(activation.name(), occurrence, key)
        .map(e -> e.state().mayHaveBeenSent())
        .orElse(false);
  }

  private long waiting(Predicate<Dispatcher.Item> which) {
    long n = 0;
    for (Dispatcher.Item i : queue) {
      n += which.test(i) ? 1 : 0;
    }
    for (Dispatcher.Item i : claiming) {
      n += which.test(i) ? 1 : 0;
    }
    return n;
  }

  /**
   * Sends everything queued now and returns the report of what happened since the last flush
   * (decisions and sends); writes one activity record when anything happened.
   *
   * @return the report
   * @throws ActivationException when Braze does not know the campaign or Canvas or refuses the key
   */
  public SyncReport flush() {
    synchronized (sendLock) {
      RunStats s;
      Instant since;
      boolean hold;
      List<Dispatcher.Item> items;
      synchronized (queueLock) {
        if (timer != null) {
          timer.cancel(false);
          timer = null;
        }
        items = new ArrayList<>(queue);
        queue.clear();
        claiming.addAll(items);
        s = stats;
        since = statsSince;
        hold = holding;
        if (!hold) {
          stats = new RunStats();
          statsSince = clock.instant();
        }
      }
      Optional<Dispatcher.Halt> halt = Optional.empty();
      try {
        Dispatcher dispatcher = new Dispatcher(activation, runner.braze(), state, clock, s, dry);
        for (List<Dispatcher.Item> call : calls(items, maxBatch)) {
          halt = dispatcher.send(call);
          synchronized (queueLock) {
            claiming.removeAll(call);
          }
          if (halt.isPresent()) {
            break;
          }
        }
      } finally {
        synchronized (queueLock) {
          claiming.removeAll(items);
        }
      }
      halt.ifPresent(h -> s.note("activation " + activation.name() + ": " + h.message()));
      boolean halted;
      synchronized (queueLock) {
        heldHalt |= halt.isPresent();
        halted = heldHalt;
        if (!hold) {
          heldHalt = false;
        }
      }
      if (hold && !(halt.isPresent() && halt.get().fatal())) {
        return new SyncReport(
            record(since, s, ActivationRunner.status(s.counts(), halted)),
            dry,
            List.of(),
            s.notes());
      }
      if (dry) {
        s.note("dry run: nothing was sent to Braze or written to the ledger");
      }
      boolean idle = s.readCount() == 0 && items.isEmpty();
      ActivityRecord.Status status = ActivationRunner.status(s.counts(), halted);
      SyncReport report =
          idle
              ? new SyncReport(record(since, s, status), dry, List.of(), s.notes())
              : runner.finish(activation, since, s, dry, status);
      if (halt.isPresent() && halt.get().fatal()) {
        throw new ActivationException(
            "activation " + activation.name() + ": " + halt.get().message(),
            report,
            halt.get().cause());
      }
      if (!idle) {
        onReport.accept(report);
      }
      return report;
    }
  }

  private ActivityRecord record(Instant since, RunStats s, ActivityRecord.Status status) {
    return new ActivityRecord(
        "idle",
        ActivityRecord.CATEGORY_BRAZE,
        ActivityRecord.Flow.ACTIVATION,
        activation.name(),
        since,
        clock.instant(),
        status,
        s.counts(),
        List.of());
  }

  /**
   * Splits the queue into calls of at most {@code max} items, each customer at most once per call
   * (Braze would merge duplicate recipients into one message while the ledger counts two).
   */
  static List<List<Dispatcher.Item>> calls(List<Dispatcher.Item> items, int max) {
    List<List<Dispatcher.Item>> calls = new ArrayList<>();
    List<Set<String>> keys = new ArrayList<>();
    for (Dispatcher.Item item : items) {
      int i = 0;
      while (i < calls.size() && (calls.get(i).size() >= max || keys.get(i).contains(item.key()))) {
        i++;
      }
      if (i == calls.size()) {
        calls.add(new ArrayList<>());
        keys.add(new HashSet<>());
      }
      calls.get(i).add(item);
      keys.get(i).add(item.key());
    }
    return calls;
  }

  private void flushOnTimer() {
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.error("activation {}: sending the micro-batch failed", activation.name(), e);
    }
  }

  /**
   * Sends what is queued, stops the timer and, when the scheduler is owned, shuts it down within
   * the shutdown timeout. Closing twice is harmless.
   */
  @Override
  public void close() {
    synchronized (queueLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      flush();
    } finally {
      if (ownsScheduler) {
        scheduler.shutdownNow();
        try {
          if (!scheduler.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn(
                "activation {}: the micro-batch thread did not stop within {}",
                activation.name(),
                shutdownTimeout);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static ScheduledExecutorService ownedScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "activation-events-" + name);
          t.setDaemon(true);
          return t;
        });
  }

  /** Returns an {@code event.*} template value of the triggering event, or null. */
  static String eventValue(OdpEvent event, String key) {
    String name = key.substring(Template.EVENT_PREFIX.length());
    if (name.startsWith("data.")) {
      Object v = event.data().get(name.substring("data.".length()));
      return v == null ? null : String.valueOf(v);
    }
    return switch (name) {
      case "type" -> event.type();
      case "action" -> event.action();
      case "ts" -> event.ts() == null ? null : event.ts().toString();
      case "id" -> event.idempotenceId();
      default -> null;
    };
  }

  /** Reads template values from the event: identifiers first, then data fields. */
  static Map<String, String> fromEvent(OdpEvent event) {
    Map<String, String> values = new HashMap<>();
    event
        .data()
        .forEach(
            (k, v) -> {
              if (v != null) {
                values.put(k, String.valueOf(v));
              }
            });
    event
        .identifiers()
        .forEach(
            (k, v) -> {
              if (v != null) {
                values.put(k, v);
              }
            });
    return values;
  }

  /** Builds an {@link EventActivation}. */
  public static final class Builder {
    private final ActivationRunner runner;
    private final Activation activation;
    private Duration window = Duration.ofSeconds(1);
    private int maxBatch;
    private boolean dry;
    private Function<OdpEvent, Map<String, String>> customer = EventActivation::fromEvent;
    private Consumer<SyncReport> onReport = r -> {};
    private ScheduledExecutorService scheduler;
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    private Builder(ActivationRunner runner, Activation activation) {
      this.runner = Objects.requireNonNull(runner, "runner");
      this.activation = Objects.requireNonNull(activation, "activation");
    }

    /**
     * Sets how long the first queued event may wait for others (default 1 second).
     *
     * @param window the micro-batch window, positive
     * @return this builder
     */
    public Builder window(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive, was " + window);
      }
      this.window = window;
      return this;
    }

    /**
     * Sets the most events per call (default and maximum: 50 for campaigns and Canvases, the
     * client's track limit for profile-only).
     *
     * @param max the batch size, at least 1
     * @return this builder
     */
    public Builder maxBatch(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxBatch must be at least 1, was " + max);
      }
      this.maxBatch = max;
      return this;
    }

    /**
     * Renders, applies the rules and counts without calling Braze or writing the ledger.
     *
     * @param dryRun true for a dry run
     * @return this builder
     */
    public Builder dryRun(boolean dryRun) {
      this.dry = dryRun;
      return this;
    }

    /**
     * Sets where template values come from (default: the event's identifiers and data fields), e.g.
     * a profile lookup in the host's cache.
     *
     * @param lookup field name to value for the event's customer
     * @return this builder
     */
    public Builder customer(Function<OdpEvent, Map<String, String>> lookup) {
      Objects.requireNonNull(lookup, "lookup");
      this.customer =
          e -> new LinkedHashMap<>(Objects.requireNonNullElseGet(lookup.apply(e), Map::of));
      return this;
    }

    /**
     * Receives the report of every flush that did something (including timer flushes).
     *
     * @param onReport the consumer
     * @return this builder
     */
    public Builder onReport(Consumer<SyncReport> onReport) {
      this.onReport = Objects.requireNonNull(onReport, "onReport");
      return this;
    }

    /**
     * Sets the scheduler of the window timer; by default the activation owns a daemon thread and
     * shuts it down on close.
     *
     * @param scheduler the scheduler; the host keeps ownership
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets how long {@link #close()} waits for an owned scheduler thread (default 10 seconds).
     *
     * @param timeout the bound
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Builds the event activation.
     *
     * @return the event activation; close it to send what is queued
     */
    public EventActivation build() {
      return new EventActivation(this);
    }
  }
}
