package io.github.brazeodp.sync.currents;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.OdpApiException;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpException;
import io.github.brazeodp.odp.RowError;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.IdentityRecord;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.OutboxSize;
import io.github.brazeodp.sync.state.ParkedEvent;
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
import java.util.TreeMap;
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
 * <p>Each cycle reads up to {@code batchSize × batchesInFlight} messages (default 500 × 4), sends
 * them with one {@link OdpGateway#sendEvents} call, which the ODP client splits into requests it
 * keeps in flight together, and removes from the outbox the rows ODP accepted; rows whose outcome
 * is unconfirmed stay and are sent again (events carry the Currents id as idempotence id). It goes
 * on until the outbox is empty or ODP fails.
 *
 * <p>Nothing leaves the outbox silently. When ODP refuses a whole request without naming events (a
 * 400, 413 or 422 such as a batch over the account's size limit, or every row refused with one and
 * the same reason) the forwarder splits it in halves, down to single events, and resends, so that
 * only the events ODP refuses one by one are refused. Those, and events still undelivered after
 * {@code maxAttempts} failed attempts or older than {@code maxAge}, move to the store's dead
 * letters with the reason and the time ({@link SyncStateStore#deadLetters}), from where they can be
 * replayed; a poison event therefore never blocks the queue. One WARN line per activity window
 * reports how many moved and the first reasons. The client already retries each call, so a failure
 * here means ODP is down for longer than its retry budget: the forwarder then waits before the next
 * cycle, exponentially longer with jitter (1 s, 2 s, 4 s, ... up to 5 min by default), and the
 * events wait in the outbox.
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

  /** The default number of batches one cycle keeps in flight. */
  public static final int DEFAULT_BATCHES_IN_FLIGHT = 4;

  private final OdpGateway odp;
  private final SyncStateStore state;
  private final int batchSize;
  private final String claimOwner;
  private final Duration claimLease;
  private final int batchesInFlight;
  private final Duration pollInterval;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final DoubleSupplier jitter;
  private final Clock clock;
  private final Duration shutdownTimeout;
  private final Duration activityWindow;
  private final Duration maxAge;
  private final int maxAttempts;
  private final Duration parkedMaxAge;
  private final long parkedMaxCount;
  private final Duration parkedCheckInterval;
  private final Counters counters = new Counters();

  private final ReentrantLock drainLock = new ReentrantLock();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean kickPending = new AtomicBoolean();
  private volatile Instant nextAttemptAt = Instant.MIN;
  private volatile Instant lastOdpContact;
  private ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  // The thread of an executor we own, joined on close: a terminated executor's thread may still be
  // alive for a moment, and close() promises that nothing of ours runs afterwards.
  private volatile Thread ownThread;
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
  private String lastFailure;
  private boolean storeFailing;
  private Instant lastParkedCheck;
  private long unwarnedDeadLetters;
  private final List<String> unwarnedReasons = new ArrayList<>();
  private Instant lastDeadLetterWarning;

  private CurrentsForwarder(Builder b) {
    this.odp = Objects.requireNonNull(b.odp, "odp");
    this.state = Objects.requireNonNull(b.state, "state");
    this.batchSize = b.batchSize;
    this.claimOwner = b.claimOwner;
    this.claimLease = b.claimLease;
    this.batchesInFlight = b.batchesInFlight;
    this.pollInterval = b.pollInterval;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    this.clock = b.clock;
    this.shutdownTimeout = b.shutdownTimeout;
    this.activityWindow = b.activityWindow;
    this.maxAge = b.maxAge;
    this.maxAttempts = b.maxAttempts;
    this.parkedMaxAge = b.parkedMaxAge;
    this.parkedMaxCount = b.parkedMaxCount;
    this.parkedCheckInterval = b.parkedCheckInterval;
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
                ownThread = t;
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
   * Sends events read from somewhere other than the outbox (a Kafka partition, say) to ODP the way
   * a cycle sends the outbox: requests of at most {@code batchSize} events, a request ODP refuses
   * as a whole split down to single events, results counted in {@link #counts()}. The store's
   * outbox, dead letters and attempt counts are not touched: the caller owns these events and
   * decides what happens to the refused ones and to those left open by a failure. Does not run
   * concurrently with a cycle or another call.
   *
   * @param messages the events, each with its Currents id and the payload a {@link CurrentsSink}
   *     was given
   * @return what ODP accepted and refused; events in neither were not confirmed
   */
  public Delivery deliver(List<OutboxMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    drainLock.lock();
    try {
      List<String> accepted = new ArrayList<>();
      Map<String, String> refused = new LinkedHashMap<>();
      String failure = null;
      for (int from = 0; from < messages.size() && failure == null; from += batchSize) {
        List<OutboxMessage> rows = new ArrayList<>();
        List<Object> events = new ArrayList<>();
        for (OutboxMessage m :
            messages.subList(from, Math.min(messages.size(), from + batchSize))) {
          try {
            events.add(outgoing(m.payload()));
            rows.add(m);
          } catch (IllegalArgumentException e) {
            String reason = "unreadable payload: " + e.getMessage();
            refused.put(m.id(), reason);
            problem(reason, m.id());
            counters.rejected.incrementAndGet();
          }
        }
        int before = accepted.size();
        int refusedBefore = refused.size();
        failure = send(events, rows, accepted, refused);
        counters.forwarded.addAndGet(accepted.size() - before);
        counters.odpRejected.addAndGet(refused.size() - refusedBefore);
      }
      return new Delivery(List.copyOf(accepted), Map.copyOf(refused), failure);
    } finally {
      drainLock.unlock();
    }
  }

  /**
   * What {@link #deliver} achieved.
   *
   * @param accepted the ids ODP accepted
   * @param refused the ids refused for good (by ODP one by one, or unreadable), with the reason
   * @param failure why sending stopped early (ODP down past the client's retries), or null
   */
  public record Delivery(List<String> accepted, Map<String, String> refused, String failure) {

    /**
     * Copies the collections.
     *
     * @param accepted the ids ODP accepted
     * @param refused the ids refused for good, with the reason
     * @param failure why sending stopped early, or null
     */
    public Delivery {
      accepted = List.copyOf(accepted);
      refused = Map.copyOf(refused);
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

  /**
   * Returns when ODP last answered a send (accepting or refusing), for health checks.
   *
   * @return the instant, or empty before the first answer
   */
  public Optional<Instant> lastOdpContact() {
    return Optional.ofNullable(lastOdpContact);
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

  /**
   * The outbox payload of an event: the row the gateway encodes, when it sends encoded rows, so
   * that this forwarder sends it without decoding and encoding it again; the JSON form otherwise,
   * and for an event the gateway refuses to encode (it is refused again, and dead-lettered, when
   * sent).
   */
  String outboxPayload(OdpEvent event) {
    if (odp.sendsEncodedEvents()) {
      try {
        return OutboxCodec.row(odp.encodeEvent(event));
      } catch (IllegalArgumentException e) {
        log.debug("ODP client refuses event {}; queued as JSON", event.idempotenceId(), e);
      }
    }
    return OutboxCodec.encode(event);
  }

  /**
   * What to send for one outbox payload: its row as it is when the gateway sends encoded rows (a
   * payload of the JSON form, written before rows were kept, is encoded now), else the event.
   *
   * @throws IllegalArgumentException if the payload is unreadable or the gateway refuses to encode
   *     the event
   */
  private Object outgoing(String payload) {
    if (odp.sendsEncodedEvents()) {
      return OutboxCodec.isRow(payload)
          ? OutboxCodec.rowBytes(payload)
          : odp.encodeEvent(OutboxCodec.decode(payload));
    }
    return OutboxCodec.decode(payload);
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
      if (storeFailing) {
        storeFailing = false;
        log.info("Currents forwarding works again after the state store recovered");
      }
    } catch (RuntimeException e) {
      // A failing store must not kill the schedule; the next tick tries again. One line per
      // change of state, not one per tick.
      if (!storeFailing) {
        storeFailing = true;
        log.warn("Currents forwarding cycle failed, retrying every tick: {}", e.toString());
      }
    } finally {
      drainLock.unlock();
    }
  }

  /** Whole-request refusals the forwarder isolates by splitting, as ODP names no event in them. */
  private static final Set<Integer> WHOLE_REQUEST_REFUSALS = Set.of(400, 413, 422);

  private static final int WARNED_REASONS = 3;

  private DrainResult drain() {
    Instant start = clock.instant();
    int forwarded = 0;
    int deadLettered = 0;
    String failure = null;
    long unparked = releaseParked(start);
    while (!Thread.currentThread().isInterrupted()) {
      // Claimed, not peeked: another forwarder on the same store sends other messages meanwhile.
      List<OutboxMessage> batch =
          state.claimOutbox(claimOwner, batchSize * batchesInFlight, clock.instant(), claimLease);
      if (batch.isEmpty()) {
        break;
      }
      Map<String, String> dead = new LinkedHashMap<>();
      List<OutboxMessage> rows = new ArrayList<>();
      List<Object> events = new ArrayList<>();
      Instant now = clock.instant();
      for (OutboxMessage m : batch) {
        String expired = expiry(m, now);
        if (expired != null) {
          dead.put(m.id(), expired);
          problem(expired, m.id());
          continue;
        }
        try {
          events.add(outgoing(m.payload()));
          rows.add(m);
        } catch (IllegalArgumentException e) {
          String reason = "unreadable outbox payload: " + e.getMessage();
          dead.put(m.id(), reason);
          problem(reason, m.id());
          counters.rejected.incrementAndGet();
        }
      }
      List<String> accepted = new ArrayList<>();
      Map<String, String> refused = new LinkedHashMap<>();
      String sendFailure = send(events, rows, accepted, refused);
      dead.putAll(refused);
      if (!accepted.isEmpty()) {
        state.acknowledge(accepted);
      }
      if (!dead.isEmpty()) {
        state.deadLetter(dead, clock.instant());
        noteDeadLetters(dead);
      }
      List<String> open = new ArrayList<>();
      for (OutboxMessage m : rows) {
        if (!refused.containsKey(m.id())) {
          open.add(m.id());
        }
      }
      open.removeAll(new HashSet<>(accepted));
      if (!open.isEmpty()) {
        // Unconfirmed rows are sent again; counting the attempt bounds how long one can come back.
        state.countAttempts(open);
      }
      forwarded += accepted.size();
      deadLettered += dead.size();
      counters.forwarded.addAndGet(accepted.size());
      counters.odpRejected.addAndGet(refused.size());
      counters.deadLettered.addAndGet(dead.size());
      if (sendFailure != null) {
        failure = sendFailure;
        break;
      }
      if (accepted.isEmpty() && dead.isEmpty()) {
        failure = "ODP confirmed none of " + batch.size() + " events";
        break;
      }
    }
    Duration retryIn = Duration.ZERO;
    if (failure == null) {
      consecutiveFailures = 0;
      nextAttemptAt = Instant.MIN;
    } else {
      lastFailure = failure;
      consecutiveFailures++;
      retryIn = backoff(consecutiveFailures);
      nextAttemptAt = clock.instant().plus(retryIn);
      log.warn(
          "Currents forwarding to ODP failed ({} in a row), retrying in {} ms: {}",
          consecutiveFailures,
          retryIn.toMillis(),
          failure);
    }
    warnDeadLetters();
    recordActivity(start, failure, forwarded + deadLettered + unparked > 0);
    long remaining = state.outboxSize().messages();
    return new DrainResult(forwarded, deadLettered, failure, remaining, retryIn);
  }

  /**
   * Every {@code parkedCheckInterval}: drops parked events past their age or count bound, and
   * queues those whose user the identity map has learned since (the segment sync writes it), with
   * the identifiers it knows. Queued first, removed second: a crash in between sends an event twice
   * with one idempotence id, never loses it.
   *
   * @return the events queued
   */
  private long releaseParked(Instant now) {
    if (lastParkedCheck != null && now.isBefore(lastParkedCheck.plus(parkedCheckInterval))) {
      return 0;
    }
    lastParkedCheck = now;
    long dropped = state.purgeParked(now.minus(parkedMaxAge), parkedMaxCount);
    if (dropped > 0) {
      counters.parkedDropped.addAndGet(dropped);
      log.warn(
          "Currents: dropped {} parked events whose user the identity map did not learn within {}"
              + " (or beyond {} parked events)",
          dropped,
          parkedMaxAge,
          parkedMaxCount);
    }
    long released = 0;
    while (!Thread.currentThread().isInterrupted()) {
      List<ParkedEvent> matched = state.parkedMatched(batchSize);
      List<OutboxMessage> queue = new ArrayList<>();
      for (ParkedEvent e : matched) {
        Optional<IdentityRecord> who =
            e.brazeId() != null ? state.identityByBrazeId(e.brazeId()) : Optional.empty();
        if (who.isEmpty() && e.externalId() != null) {
          who = state.identityByExternalId(e.externalId());
        }
        if (who.isEmpty() || who.get().identifiers().isEmpty()) {
          continue; // known, but with nothing ODP can use yet: stays parked
        }
        OdpEvent parked;
        try {
          parked = OutboxCodec.decode(e.payload());
        } catch (IllegalArgumentException unreadable) {
          continue; // queued as is, the outbox moves it to the dead letters with the reason
        }
        OdpEvent event =
            new OdpEvent(
                parked.type(),
                parked.action(),
                new TreeMap<>(who.get().identifiers()),
                parked.data(),
                parked.ts(),
                parked.idempotenceId());
        queue.add(new OutboxMessage(e.id(), outboxPayload(event), now));
      }
      if (queue.isEmpty()) {
        break;
      }
      state.enqueue(queue);
      state.removeParked(queue.stream().map(OutboxMessage::id).toList());
      released += queue.size();
      if (queue.size() < matched.size() || matched.size() < batchSize) {
        break;
      }
    }
    counters.unparked.addAndGet(released);
    return released;
  }

  /** Returns why a message is to be given up, or null while it may still be delivered. */
  private String expiry(OutboxMessage m, Instant now) {
    if (m.attempts() >= maxAttempts) {
      return "gave up after "
          + m.attempts()
          + " failed delivery attempts"
          + (lastFailure == null ? "" : "; last failure: " + lastFailure);
    }
    if (m.enqueuedAt().plus(maxAge).isBefore(now)) {
      return "not delivered within " + maxAge + " of being queued at " + m.enqueuedAt();
    }
    return null;
  }

  private void noteDeadLetters(Map<String, String> dead) {
    unwarnedDeadLetters += dead.size();
    for (String reason : dead.values()) {
      if (unwarnedReasons.size() < WARNED_REASONS && !unwarnedReasons.contains(reason)) {
        unwarnedReasons.add(reason);
      }
    }
  }

  /** Logs at most one WARN line per activity window; later moves wait for the next window. */
  private void warnDeadLetters() {
    Instant now = clock.instant();
    if (unwarnedDeadLetters == 0
        || (lastDeadLetterWarning != null
            && now.isBefore(lastDeadLetterWarning.plus(activityWindow)))) {
      return;
    }
    log.warn(
        "Currents: {} events moved to the dead letters (list and replay them with `outbox`);"
            + " first reasons: {}",
        unwarnedDeadLetters,
        String.join(" | ", unwarnedReasons));
    lastDeadLetterWarning = now;
    unwarnedDeadLetters = 0;
    unwarnedReasons.clear();
  }

  /**
   * Sends once (the client has already retried when this reports a failure), splitting requests ODP
   * refuses as a whole until each refusal names one event. Fills {@code accepted} with the ids ODP
   * took and {@code refused} with those it refused, and their reasons. Each of {@code events} is an
   * {@link OdpEvent} or, when the gateway sends encoded rows, its row; a list holds one kind only,
   * as {@link #outgoing} made it.
   *
   * @return why sending stopped early, or null
   */
  private String send(
      List<Object> events,
      List<OutboxMessage> rows,
      List<String> accepted,
      Map<String, String> refused) {
    if (events.isEmpty()) {
      return null;
    }
    try {
      BatchResult result =
          events.get(0) instanceof byte[]
              ? odp.sendEncodedEvents(events.stream().map(byte[].class::cast).toList())
              : odp.sendEvents(events.stream().map(OdpEvent.class::cast).toList());
      lastOdpContact = clock.instant();
      counters.odpCalls.addAndGet(Math.max(1, result.requestCount()));
      String whole = wholeRefusal(result);
      if (whole != null) {
        return isolate(events, rows, whole, accepted, refused);
      }
      sort(result, rows, accepted, refused);
      return null;
    } catch (OdpException e) {
      counters.odpCalls.incrementAndGet();
      if (e instanceof OdpApiException) {
        lastOdpContact = clock.instant();
      }
      if (e instanceof OdpApiException api && WHOLE_REQUEST_REFUSALS.contains(api.status())) {
        String reason = api.detail() != null ? api.detail() : api.getMessage();
        return isolate(events, rows, "HTTP " + api.status() + ": " + reason, accepted, refused);
      }
      e.partialResult().ifPresent(r -> sort(r, rows, accepted, refused));
      return e.getMessage();
    } catch (IllegalArgumentException e) {
      // The client refused a row before sending anything. The transformer keeps ODP's rules, so
      // this is unexpected; isolate the row rather than block the outbox behind it.
      return isolate(events, rows, "ODP client refused it: " + e.getMessage(), accepted, refused);
    } catch (RuntimeException e) {
      counters.odpCalls.incrementAndGet();
      return e.toString();
    }
  }

  /** Resends the two halves of a refused request; a single event is refused for good. */
  private String isolate(
      List<Object> events,
      List<OutboxMessage> rows,
      String reason,
      List<String> accepted,
      Map<String, String> refused) {
    if (events.size() == 1) {
      String id = rows.get(0).id();
      refused.put(id, "ODP refused the event: " + reason);
      problem("ODP refused the event: " + reason, id);
      return null;
    }
    int mid = events.size() / 2;
    String failure = send(events.subList(0, mid), rows.subList(0, mid), accepted, refused);
    if (failure != null) {
      return failure;
    }
    return send(
        events.subList(mid, events.size()), rows.subList(mid, rows.size()), accepted, refused);
  }

  /**
   * Returns the shared reason when a result of several rows refuses every one of them with the same
   * reason, which is how the client reports a whole-request 400 that named no event; null
   * otherwise.
   */
  private static String wholeRefusal(BatchResult result) {
    if (result.size() < 2
        || result.count(RowStatus.REJECTED) != result.size()
        || result.errors().isEmpty()) {
      return null;
    }
    RowError first = result.errors().get(0);
    for (RowError e : result.errors()) {
      if (!Objects.equals(e.field(), first.field())
          || !Objects.equals(e.message(), first.message())) {
        return null;
      }
    }
    return describe(first);
  }

  private static String describe(RowError error) {
    if (error == null) {
      return "no reason given";
    }
    String message = String.valueOf(error.message());
    // ODP's messages often start with the field already.
    return error.field() == null || message.startsWith(error.field() + ":")
        ? message
        : error.field() + ": " + message;
  }

  private void sort(
      BatchResult result,
      List<OutboxMessage> rows,
      List<String> accepted,
      Map<String, String> refused) {
    Map<Integer, RowError> errors = new HashMap<>();
    for (RowError e : result.errors()) {
      errors.putIfAbsent(e.index(), e);
    }
    for (int i = 0; i < result.size() && i < rows.size(); i++) {
      RowStatus status = result.status(i);
      if (status == RowStatus.ACCEPTED) {
        accepted.add(rows.get(i).id());
      } else if (status == RowStatus.REJECTED) {
        String reason = "ODP refused the event: " + describe(errors.get(i));
        refused.put(rows.get(i).id(), reason);
        problem(reason, rows.get(i).id());
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
            .other("dead_lettered", d.deadLettered())
            .other("parked", d.parked())
            .other("unparked", d.unparked())
            .other("parked_dropped", d.parkedDropped())
            .other("truncated_fields", d.truncatedFields())
            .other("refused_batches", d.refusedBatches())
            .other("unauthorized", d.unauthorized())
            .build();
    ActivityRecord.Status status =
        failure != null
            ? (d.forwarded() == 0 ? ActivityRecord.Status.FAILED : ActivityRecord.Status.PARTIAL)
            : d.rejected() + d.odpRejected() + d.deadLettered() + d.unmatched() > 0
                    || windowFailedCycles > 0
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
          Thread t = ownThread;
          if (t != null && t != Thread.currentThread()) {
            t.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())) + 1);
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
    private String claimOwner = "currents-forwarder";
    private Duration claimLease = Duration.ofMinutes(1);
    private int batchesInFlight = DEFAULT_BATCHES_IN_FLIGHT;
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(5);
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService executor;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration activityWindow = Duration.ofMinutes(1);
    private Duration maxAge = Duration.ofDays(7);
    private int maxAttempts = 100;
    private Duration parkedMaxAge = Duration.ofDays(7);
    private long parkedMaxCount = 1_000_000;
    private Duration parkedCheckInterval = Duration.ofMinutes(1);

    private Builder() {}

    /**
     * Sets how long, and how many, unmatched events stay parked waiting for the identity map to
     * learn their user (defaults 7 days and 1,000,000); older ones, then the oldest beyond the
     * count, are dropped, counted and logged.
     *
     * @param age at least 1 ms
     * @param count zero or more
     * @return this builder
     */
    public Builder parking(Duration age, long count) {
      this.parkedMaxAge = positive(age, "parked max age");
      if (count < 0) {
        throw new IllegalArgumentException("parked max count must not be negative, was " + count);
      }
      this.parkedMaxCount = count;
      return this;
    }

    /**
     * Sets how often cycles look for parked events whose user was learned (default 1 min; each look
     * reads every parked event's ids against the identity map). Zero looks every cycle.
     *
     * @param interval zero or more
     * @return this builder
     */
    public Builder parkedCheckInterval(Duration interval) {
      Objects.requireNonNull(interval, "parkedCheckInterval");
      if (interval.isNegative()) {
        throw new IllegalArgumentException(
            "parkedCheckInterval must not be negative, was " + interval);
      }
      this.parkedCheckInterval = interval;
      return this;
    }

    /**
     * Sets how long an event may wait in the outbox before it moves to the dead letters (default 7
     * days, ODP's idempotence window, after which a resend could be a duplicate).
     *
     * @param age at least 1 ms
     * @return this builder
     */
    public Builder maxAge(Duration age) {
      this.maxAge = positive(age, "maxAge");
      return this;
    }

    /**
     * Sets after how many failed delivery attempts an event moves to the dead letters (default 100,
     * about eight hours of a failing ODP at the longest backoff).
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
     * Sets who this forwarder claims outbox messages as, and for how long a claim lasts (defaults
     * {@code "currents-forwarder"} and 1 min). Forwarders sharing one store (PostgreSQL) need
     * distinct owners; a restart under the same owner resends its messages in flight at once, under
     * another owner after the lease. The lease must outlast one request to ODP with its retries.
     *
     * @param owner a non-blank name, unique among the forwarders of one store
     * @param lease at least 1 ms
     * @return this builder
     */
    public Builder claims(String owner, Duration lease) {
      Objects.requireNonNull(owner, "claim owner");
      if (owner.isBlank()) {
        throw new IllegalArgumentException("claim owner must not be blank, was '" + owner + "'");
      }
      this.claimOwner = owner;
      this.claimLease = positive(lease, "claim lease");
      return this;
    }

    /**
     * Sets how many batches of {@link #batchSize} one cycle reads and sends at once (default
     * {@value CurrentsForwarder#DEFAULT_BATCHES_IN_FLIGHT}): the ODP client sends them as requests
     * in flight together (up to its {@code BatchSettings.maxInFlight}), so the forwarder does not
     * wait a round trip per batch, and one commit acknowledges them all. It is also the crash
     * bound: a crash while they are in flight sends at most these events again, with the same
     * idempotence ids.
     *
     * @param batches from 1 to 64
     * @return this builder
     */
    public Builder batchesInFlight(int batches) {
      if (batches < 1 || batches > 64) {
        throw new IllegalArgumentException(
            "batchesInFlight must be between 1 and 64, was " + batches);
      }
      this.batchesInFlight = batches;
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
