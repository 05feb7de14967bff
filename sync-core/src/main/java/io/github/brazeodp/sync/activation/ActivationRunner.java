package io.github.brazeodp.sync.activation;

import io.github.brazeodp.braze.BrazeException;
import io.github.brazeodp.odp.OdpException;
import io.github.brazeodp.sync.RunLock;
import io.github.brazeodp.sync.RunStats;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.port.BrazeGateway;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.LedgerEntry;
import io.github.brazeodp.sync.state.LedgerState;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs occurrences of segment-enrolled activations: stream the members, render each, send in
 * batches, and keep campaign and Canvas sends at most once through the activation ledger.
 *
 * <p>Follows Flow 3 of the integration model. Members come from ODP's segment-member export ({@link
 * MemberSource#odp}) unless the host plugs in its own {@link MemberSource}. Before each run the
 * activation is checked against the ODP customer schema (when an ODP gateway is set). Each campaign
 * or Canvas batch (at most 50 recipients) is recorded {@code PENDING} in the ledger before the call
 * and {@code SENT}, {@code FAILED} or {@code UNKNOWN} after it; customers already sent, pending or
 * unknown in the same occurrence are skipped, so rerunning an occurrence never messages anyone
 * twice. Pending entries found at the start of a run were left by a crash: they become {@code
 * UNKNOWN} and are reported, never resent. Profile-only activations write attributes through {@code
 * /users/track} in batches of the client's track limit without the ledger, since those writes are
 * idempotent. Pacing under Braze's rate limits is the client's job.
 *
 * <p>Every run writes one activity record ({@link ActivityRecord.Flow#ACTIVATION}) and returns a
 * {@link SyncReport}; the activation-specific counts are named in {@link ActivationCounts}. A run
 * that must stop for a configuration problem (unknown campaign, fields unknown to ODP, refused API
 * key) throws {@link ActivationException} carrying that report.
 *
 * <pre>{@code
 * ActivationRunner runner = ActivationRunner.builder()
 *     .braze(brazeGateway).odp(odpGateway).state(store).build();
 * SyncReport report = runner.run(activation, "2025-03-30T07:00:00Z");
 * }</pre>
 */
public final class ActivationRunner {
  static final int MAX_LISTED_UNKNOWN = 20;

  private final BrazeGateway braze;
  private final OdpGateway odp;
  private final MemberSource members;
  private final boolean membersFromOdp;
  private final SyncStateStore state;
  private final Clock clock;

  private ActivationRunner(Builder b) {
    this.braze = Objects.requireNonNull(b.braze, "braze");
    this.state = Objects.requireNonNull(b.state, "state");
    this.odp = b.odp;
    if (b.members == null && b.odp == null) {
      throw new IllegalArgumentException(
          "activation runner: set odp(...) or members(...) so segment runs have members");
    }
    this.membersFromOdp = b.members == null;
    this.members = b.members != null ? b.members : MemberSource.odp(b.odp);
    this.clock = b.clock;
  }

  /**
   * Returns a builder; braze, state and either odp or members are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs one occurrence of a segment-enrolled activation and records an activity record.
   *
   * @param activation the activation (segment enrollment)
   * @param occurrence the occurrence id; the same id is the same send (use {@link
   *     Schedule#occurrenceId} for scheduled runs)
   * @return the report of the run
   * @throws ActivationException when the run stops on a configuration problem
   * @throws IllegalArgumentException when the activation is event-enrolled
   * @throws io.github.brazeodp.sync.RunLockedException when another run of the activation holds its
   *     run lock ({@value ActivationScheduler#SCOPE_PREFIX} and the name); nothing was sent
   */
  public SyncReport run(Activation activation, String occurrence) {
    return execute(activation, occurrence, false, List.of());
  }

  /**
   * Renders and counts one occurrence like {@link #run}, without calling Braze and without writing
   * the ledger or the activity log.
   *
   * @param activation the activation (segment enrollment)
   * @param occurrence the occurrence id
   * @return the report; {@code sent} counts who would be sent
   */
  public SyncReport dryRun(Activation activation, String occurrence) {
    return execute(activation, occurrence, true, List.of());
  }

  /**
   * Lists the customers of an occurrence whose send has an unknown or pending outcome, for a person
   * to check in Braze and resolve.
   *
   * @param activation the activation
   * @param occurrence the occurrence id
   * @return the ledger entries, ordered by customer
   */
  public List<LedgerEntry> unresolved(Activation activation, String occurrence) {
    return state.ledgerEntries(
        activation.name(), occurrence, Set.of(LedgerState.UNKNOWN, LedgerState.PENDING));
  }

  BrazeGateway braze() {
    return braze;
  }

  SyncStateStore state() {
    return state;
  }

  Clock clock() {
    return clock;
  }

  SyncReport execute(
      Activation activation, String occurrence, boolean dry, List<String> extraNotes) {
    Objects.requireNonNull(activation, "activation");
    if (dry) {
      return executeLocked(activation, occurrence, true, extraNotes);
    }
    // One run per activation at a time, across processes: a second run would turn the first
    // one's pending sends into unknown ones, and both would read the same caps.
    try (RunLock lock =
        RunLock.builder(state)
            .scopes(List.of(ActivationScheduler.SCOPE_PREFIX + activation.name()))
            .clock(clock)
            .acquire()) {
      return executeLocked(activation, occurrence, false, extraNotes);
    }
  }

  private SyncReport executeLocked(
      Activation activation, String occurrence, boolean dry, List<String> extraNotes) {
    Objects.requireNonNull(occurrence, "occurrence");
    String segment =
        activation
            .segment()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "activation "
                            + activation.name()
                            + " is event-enrolled: feed its events to an EventActivation"));
    if (occurrence.isBlank()) {
      throw new IllegalArgumentException("occurrence is blank");
    }
    Instant start = clock.instant();
    RunStats stats = new RunStats();
    extraNotes.forEach(stats::note);
    stats.note("occurrence " + occurrence + " of segment " + segment);
    if (dry) {
      stats.note("dry run: nothing was sent to Braze or written to the ledger");
    }
    try {
      if (odp != null) {
        stats.odpCall();
        activation.validate(odp.customerFields());
      }
    } catch (IllegalArgumentException | OdpException e) {
      throw stop(activation, start, stats, dry, "cannot start: " + e.getMessage(), e);
    }
    boolean messages = activation.touchpoint().sendsMessages();
    if (messages && !dry) {
      long recovered =
          state.pendingToUnknown(
              activation.name(),
              occurrence,
              "an earlier run stopped before Braze's answer was recorded",
              clock.instant());
      if (recovered > 0) {
        stats.count(ActivationCounts.RECOVERED_AS_UNKNOWN, recovered);
        stats.note(
            recovered
                + " customers were pending from an interrupted run of this occurrence: they may"
                + " have been sent, are now marked unknown and are not resent");
      }
    }
    Dispatcher dispatcher = new Dispatcher(activation, braze, state, clock, stats, dry);
    Optional<Dispatcher.Halt> halt = Optional.empty();
    int batchSize = dispatcher.batchSize();
    if (membersFromOdp) {
      stats.odpCall();
    }
    try (Stream<Map<String, String>> stream =
        members.members(segment, activation.requiredFields())) {
      Iterator<Map<String, String>> it = stream.iterator();
      List<Dispatcher.Item> batch = new ArrayList<>(batchSize);
      long row = 0;
      while (it.hasNext() && halt.isEmpty()) {
        Map<String, String> member = it.next();
        row++;
        stats.read(1);
        Activation.Rendered rendered = activation.render(member::get);
        if (rendered.unmatched()) {
          stats.unmatched("member #" + row);
          continue;
        }
        stats.matched(1);
        if (rendered.rejection() != null) {
          stats.rejected(rendered.rejection(), rendered.key());
          continue;
        }
        batch.add(new Dispatcher.Item(occurrence, rendered, "member #" + row));
        if (batch.size() == batchSize) {
          halt = dispatcher.send(batch);
          batch = new ArrayList<>(batchSize);
        }
      }
      if (halt.isEmpty()) {
        halt = dispatcher.send(batch);
      }
    } catch (OdpException | BrazeException | UncheckedIOException e) {
      // Reading members failed (Braze failures of a send are answers the dispatcher handles).
      throw stop(activation, start, stats, dry, "reading the members failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw stop(activation, start, stats, dry, "the run failed: " + e, e);
    }
    if (halt.isPresent() && halt.get().fatal()) {
      throw stop(activation, start, stats, dry, halt.get().message(), halt.get().cause());
    }
    halt.ifPresent(h -> stats.note(h.message()));
    if (messages && !dry) {
      listUnknown(activation, occurrence, stats);
    }
    return finish(activation, start, stats, dry, status(stats.counts(), halt.isPresent()));
  }

  private void listUnknown(Activation activation, String occurrence, RunStats stats) {
    List<LedgerEntry> unknown =
        state.ledgerEntries(activation.name(), occurrence, Set.of(LedgerState.UNKNOWN));
    if (unknown.isEmpty()) {
      return;
    }
    List<String> keys =
        unknown.stream().limit(MAX_LISTED_UNKNOWN).map(LedgerEntry::customer).toList();
    stats.note(
        unknown.size()
            + " customers of occurrence "
            + occurrence
            + " have an unknown outcome and will not be resent automatically; check Braze and"
            + " resolve them with markOutcome: "
            + keys
            + (unknown.size() > keys.size() ? " ..." : ""));
  }

  static ActivityRecord.Status status(ActivityCounts c, boolean stopped) {
    if (stopped) {
      return ActivityRecord.Status.FAILED;
    }
    long problems =
        c.rejected()
            + c.other().getOrDefault(ActivationCounts.UNKNOWN_OUTCOME, 0L)
            + c.other().getOrDefault(ActivationCounts.RECOVERED_AS_UNKNOWN, 0L)
            + c.other().getOrDefault(ActivationCounts.SKIPPED_UNKNOWN, 0L)
            + c.other().getOrDefault(ActivationCounts.RATE_LIMITED, 0L)
            + c.other().getOrDefault(ActivationCounts.NOT_SENT, 0L);
    return problems > 0 ? ActivityRecord.Status.PARTIAL : ActivityRecord.Status.SUCCEEDED;
  }

  private ActivationException stop(
      Activation activation,
      Instant start,
      RunStats stats,
      boolean dry,
      String message,
      Throwable cause) {
    String full = "activation " + activation.name() + ": " + message;
    stats.note(full);
    SyncReport report = finish(activation, start, stats, dry, ActivityRecord.Status.FAILED);
    return new ActivationException(full, report, cause);
  }

  SyncReport finish(
      Activation activation,
      Instant start,
      RunStats stats,
      boolean dry,
      ActivityRecord.Status status) {
    ActivityRecord record =
        new ActivityRecord(
            UUID.randomUUID().toString(),
            ActivityRecord.CATEGORY_BRAZE,
            ActivityRecord.Flow.ACTIVATION,
            activation.name(),
            start,
            clock.instant(),
            status,
            stats.counts(),
            stats.rejections());
    if (!dry) {
      state.appendActivity(record);
    }
    return new SyncReport(record, dry, stats.unmatchedIds(), stats.notes());
  }

  /** Builds an {@link ActivationRunner}. */
  public static final class Builder {
    private BrazeGateway braze;
    private OdpGateway odp;
    private MemberSource members;
    private SyncStateStore state;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets the Braze side (required).
     *
     * @param braze the gateway
     * @return this builder
     */
    public Builder braze(BrazeGateway braze) {
      this.braze = Objects.requireNonNull(braze, "braze");
      return this;
    }

    /**
     * Sets the ODP side: the schema check before each run and, unless {@link #members} is set, the
     * segment-member export.
     *
     * @param odp the gateway
     * @return this builder
     */
    public Builder odp(OdpGateway odp) {
      this.odp = Objects.requireNonNull(odp, "odp");
      return this;
    }

    /**
     * Sets a host-supplied member source instead of ODP's segment-member export.
     *
     * @param members the source
     * @return this builder
     */
    public Builder members(MemberSource members) {
      this.members = Objects.requireNonNull(members, "members");
      return this;
    }

    /**
     * Sets the state store holding the ledger and the activity log (required).
     *
     * @param state the store
     * @return this builder
     */
    public Builder state(SyncStateStore state) {
      this.state = Objects.requireNonNull(state, "state");
      return this;
    }

    /**
     * Sets the clock (ledger times, caps, activity records); default the system UTC clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the runner.
     *
     * @return the runner
     */
    public ActivationRunner build() {
      return new ActivationRunner(this);
    }
  }
}
