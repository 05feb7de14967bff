package io.github.brazeodp.sync.activation;

import io.github.brazeodp.odp.ExportFilter;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpException;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.port.OdpEventExport;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.Checkpoint;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Feeds an {@link EventActivation} from ODP itself: each {@linkplain #poll() poll window} exports
 * the activation's events (type and action pushed into ODP's export filter, the full {@link
 * EventFilter} applied here) whose {@code ts} lies after the stored watermark, feeds each one to
 * the activation once, flushes it, and only then commits the new watermark.
 *
 * <p>Late events: each window reaches back {@linkplain Builder#overlap overlap} before the
 * watermark, so an event ODP ingests after a window has passed its {@code ts} is still read; the
 * ids of events already fed within the overlap are remembered with the watermark, so none is fed
 * twice. Events with equal {@code ts} on a window boundary are told apart by id the same way.
 *
 * <p>Crashes: the watermark and the remembered ids are written after the activation has flushed, so
 * a crash between feeding and committing re-reads the whole window and never skips an event; the
 * activation's ledger (and the custom-event ledger) keeps what was already sent from going out
 * again. A window that fails (export error, timeout, a Braze failure that stops the flush) commits
 * nothing, and the next window retries it.
 *
 * <p>Freshness: an event reaches Braze at most one {@linkplain Builder#interval interval} plus
 * ODP's export time after ODP has it. {@link Window#lag()} reports now minus the newest event fed.
 *
 * <p>State lives in the store as the checkpoint {@code event-source:<activation>} (attributes
 * {@code watermark} and {@code seen.<id>}), so it works with both stores without a schema change.
 * Not thread-safe: run one window at a time per activation.
 */
public final class OdpEventSource {
  /** The checkpoint scope prefix; the activation name follows. */
  public static final String SCOPE_PREFIX = "event-source:";

  /** The default poll interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

  /** The default reach back before the watermark for late events. */
  public static final Duration DEFAULT_OVERLAP = Duration.ofMinutes(10);

  private static final String WATERMARK = "watermark";
  private static final String SEEN = "seen.";
  private static final Set<String> BUILT_IN =
      Set.of(
          OdpEventExport.EVENT_TYPE,
          OdpEventExport.ACTION,
          OdpEventExport.TS,
          OdpEventExport.IDEMPOTENCE_ID);

  private final EventActivation target;
  private final Activation activation;
  private final OdpEventExport odp;
  private final SyncStateStore state;
  private final Clock clock;
  private final Duration interval;
  private final Duration overlap;
  private final Set<String> identifiers;

  private OdpEventSource(Builder b) {
    this.target = b.target;
    this.activation = b.target.activation();
    this.odp = b.odp;
    this.state = b.target.state();
    this.clock = b.target.clock();
    this.interval = b.interval;
    this.overlap = b.overlap;
    Set<String> ids = new LinkedHashSet<>(b.identifiers);
    ids.add(activation.target().field());
    this.identifiers = Set.copyOf(ids);
  }

  /**
   * Starts a source that feeds {@code target} from {@code odp}.
   *
   * @param target the event activation to feed; its runner's state store and clock are used
   * @param odp the ODP events export
   * @return a builder
   */
  public static Builder builder(EventActivation target, OdpEventExport odp) {
    return new Builder(target, odp);
  }

  /**
   * Returns the poll interval.
   *
   * @return the interval
   */
  public Duration interval() {
    return interval;
  }

  /**
   * Returns the stored watermark: the {@code ts} of the newest event fed so far.
   *
   * @return the watermark, or empty before the first window
   */
  public Optional<Instant> watermark() {
    return state.checkpoint(scope()).map(c -> c.attributes().get(WATERMARK)).map(Instant::parse);
  }

  /**
   * Polls one window after the stored watermark (less the overlap); the first window reaches back
   * one interval.
   *
   * @return what the window did
   * @throws EventSourceException when the export fails or times out, or the watermark is in the
   *     future; nothing is committed
   * @throws IllegalArgumentException when the filter or a template names a field ODP's events do
   *     not have
   * @throws ActivationException when Braze refuses the touchpoint (as for {@link EventActivation})
   */
  public Window poll() {
    return window(null);
  }

  /**
   * Polls one window from {@code since} (inclusive) by hand, e.g. to replay a period; events the
   * source already fed inside the overlap are still skipped, and sends stay guarded by the ledger.
   *
   * @param since the earliest {@code ts} to read
   * @return what the window did
   * @throws EventSourceException as for {@link #poll()}, or when {@code since} is in the future
   */
  public Window poll(Instant since) {
    return window(Objects.requireNonNull(since, "since"));
  }

  private Window window(Instant since) {
    String name = activation.name();
    Instant now = clock.instant();
    Optional<Checkpoint> cursor = state.checkpoint(scope());
    Instant watermark =
        cursor.map(c -> c.attributes().get(WATERMARK)).map(Instant::parse).orElse(null);
    if (watermark != null && watermark.isAfter(now)) {
      throw new EventSourceException(
          name,
          "activation "
              + name
              + ": the stored event watermark "
              + watermark
              + " is in the future (now "
              + now
              + "); check the clock, or reset the source with a --since run after fixing it."
              + " Nothing was polled.",
          null);
    }
    if (since != null && since.isAfter(now)) {
      throw new EventSourceException(
          name,
          "activation " + name + ": --since " + since + " is in the future (now " + now + ")",
          null);
    }
    activation.validateEvents(odp.eventFields());
    Instant from =
        since != null ? since : watermark == null ? now.minus(interval) : watermark.minus(overlap);
    if (watermark == null && since == null) {
      // The very first window: its start is stored before reading, so that if it fails the
      // next window starts here too instead of one interval after it, skipping events.
      Checkpoint start =
          Checkpoint.builder("event-source").attribute(WATERMARK, from.toString()).build();
      state.transaction(tx -> tx.putCheckpoint(scope(), start));
    }
    Map<String, Long> seen = new HashMap<>();
    cursor.ifPresent(
        c ->
            c.attributes()
                .forEach(
                    (k, v) -> {
                      if (k.startsWith(SEEN)) {
                        seen.put(k.substring(SEEN.length()), Long.parseLong(v));
                      }
                    }));
    EventFilter filter = activation.eventFilter().orElseThrow();
    List<ExportFilter> clauses = new ArrayList<>();
    clauses.add(
        ExportFilter.clause(
            OdpEventExport.EVENT_TYPE, ExportFilter.Operator.EQUALS, filter.type()));
    if (filter.action() != null) {
      clauses.add(
          ExportFilter.clause(
              OdpEventExport.ACTION, ExportFilter.Operator.EQUALS, filter.action()));
    }
    clauses.add(
        ExportFilter.clause(
            OdpEventExport.TS, ExportFilter.Operator.GREATER_THAN_OR_EQUAL, from.getEpochSecond()));
    // Not beyond now: an event stamped in the future would drag the watermark past the clock.
    clauses.add(
        ExportFilter.clause(
            OdpEventExport.TS, ExportFilter.Operator.LESS_THAN_OR_EQUAL, now.getEpochSecond()));
    long read = 0;
    long alreadyFed = 0;
    long fed = 0;
    Instant newest = null;
    Map<String, Long> fedNow = new LinkedHashMap<>();
    target.holdReports(true);
    try (Stream<ExportRow> rows = odp.exportEvents(new ExportFilter.And(clauses), List.of("*"))) {
      for (ExportRow row : (Iterable<ExportRow>) rows::iterator) {
        read++;
        OdpEvent event = toEvent(row);
        long ts = event.ts().getEpochSecond();
        if (seen.containsKey(event.idempotenceId()) || fedNow.containsKey(event.idempotenceId())) {
          alreadyFed++;
          continue;
        }
        target.onEvent(event);
        fed++;
        fedNow.put(event.idempotenceId(), ts);
        if (newest == null || event.ts().isAfter(newest)) {
          newest = event.ts();
        }
      }
    } catch (OdpException e) {
      throw new EventSourceException(
          name,
          "activation "
              + name
              + ": reading ODP events from "
              + from
              + " failed, nothing committed; the next window retries: "
              + e.getMessage(),
          e);
    } finally {
      target.holdReports(false);
    }
    Duration lag = newest == null ? null : Duration.between(newest, now);
    target.count(ActivationCounts.EVENTS_READ, read);
    target.count(ActivationCounts.EVENTS_ALREADY_FED, alreadyFed);
    target.note(
        "window "
            + from
            + " .. "
            + now
            + ": read "
            + read
            + ", already fed "
            + alreadyFed
            + (lag == null ? "" : ", lag " + lag));
    SyncReport report = target.flush();
    if (report.status() == ActivityRecord.Status.FAILED) {
      // The flush stopped (e.g. Braze kept answering 429): leave the window to be read again.
      return new Window(from, now, read, alreadyFed, fed, lag, watermark, report, false);
    }
    Instant committed = watermark;
    if (newest != null && (committed == null || newest.isAfter(committed))) {
      committed = newest;
    }
    if (committed == null) {
      // Nothing ever fed: start the next window where this one started, not further back.
      committed = from;
    }
    long keepFrom = committed.minus(overlap).getEpochSecond();
    Map<String, String> attributes = new TreeMap<>();
    attributes.put(WATERMARK, committed.toString());
    seen.putAll(fedNow);
    seen.forEach(
        (id, ts) -> {
          if (ts >= keepFrom) {
            attributes.put(SEEN + id, Long.toString(ts));
          }
        });
    Checkpoint next = Checkpoint.builder("event-source").attributes(attributes).build();
    Instant at = now;
    state.transaction(
        tx -> {
          tx.putCheckpoint(scope(), next);
          tx.putLastSuccess(scope(), at);
        });
    return new Window(from, now, read, alreadyFed, fed, lag, committed, report, true);
  }

  private String scope() {
    return SCOPE_PREFIX + activation.name();
  }

  private OdpEvent toEvent(ExportRow row) {
    Map<String, String> values = row.values();
    String type = values.get(OdpEventExport.EVENT_TYPE);
    String action = values.get(OdpEventExport.ACTION);
    OdpEvent.Builder b = OdpEvent.builder(type, action == null || action.isEmpty() ? null : action);
    b.ts(ts(values.get(OdpEventExport.TS), row));
    String id = values.get(OdpEventExport.IDEMPOTENCE_ID);
    if (id == null || id.isEmpty()) {
      // No id from ODP: derive a stable one from the row, so a re-read is recognised.
      id =
          "row-"
              + UUID.nameUUIDFromBytes(
                  new TreeMap<>(values).toString().getBytes(StandardCharsets.UTF_8));
    }
    b.idempotenceId(id);
    values.forEach(
        (k, v) -> {
          if (v == null || v.isEmpty() || BUILT_IN.contains(k)) {
            return;
          }
          if (identifiers.contains(k)) {
            b.identifier(k, v);
          } else {
            b.data(k, v);
          }
        });
    return b.build();
  }

  private Instant ts(String text, ExportRow row) {
    if (text == null || text.isEmpty()) {
      throw new EventSourceException(
          activation.name(),
          "activation "
              + activation.name()
              + ": ODP event row "
              + row.rowNumber()
              + " of file "
              + row.fileIndex()
              + " has no ts",
          null);
    }
    try {
      if (text.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Instant.ofEpochSecond(Long.parseLong(text));
      }
      return OffsetDateTime.parse(text).toInstant();
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new EventSourceException(
          activation.name(),
          "activation " + activation.name() + ": ODP event ts \"" + text + "\" is not a time",
          e);
    }
  }

  @Override
  public String toString() {
    return "OdpEventSource{" + activation.name() + ", every " + interval + "}";
  }

  /**
   * What one poll window did.
   *
   * @param from the earliest {@code ts} read (inclusive)
   * @param to the latest {@code ts} read (inclusive): the time of the poll
   * @param read events the export returned
   * @param alreadyFed events skipped because an earlier window fed them
   * @param fed events given to the activation (which counts matched, skipped by rules, sent)
   * @param lag now minus the newest event fed, or null when none was fed
   * @param watermark the watermark after the window (committed or not)
   * @param report the activation's report of the window's flush
   * @param committed false when the flush failed and the window will be read again
   */
  public record Window(
      Instant from,
      Instant to,
      long read,
      long alreadyFed,
      long fed,
      Duration lag,
      Instant watermark,
      SyncReport report,
      boolean committed) {}

  /** Builds an {@link OdpEventSource}. */
  public static final class Builder {
    private final EventActivation target;
    private final OdpEventExport odp;
    private Duration interval = DEFAULT_INTERVAL;
    private Duration overlap = DEFAULT_OVERLAP;
    private Set<String> identifiers = Set.of("email", "phone", "vuid", "zaius_id");

    private Builder(EventActivation target, OdpEventExport odp) {
      this.target = Objects.requireNonNull(target, "target");
      this.odp = Objects.requireNonNull(odp, "odp");
    }

    /**
     * Sets the poll interval (default 5 minutes); also how far back the first window reaches.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException(
            "activation "
                + target.activation().name()
                + ": interval must be positive, was "
                + interval);
      }
      this.interval = interval;
      return this;
    }

    /**
     * Sets how far before the watermark each window reaches for late events (default 10 minutes).
     *
     * @param overlap zero or positive
     * @return this builder
     */
    public Builder overlap(Duration overlap) {
      Objects.requireNonNull(overlap, "overlap");
      if (overlap.isNegative()) {
        throw new IllegalArgumentException(
            "activation "
                + target.activation().name()
                + ": overlap must not be negative, was "
                + overlap);
      }
      this.overlap = overlap;
      return this;
    }

    /**
     * Sets which exported columns are identifiers rather than data (default ODP's {@code email},
     * {@code phone}, {@code vuid}, {@code zaius_id}; the target identifier's field is always one).
     *
     * @param names identifier field names
     * @return this builder
     */
    public Builder identifiers(Set<String> names) {
      this.identifiers = Set.copyOf(Objects.requireNonNull(names, "identifiers"));
      return this;
    }

    /**
     * Builds the source.
     *
     * @return the source
     */
    public OdpEventSource build() {
      return new OdpEventSource(this);
    }
  }
}
