package io.github.brazeodp.sync.segments;

import io.github.brazeodp.braze.BrazeException;
import io.github.brazeodp.braze.BrazeExportException;
import io.github.brazeodp.braze.ExportLine;
import io.github.brazeodp.braze.ExportPosition;
import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.braze.Sleeper;
import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpException;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.RowError;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.RunLock;
import io.github.brazeodp.sync.RunLockedException;
import io.github.brazeodp.sync.RunStats;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.adapter.RequestCounter;
import io.github.brazeodp.sync.internal.Futures;
import io.github.brazeodp.sync.internal.Hashes;
import io.github.brazeodp.sync.internal.SegmentEvents;
import io.github.brazeodp.sync.mapping.CustomerSchema;
import io.github.brazeodp.sync.mapping.FieldKind;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.mapping.MappedCustomer;
import io.github.brazeodp.sync.mapping.MappingException;
import io.github.brazeodp.sync.mapping.ValidationResult;
import io.github.brazeodp.sync.port.BrazeGateway;
import io.github.brazeodp.sync.port.ExportHandle;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.ActivityRecord.Status;
import io.github.brazeodp.sync.state.Checkpoint;
import io.github.brazeodp.sync.state.IdentityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The nightly Braze → ODP segment sync: export the selected segments, map each user, upsert what
 * changed, and carry segment membership and custom events over as ODP events.
 *
 * <p>Follows Flow 1 of the integration model. Each segment is exported (at most {@code
 * concurrentExports} at once), streamed, mapped and diffed against the hashes of the last accepted
 * upsert; changed users are upserted in batches while reading goes on (a bounded number of batches
 * in flight). After ODP accepts a batch, its hashes, identities, staged members and the archive
 * position are committed in one transaction, so a crash resends at most the batches in flight and a
 * rerun within the export URL's lifetime resumes where it stopped. Membership events are computed
 * only from a complete export: an export with unreadable lines leaves membership and the
 * custom-event watermark as they were. A user in several selected segments is upserted, counted and
 * given its custom events once per run. A run holds the {@link RunLock} of every selected segment's
 * scope ({@code segment-sync/<id>}), so a second run on the same state refuses (or waits) instead
 * of resuming the first one's checkpoint.
 *
 * <pre>{@code
 * SyncReport report = SegmentSync.builder()
 *     .braze(brazeGateway).odp(odpGateway).state(store)
 *     .selection(Selection.segments("Gold members"))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class SegmentSync {
  static final String HASHES = "profile";
  static final String SCOPE_PREFIX = "segment-sync/";
  private static final String FILE_INDEX = "fileIndex";
  // Unreadable lines before the checkpoint, so that a resumed export still counts as incomplete.
  private static final String MALFORMED = "malformedLines";
  // Bumped when the way a line becomes a profile changes in code, so stored line digests retire.
  private static final String LINE_DIGEST_VERSION = "export-line-1";
  // A stored hash is the profile hash, then optionally ':' and the digest of the export line it
  // came from (16 hex digits); without the digest the next run parses the line again.
  static final int PROFILE_HASH_LENGTH = 32;
  // Batches that a few changed users may wait for before their rows go out in one request.
  private static final int HOLD_BATCHES = 20;
  // Up to this many users of a batch are looked up on the segment thread itself.
  private static final int INLINE_LOOK_UPS = 16;
  static final char LINE_SEPARATOR = ':';
  private static final HexFormat HEX = HexFormat.of();

  /** How often a checkpoint that only moves the export position is written, by default. */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(5);

  /** The name under {@code ActivityCounts.other()} of custom events ODP accepted. */
  public static final String CUSTOM_EVENTS = "customEvents";

  /** The name under {@code ActivityCounts.other()} of custom events whose call failed. */
  public static final String CUSTOM_EVENTS_FAILED = "customEventsFailed";

  // The name under ActivityCounts.other() of segment_entered events sent.
  private static final String SEGMENT_ENTERED = "segmentEntered";

  private final BrazeGateway braze;
  private final OdpGateway odp;
  private final SyncStateStore state;
  private final Selection selection;
  private final FieldMappings mappings;
  private final IdentityRule identity;
  private final int batchSize;
  private final int concurrentExports;
  private final int maxInFlight;
  private final Duration exportTimeout;
  private final Duration exportUrlValidity;
  private final boolean createMissingFields;
  private final boolean fullResync;
  private final Clock clock;
  private final ProgressListener progress;
  private final Duration lockWait;
  private final Duration lockLease;
  private final Sleeper sleeper;
  private final RequestCounter requests;
  private final Duration checkpointInterval;

  private SegmentSync(Builder b) {
    this.braze = Objects.requireNonNull(b.braze, "braze");
    this.odp = Objects.requireNonNull(b.odp, "odp");
    this.state = Objects.requireNonNull(b.state, "state");
    this.selection = b.selection;
    this.mappings = b.mappings;
    // The default identity rule follows the mappings: a field removed from them, e.g. phone, does
    // not leave as an identifier either.
    this.identity = b.identity.followingMappings(b.mappings);
    this.batchSize = b.batchSize;
    this.concurrentExports = b.concurrentExports;
    this.maxInFlight = b.maxInFlight;
    this.exportTimeout = b.exportTimeout;
    this.exportUrlValidity = b.exportUrlValidity;
    this.createMissingFields = b.createMissingFields;
    this.fullResync = b.fullResync;
    this.clock = b.clock;
    this.progress = b.progress;
    this.lockWait = b.lockWait;
    this.lockLease = b.lockLease;
    this.sleeper = b.sleeper;
    this.requests = b.requests;
    this.checkpointInterval = b.checkpointInterval;
  }

  /** Returns a builder; braze, odp and state are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the sync and records an activity record; any failure that ends the run, Errors included,
   * is recorded as FAILED with its reason before it is rethrown.
   *
   * @throws io.github.brazeodp.sync.mapping.MappingException when the mapping rules do not fit the
   *     ODP schema (before any export)
   * @throws UnknownSegmentsException when the selection names unknown segments (before any export)
   * @throws RunLockedException when another run holds one of the selected segments (nothing was
   *     done and nothing is recorded)
   */
  public SyncReport run() {
    return execute(false);
  }

  /**
   * Maps and diffs like {@link #run()} and reports what would be sent, writing nothing to ODP or to
   * the state store.
   */
  public SyncReport dryRun() {
    return execute(true);
  }

  private SyncReport execute(boolean dry) {
    Instant start = clock.instant();
    String runId = UUID.randomUUID().toString();
    RunStats stats = new RunStats();
    RequestCounter.Counts before = requests == null ? null : requests.snapshot();
    if (selection.isNone()) {
      stats.note("no segments selected: nothing imported");
      return finish(runId, "no segments", start, stats, dry, before, Status.SUCCEEDED, null);
    }
    List<Segment> chosen;
    try {
      stats.brazeCall();
      chosen = selection.resolve(braze.segments());
    } catch (RuntimeException e) {
      stats.note("configuration error: " + e.getMessage());
      recordFailure(runId, selection.toString(), start, stats, dry, before, e);
      throw e;
    }
    String subject =
        chosen.size() <= 5
            ? "segments " + chosen.stream().map(Segment::name).toList()
            : chosen.size() + " segments";
    // Taken before anything is written: a second run refuses here (or waits) and never resumes
    // the checkpoint of a run still going. A dry run writes nothing and takes no lock.
    RunLock lock = dry ? null : lock(chosen);
    try {
      return runLocked(chosen, subject, runId, start, stats, dry, before, lock);
    } catch (RuntimeException | Error e) {
      recordFailure(runId, subject, start, stats, dry, before, e);
      throw e;
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  private RunLock lock(List<Segment> chosen) {
    return RunLock.builder(state)
        .scopes(chosen.stream().map(segment -> SCOPE_PREFIX + segment.id()).toList())
        .lease(lockLease)
        .waitUpTo(lockWait)
        .clock(clock)
        .sleeper(sleeper)
        .acquire();
  }

  private SyncReport runLocked(
      List<Segment> chosen,
      String subject,
      String runId,
      Instant start,
      RunStats stats,
      boolean dry,
      RequestCounter.Counts before,
      RunLock lock) {
    FieldMappings rules;
    try {
      rules = validate(dry, stats);
    } catch (RuntimeException e) {
      stats.note("configuration error: " + e.getMessage());
      throw e;
    }
    if (dry) {
      stats.note("dry run: nothing was written to ODP or to the state store");
    }
    int segmentThreads = Math.max(1, Math.min(concurrentExports, chosen.size()));
    ExecutorService lookups = Executors.newFixedThreadPool(segmentThreads, threads("state-lookup"));
    ExecutorService readers = Executors.newFixedThreadPool(segmentThreads, threads("export-read"));
    RunShared shared =
        new RunShared(chosen.size() > 1, eventsSince(chosen), lineSeed(rules), lookups, readers);
    Set<String> inFlight = ConcurrentHashMap.newKeySet();
    ExecutorService segmentPool =
        Executors.newFixedThreadPool(segmentThreads, threads("segment-sync"));
    ExecutorService uploads = Executors.newFixedThreadPool(maxInFlight, threads("odp-upload"));
    List<String> failed = new ArrayList<>();
    List<String> incomplete = new ArrayList<>();
    try {
      List<Future<Outcome>> results = new ArrayList<>();
      for (Segment segment : chosen) {
        results.add(
            segmentPool.submit(
                () ->
                    syncSegment(
                        segment, rules, runId, start, dry, stats, inFlight, uploads, shared,
                        lock)));
      }
      for (int i = 0; i < results.size(); i++) {
        switch (await(results.get(i), "waiting for the segment sync")) {
          case FAILED -> failed.add(chosen.get(i).name());
          case PARTIAL -> incomplete.add(chosen.get(i).name());
          case COMPLETE -> {}
        }
      }
    } finally {
      segmentPool.shutdownNow();
      uploads.shutdownNow();
      lookups.shutdownNow();
      readers.shutdownNow();
    }
    Status status =
        failed.size() == chosen.size() && !chosen.isEmpty()
            ? Status.FAILED
            : !failed.isEmpty() || !incomplete.isEmpty() || stats.hasProblems()
                ? Status.PARTIAL
                : Status.SUCCEEDED;
    return finish(
        runId, subject, start, stats, dry, before, status, reason(failed, incomplete, stats));
  }

  /** Says in one line why a run did not succeed, naming every kind of trouble it counted. */
  private static String reason(List<String> failed, List<String> incomplete, RunStats stats) {
    List<String> parts = new ArrayList<>();
    if (!failed.isEmpty()) {
      parts.add("segments failed: " + failed);
    }
    if (!incomplete.isEmpty()) {
      parts.add("segments incomplete: " + incomplete);
    }
    if (stats.rejectedCount() > 0) {
      parts.add(stats.rejectedCount() + " rejected");
    }
    if (stats.problemCount() > 0) {
      parts.add(stats.problemCount() + " problems");
    }
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  /**
   * The custom-event watermark of the run: the oldest last success of the chosen segments, null
   * when one never succeeded. A user's events go out once per run with the first segment that reads
   * the user, so they must cover what every segment of that user still owes; events sent twice
   * carry the same id.
   */
  private Instant eventsSince(List<Segment> chosen) {
    Instant oldest = null;
    for (Segment segment : chosen) {
      Optional<Instant> last = state.lastSuccess(SCOPE_PREFIX + segment.id());
      if (last.isEmpty()) {
        return null;
      }
      if (oldest == null || last.get().isBefore(oldest)) {
        oldest = last.get();
      }
    }
    return oldest;
  }

  /**
   * Ties the export-line digests to everything that turns a line into a profile: the mapping rules
   * (with the field kinds ODP gave them) and the identity rule. Changing either makes every stored
   * line digest differ, so the next run parses and maps every user again.
   */
  private long lineSeed(FieldMappings rules) {
    String digest =
        Hashes.of(
            LINE_DIGEST_VERSION, rules.toString(), rules.rules().toString(), identity.toString());
    return Long.parseUnsignedLong(digest.substring(0, 16), 16);
  }

  /**
   * Records a FAILED run for any failure that ends it, Errors included (an OutOfMemoryError may
   * still leave enough memory to write one row); a failure to record is attached to the original.
   */
  private void recordFailure(
      String runId,
      String subject,
      Instant start,
      RunStats stats,
      boolean dry,
      RequestCounter.Counts before,
      Throwable failure) {
    try {
      finish(runId, subject, start, stats, dry, before, Status.FAILED, describe(failure));
    } catch (RuntimeException | Error e) {
      failure.addSuppressed(e);
    }
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    String kind =
        failure instanceof RuntimeException
                && failure.getClass().getPackageName().startsWith("io.github.brazeodp")
            ? ""
            : failure.getClass().getSimpleName() + ": ";
    return kind + (message == null ? failure.getClass().getName() : message);
  }

  private static <T> T await(Future<T> future, String what) {
    // Anything that is not an API failure is a crash: surface it as is, state stays committed.
    return Futures.await(future, what);
  }

  /** Checks the configuration against ODP and returns the rules bound to its field types. */
  private FieldMappings validate(boolean dry, RunStats stats) {
    stats.odpCall();
    ValidationResult result = checkSchema();
    if (!dry) {
      for (Map.Entry<String, FieldKind> e : result.fieldsToCreate().entrySet()) {
        stats.odpCall();
        odp.createCustomerField(
            SchemaField.of(
                    e.getKey(),
                    FieldType.valueOf(e.getValue().odpType().toUpperCase(java.util.Locale.ROOT)),
                    displayName(e.getKey()))
                .withDescription("Created by braze-odp-sync for Braze data"));
        stats.note("created ODP field " + e.getKey());
      }
    }
    return result.mappings();
  }

  /**
   * Checks the identity rule and the mapping rules against ODP's customer schema, as a run does
   * first, without writing anything (one ODP call). Preflight checks use it.
   *
   * @return the rules bound to ODP's field types, and the fields a run would create
   * @throws IllegalArgumentException when ODP lacks an identifier the identity rule names
   * @throws io.github.brazeodp.sync.mapping.MappingException when a rule does not fit the schema
   */
  public ValidationResult checkSchema() {
    List<SchemaField> fields = odp.customerFields();
    Map<String, FieldKind> kinds = new LinkedHashMap<>();
    for (SchemaField f : fields) {
      kinds.put(f.name(), FieldKind.fromOdpType(f.type() == null ? null : f.type().name()));
    }
    Set<String> identifiers = new LinkedHashSet<>(List.of("email", "phone", "vuid", "zaius_id"));
    identifiers.addAll(identity.odpIdentifiers());
    List<String> problems = new ArrayList<>();
    for (String id : identity.odpIdentifiers()) {
      if (!kinds.containsKey(id)) {
        problems.add("identity rule: ODP has no identifier field \"" + id + "\"");
      }
    }
    if (!problems.isEmpty()) {
      // A configuration mistake like an unknown mapped field, so that hosts treat it alike (exit
      // 64).
      throw new MappingException(problems);
    }
    return mappings.validate(new CustomerSchema(kinds, identifiers), createMissingFields);
  }

  private static String displayName(String field) {
    String words = field.replaceAll("^_+", "").replace('_', ' ').trim();
    return words.isEmpty() ? field : Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  private SyncReport finish(
      String runId,
      String subject,
      Instant start,
      RunStats stats,
      boolean dry,
      RequestCounter.Counts before,
      Status status,
      String reason) {
    if (before != null) {
      stats.requests(requests.snapshot().since(before));
    }
    ActivityRecord record =
        new ActivityRecord(
            runId,
            ActivityRecord.CATEGORY_BRAZE,
            ActivityRecord.Flow.SEGMENT_SYNC,
            subject,
            start,
            clock.instant(),
            status,
            stats.counts(),
            stats.rejections(),
            status == Status.SUCCEEDED ? null : reason);
    if (!dry) {
      state.appendActivity(record);
    }
    return new SyncReport(record, dry, stats.unmatchedIds(), stats.notes());
  }

  // ---- one segment ---------------------------------------------------------------------------

  private Outcome syncSegment(
      Segment segment,
      FieldMappings rules,
      String runId,
      Instant runStart,
      boolean dry,
      RunStats stats,
      Set<String> inFlight,
      ExecutorService uploads,
      RunShared shared,
      RunLock lock) {
    String scope = SCOPE_PREFIX + segment.id();
    try {
      return new SegmentRun(
              segment, rules, scope, runId, runStart, dry, stats, inFlight, uploads, shared, lock)
          .run();
    } catch (BrazeException | OdpException | UncheckedIOException e) {
      stats.rejected(
          "segment " + segment.name() + " (" + segment.id() + ") failed: " + e.getMessage(),
          "segment " + segment.id());
      return Outcome.FAILED;
    }
  }

  /** The work of one segment in one run; confined to one segment thread. */
  private final class SegmentRun {
    private final Segment segment;
    private final FieldMappings rules;
    private final String scope;
    private final Instant runStart;
    private final boolean dry;
    private final RunStats stats;
    private final Set<String> inFlight;
    private final ExecutorService uploads;
    private final boolean sharedRun;
    private final RunShared shared;
    private final RunLock lock;
    private final Instant eventsSince;
    private final EventWatermark watermark;
    // The unreadable lines of this process's reading, apart: those the export reader skipped while
    // reading ahead, and those found later when a line is parsed. A batch's checkpoint counts the
    // lines up to its last one only: those resumed with, the reader's up to the batch's end, and
    // the later ones of the batches before it (what reading and parsing on one thread counted).
    private final AtomicLong malformedAhead = new AtomicLong();
    private final AtomicLong malformedParsed = new AtomicLong();
    private long malformedBefore;
    private volatile ReadAhead ahead;
    // Commits run on their own thread, in read order, while this one reads and prepares the next
    // batches: on the segment thread they took two fifths of a first run. At most two wait.
    private final ExecutorService committer =
        Executors.newSingleThreadExecutor(threads("segment-commit"));
    private final Deque<Future<?>> committing = new ArrayDeque<>();
    // Set when a commit failed or the segment thread gave up: later commits are skipped, so that
    // no checkpoint passes a batch that was not committed.
    private volatile boolean stopCommits;
    // Batches with a few rows to send, waiting to go out with the next ones.
    private Prepared held;
    // Every member this run read (fingerprints): who is not in it at the end has exited.
    private SeenUsers members = new SeenUsers();
    // The stored members when this run started reading (none for a dry run).
    private long storedAtStart;
    // The stored members and their line digests, read beside the first batch; null while it is
    // read, for a dry run or a full resync, for a table too large for the heap, and when more
    // members came than counted (then SeenUsers keeps track of every member read).
    private Future<StoredLines> storedLoading;
    private StoredLines storedTable;
    // Whether a user absent from `stored` certainly has no stored hash: every hash of the namespace
    // belonged to a member, and no other segment of this run writes any.
    private boolean newWhenAbsent;
    private long storedHashes;
    private Instant checkpointedAt;
    private long checkpointedMalformed;
    private String segmentRunId;
    private Checkpoint checkpoint;
    private boolean positionsContiguous = true;
    private boolean failures;
    // Written by the segment thread, read by commits for the progress listener.
    private volatile long read;
    private long sent;
    private long wouldEnter;
    private long storedSeen;
    // Distinct stored members this process read in this run; equal to the stored count: no exits.
    private long storedMembersRead;

    SegmentRun(
        Segment segment,
        FieldMappings rules,
        String scope,
        String runId,
        Instant runStart,
        boolean dry,
        RunStats stats,
        Set<String> inFlight,
        ExecutorService uploads,
        RunShared shared,
        RunLock lock) {
      this.segment = segment;
      this.rules = rules;
      this.scope = scope;
      this.segmentRunId = runId;
      this.runStart = runStart;
      this.dry = dry;
      this.stats = stats;
      this.inFlight = inFlight;
      this.uploads = uploads;
      this.sharedRun = shared.several;
      this.shared = shared;
      this.lock = lock;
      this.eventsSince = shared.eventsSince;
      this.watermark = new EventWatermark(shared.eventsSince);
    }

    Outcome run() {
      try {
        return runSegment();
      } finally {
        if (storedLoading != null) {
          storedLoading.cancel(false);
        }
        closeCommits();
      }
    }

    private Outcome runSegment() {
      ExportHandle handle = null;
      ExportPosition resume = null;
      Optional<Checkpoint> saved = dry ? Optional.empty() : state.checkpoint(scope);
      if (saved.isPresent() && resumable(saved.get())) {
        checkpoint = saved.get();
        segmentRunId = checkpoint.runId();
        malformedBefore = Long.parseLong(checkpoint.attributes().getOrDefault(MALFORMED, "0"));
        checkpointedMalformed = malformedBefore;
        handle =
            new ExportHandle(
                segment.id(),
                checkpoint.exportObjectPrefix(),
                checkpoint.exportUrl(),
                checkpoint.exportRequestedAt());
        if (checkpoint.currentFile() != null) {
          resume =
              new ExportPosition(
                  Integer.parseInt(checkpoint.attributes().getOrDefault(FILE_INDEX, "0")),
                  checkpoint.currentFile(),
                  checkpoint.currentLine());
        }
        stats.note(
            "segment "
                + segment.name()
                + ": resumed export "
                + checkpoint.exportObjectPrefix()
                + (resume == null ? "" : " after " + resume));
      }
      if (handle == null) {
        if (!dry) {
          state.transaction(tx -> tx.discardStagedMembers(segment.id()));
        }
        stats.brazeCall();
        handle = braze.startSegmentExport(exportRequest(segment.id()));
        if (!dry) {
          checkpoint =
              Checkpoint.builder(segmentRunId)
                  .export(handle.objectPrefix(), handle.url(), handle.requestedAt())
                  .build();
          state.putCheckpoint(scope, checkpoint);
          checkpointedAt = clock.instant();
        }
      }
      if (!dry) {
        // Only this run changes the membership while it holds the segment's lock. Read while
        // Braze prepares the export.
        storedAtStart = state.memberCount(segment.id());
        // Sized for every stored member only when they are not read into the stored lines,
        // which then keep track of them.
        if (fullResync || !readStoredLines()) {
          members = new SeenUsers(storedAtStart);
        }
      }
      braze.awaitExport(handle, clock.instant().plus(exportTimeout));
      ExportReadOptions options =
          ExportReadOptions.defaults()
              .skipMalformed(
                  e -> {
                    ReadAhead reading = ahead;
                    if (reading != null && reading.onReaderThread()) {
                      malformedAhead.incrementAndGet();
                    } else {
                      malformedParsed.incrementAndGet();
                    }
                    stats.rejected(
                        "malformed export line: " + e.getMessage(), e.fileName() + ":" + e.line());
                  });
      if (resume != null) {
        options = options.resumeAfter(resume);
        if (!dry) {
          rememberMembersBefore(handle, resume);
        }
      }
      stats.brazeCall();
      try {
        stream(handle, options);
      } catch (IllegalStateException e) {
        if (resume == null) {
          throw e;
        }
        // The archive no longer matches the checkpoint: start afresh next run instead of failing
        // the same way forever.
        state.clearCheckpoint(scope);
        throw new BrazeExportException(
            "cannot resume the export of segment " + segment.id() + ": " + e.getMessage(), -1, e);
      }
      long unreadable = malformedBefore + malformedAhead.get() + malformedParsed.get();
      boolean complete = unreadable == 0;
      if (complete) {
        finishMembership();
      } else {
        // Users on unreadable lines are missing from the staged membership: computing exits now
        // would report them as gone. Membership waits for a clean export; so does the custom-event
        // watermark, or the events of those users would be skipped for good.
        if (!dry) {
          state.transaction(tx -> tx.discardStagedMembers(segment.id()));
        }
        stats.note(
            "segment "
                + segment.name()
                + ": export incomplete ("
                + unreadable
                + " unreadable lines); membership events not computed and the custom-event"
                + " watermark kept, both wait for a clean export");
      }
      if (!dry) {
        if (lock != null) {
          lock.ensureHeld();
        }
        state.clearCheckpoint(scope);
        if (!failures && complete) {
          state.putLastSuccess(scope, runStart);
        }
      }
      return failures || !complete ? Outcome.PARTIAL : Outcome.COMPLETE;
    }

    /**
     * Starts reading the stored members and their line digests on the look-up thread, while the
     * export starts streaming; the first batch waits for it. A first run into an empty store reads
     * nothing and looks nothing up. The table takes 16 bytes a slot, two slots a member (32 MB for
     * a million): over a quarter of the heap it is not read, and every batch looks its users up.
     * Returns whether it is read.
     */
    private boolean readStoredLines() {
      long hashes = state.hashCount(HASHES);
      if (storedAtStart == 0 && hashes == 0) {
        storedTable = StoredLines.forMembers(0);
        newWhenAbsent = !sharedRun;
        return true;
      }
      if (StoredLines.bytesFor(storedAtStart) > Runtime.getRuntime().maxMemory() / 4) {
        return false;
      }
      storedLoading =
          shared.lookups.submit(
              () -> {
                StoredLines table = StoredLines.forMembers(storedAtStart);
                boolean[] fits = {true};
                state.forEachMemberHash(
                    segment.id(),
                    HASHES,
                    (member, hash) -> fits[0] = fits[0] && table.add(member, hash));
                return fits[0] ? table.filled() : null;
              });
      newWhenAbsent = !sharedRun;
      storedHashes = hashes;
      return true;
    }

    /** The stored lines once read, or null when the batches look their users up instead. */
    private StoredLines storedLines() {
      if (storedLoading != null) {
        storedTable = await(storedLoading, "reading the stored members");
        storedLoading = null;
        newWhenAbsent =
            newWhenAbsent && storedTable != null && storedTable.withHash() == storedHashes;
      }
      return storedTable;
    }

    private void stream(ExportHandle handle, ExportReadOptions options) {
      try (ExportUserStream users = braze.openExport(handle, options)) {
        // Another thread inflates the archive and splits it into batches of lines while this one
        // prepares the batches before them (and while it waits for the stored lines): an unchanged
        // rerun spent a third of its time here, on one core while the other idled.
        ahead = new ReadAhead(users, batchSize, malformedAhead);
        Future<?> reading = shared.readers.submit(ahead);
        try {
          for (ReadAhead.Batch b = ahead.take(); b != null; b = ahead.take()) {
            submit(b.lines(), b.last(), malformedBefore + b.malformed() + malformedParsed.get());
          }
        } finally {
          // Only after a failure here does the reader still run: it ends at its next line, and
          // only then is the archive closed (closing it under a read would make it reopen).
          ahead.stop();
          ahead.awaitEnd(reading);
        }
        if (held != null) {
          dispatch(held);
          held = null;
        }
        while (!committing.isEmpty()) {
          await(committing.poll(), "committing a batch");
        }
        // Entries that are not user files (folders, hidden or oddly named files) carry no users,
        // but the operator should still see that the archive held something we did not read.
        for (ExportUserStream.SkippedEntry e : users.skippedEntries()) {
          stats.note(
              "segment "
                  + segment.id()
                  + ": export entry "
                  + e.name()
                  + " not read: "
                  + e.reason());
        }
      }
    }

    private boolean resumable(Checkpoint cp) {
      return cp.exportObjectPrefix() != null
          && cp.exportRequestedAt() != null
          && cp.exportRequestedAt().plus(exportUrlValidity).isAfter(clock.instant());
    }

    private ExportSegmentRequest exportRequest(String segmentId) {
      Set<String> fields = new LinkedHashSet<>(rules.fieldsToExport());
      fields.addAll(identity.brazeFields());
      fields.add("braze_id");
      fields.add("external_id");
      fields.add("custom_events");
      ExportSegmentRequest request = ExportSegmentRequest.of(segmentId, List.copyOf(fields));
      List<String> custom = rules.customAttributesToExport();
      return custom.isEmpty() || fields.contains("custom_attributes")
          ? request
          : request.withCustomAttributes(custom);
    }

    /**
     * A resumed run did not read the members before the checkpoint in this process: read their ids
     * again from the start of the same archive (ids only, nothing parsed that need not be), so that
     * the exits at the end are right.
     */
    private void rememberMembersBefore(ExportHandle handle, ExportPosition resume) {
      stats.brazeCall();
      try (ExportUserStream before =
          braze.openExport(handle, ExportReadOptions.defaults().skipMalformed(e -> {}))) {
        for (ExportLine line = before.nextLine();
            line != null && !isAfter(line.position(), resume);
            line = before.nextLine()) {
          String id = line.brazeId();
          if (id == null) {
            ExportedUser u = line.user();
            id = u == null ? null : u.brazeId();
          }
          if (id != null) {
            members.add(id);
          }
        }
      }
    }

    private void submit(List<ExportLine> lines, ExportPosition last, long malformedSoFar) {
      Prepared prepared = prepare(lines, last, malformedSoFar);
      read += prepared.read;
      if (dry) {
        sent += prepared.updates.size();
        stats.sent(prepared.updates.size());
        progress.onProgress(segment.id(), read, sent);
        return;
      }
      if (held != null) {
        held.absorb(prepared);
        prepared = held;
        held = null;
      }
      int rows = prepared.updates.size() + prepared.events.size() + prepared.entryEvents.size();
      if (rows > 0
          && rows < batchSize
          && prepared.lines < HOLD_BATCHES * batchSize
          && !checkpointInterval.isZero()) {
        // A few changed users in an otherwise unchanged stretch wait for the next batches, so
        // that they go out in full requests: with 1 % changed, each batch of 500 would otherwise
        // cost ODP a request of 5 profiles, a fiftieth of what its 10 requests/s allow.
        held = prepared;
        reapCommits(Integer.MAX_VALUE);
        return;
      }
      dispatch(prepared);
    }

    private void dispatch(Prepared prepared) {
      Future<Upload> future =
          prepared.updates.isEmpty() && prepared.events.isEmpty() && prepared.entryEvents.isEmpty()
              ? null
              : uploads.submit(() -> upload(prepared));
      Pending pending = new Pending(prepared, future);
      if (future == null && committing.isEmpty()) {
        // Nothing sent and nothing before it left to commit: an unchanged batch, committed here
        // (at most a checkpoint), since handing it to the commit thread cost more than that.
        commit(pending);
        return;
      }
      committing.add(
          committer.submit(
              () -> {
                if (stopCommits) {
                  throw new CancellationException("an earlier batch was not committed");
                }
                try {
                  commit(pending);
                } catch (RuntimeException | Error e) {
                  stopCommits = true;
                  throw e;
                }
              }));
      // Reading runs ahead of the commits by at most two batches per segment.
      reapCommits(2);
    }

    /** Waits while more than {@code most} commits wait, and surfaces those that are done. */
    private void reapCommits(int most) {
      while (committing.size() > most || (!committing.isEmpty() && committing.peek().isDone())) {
        await(committing.poll(), "committing a batch");
      }
    }

    /**
     * Ends the commits: those still queued (only after a failure) are skipped, and this returns
     * once none runs, so that nothing is written after the segment's run ended.
     */
    private void closeCommits() {
      stopCommits = true;
      committer.shutdown();
      try {
        // A running commit ends: it waits at most for its upload, which the client times out.
        committer.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        committer.shutdownNow();
      }
    }

    private Prepared prepare(List<ExportLine> lines, ExportPosition last, long malformedSoFar) {
      Prepared p = new Prepared(last, lines.size());
      // Up to this batch's last line, not the lines the reader has read beyond it already.
      p.malformed = malformedSoFar;
      int n = lines.size();
      // First the ids, from a scan of each line where it can (a parse where it cannot), so that the
      // stored hashes and memberships of the whole batch come in one look-up each. A line the
      // stored lines vouch for (an unchanged member) is done with here: no string, map or look-up.
      StoredLines table = dry || fullResync ? null : storedLines();
      String[] ids = new String[n];
      String[] digests = new String[n];
      long[] lineDigests = new long[n];
      boolean[] same = new boolean[n];
      ExportedUser[] parsed = new ExportedUser[n];
      boolean[] usable = new boolean[n];
      List<String> keys = new ArrayList<>(n);
      Map<String, String> suffixes = new HashMap<>();
      // An id on two different lines of one batch: its stored hash cannot match both.
      Set<String> twice = new HashSet<>();
      for (int i = 0; i < n; i++) {
        ExportLine line = lines.get(i);
        String id = line.brazeId();
        if (id == null) {
          parsed[i] = line.user();
          if (parsed[i] == null) {
            continue; // malformed, already reported
          }
          id = parsed[i].brazeId();
        }
        usable[i] = true;
        p.read++;
        if (id == null) {
          stats.rejected("user without braze_id", "segment " + segment.id());
          continue;
        }
        ids[i] = id;
        lineDigests[i] = line.digest(shared.lineSeed);
      }
      // Probed in a loop of their own, so that the table's cache misses overlap (see StoredLines).
      int[] slots = table == null ? null : table.sameLineSlots(ids, lineDigests);
      for (int i = 0; i < n; i++) {
        String id = ids[i];
        if (id == null) {
          continue;
        }
        long lineDigest = lineDigests[i];
        int slot = slots == null ? -1 : slots[i];
        if (slot >= 0) {
          same[i] = true;
          // Read is marked in the table, not in SeenUsers (a sixth of an unchanged rerun's
          // segment thread went to SeenUsers).
          if (table.markSeen(slot)) {
            storedMembersRead++;
          }
          continue;
        }
        keys.add(id);
        digests[i] = HEX.toHexDigits(lineDigest);
        String suffix = LINE_SEPARATOR + digests[i];
        String before = suffixes.putIfAbsent(id, suffix);
        if (before != null && !before.equals(suffix)) {
          twice.add(id);
        }
      }
      // Only the users whose line differs from the accepted one come back (with their stored
      // hash), and only the entries: an unchanged batch reads no row. The members are looked up
      // on another thread meanwhile (on SQLite on the other connection).
      // New users need neither when the stored lines make their absence certain.
      Map<String, Optional<String>> differing = new HashMap<>();
      Set<String> entries = new HashSet<>();
      List<String> lookUp = keys;
      Map<String, String> lookUpSuffixes = suffixes;
      if (table != null) {
        lookUp = new ArrayList<>();
        lookUpSuffixes = new HashMap<>();
        for (Map.Entry<String, String> e : suffixes.entrySet()) {
          String id = e.getKey();
          // A user read earlier in this run may have been committed since the table was read.
          if (!twice.contains(id) && newWhenAbsent && !table.member(id) && !members.contains(id)) {
            differing.put(id, Optional.empty());
            entries.add(id);
          } else {
            lookUp.add(id);
            lookUpSuffixes.put(id, e.getValue());
          }
        }
      }
      List<String> lookUpKeys = lookUp;
      // A few users (the changed lines of a rerun) are looked up here, one look-up after the
      // other: handing them to the look-up thread cost more than the look-up.
      boolean inline = lookUp.size() <= INLINE_LOOK_UPS;
      Future<Set<String>> entering =
          lookUp.isEmpty() || inline
              ? null
              : shared.lookups.submit(() -> state.nonMembersAmong(segment.id(), lookUpKeys));
      Map<String, String> storedTwice;
      try {
        if (!fullResync && !lookUpSuffixes.isEmpty()) {
          differing.putAll(state.hashesUnlessEndingWith(HASHES, lookUpSuffixes));
        }
        storedTwice = fullResync || twice.isEmpty() ? Map.of() : state.hashes(HASHES, twice);
      } catch (RuntimeException e) {
        if (entering != null) {
          entering.cancel(true);
        }
        throw e;
      }
      if (entering != null) {
        entries.addAll(await(entering, "looking up the members of a batch"));
      } else if (!lookUp.isEmpty()) {
        entries.addAll(state.nonMembersAmong(segment.id(), lookUp));
      }
      List<String> entered = new ArrayList<>();
      if (dry) {
        storedSeen += suffixes.size() - entries.size();
        wouldEnter += entries.size();
      } else {
        // Only entries are written: an unchanged segment writes no membership row at all.
        for (String id : keys) {
          int slot = table == null ? -1 : table.slotOf(id);
          boolean firstRead = slot >= 0 ? table.markSeen(slot) : members.add(id);
          if (entries.contains(id)) {
            entered.add(id);
          } else if (firstRead) {
            storedMembersRead++;
          }
        }
      }
      Set<String> seenInBatch = new HashSet<>();
      for (int i = 0; i < n; i++) {
        String id = ids[i];
        if (!usable[i] || id == null) {
          continue;
        }
        // A user in several segments of this run is counted, converted and given its custom
        // events by the first segment that reads it; the others only record its membership.
        boolean first = !sharedRun || shared.firstSighting(id);
        String line = digests[i];
        String stored;
        boolean sameLine;
        if (same[i]) {
          stored = null;
          sameLine = true;
        } else if (fullResync) {
          stored = null;
          sameLine = false;
        } else if (twice.contains(id)) {
          stored = storedTwice.get(id);
          sameLine = stored != null && sameLine(stored, line);
        } else {
          Optional<String> differs = differing.get(id);
          stored = differs == null ? null : differs.orElse(null);
          sameLine = differs == null;
        }
        if (sameLine) {
          // The very line that produced the accepted profile, under the same rules: same
          // identifiers, same profile, and its custom events were delivered with it. Nothing to
          // parse or map.
          if (first) {
            stats.matched(1);
            stats.unchanged(1);
          }
          continue;
        }
        ExportedUser u = parsed[i] != null ? parsed[i] : lines.get(i).user();
        if (u == null) {
          p.read--;
          continue; // the scan found an id, but the line is malformed (reported)
        }
        Map<String, String> userIds = identity.identifiers(u);
        if (userIds.isEmpty()) {
          if (first) {
            stats.unmatched(id);
          }
          continue;
        }
        if (!dry && entries.contains(id) && p.announced.add(id)) {
          // Announced with the batch, from the identifiers at hand: staging the entry and
          // reading its identity back at the end of the run cost a fifth of a first run.
          p.entryEvents.add(
              SegmentEvents.membership(
                  rules.prefix(),
                  "segment_entered",
                  segment.id(),
                  segment.name(),
                  id,
                  userIds,
                  runStart,
                  segmentRunId));
        }
        MappedCustomer mapped = rules.apply(u);
        if (first) {
          stats.matched(1);
          mapped.problems().forEach(problem -> stats.problem(problem.toString(), "braze_id " + id));
        }
        String hash = Hashes.of(mapped.hash(), userIds.toString());
        // Only the segment that gives the user its custom events vouches for the whole line, and
        // a line with conversion problems is parsed again so that they are reported every run.
        String value = first && mapped.problems().isEmpty() ? hash + LINE_SEPARATOR + line : hash;
        if (!fullResync && stored != null && hash.equals(profileHash(stored))) {
          // The hash covers the identifiers and was committed with the identity row.
          if (first) {
            stats.unchanged(1);
            addCustomEvents(u, userIds, p.events);
          }
          if (!dry && !value.equals(stored) && !value.equals(hash)) {
            p.refreshed.put(id, value);
          }
          continue;
        }
        if (first) {
          addCustomEvents(u, userIds, p.events);
        }
        // Another segment of this run may be sending this user right now: its identity row may
        // not be committed yet, so this segment's membership events need it too.
        p.identities.add(new IdentityRecord(id, u.externalId(), userIds, runStart));
        if (fullResync && !first) {
          // Resent once per run, by the segment that read the user first.
          continue;
        }
        if (!seenInBatch.add(id) || (!dry && !inFlight.add(id))) {
          continue;
        }
        // forEach: copying the unmodifiable view through its entry iterator wrapped every entry.
        Map<String, Object> attributes = new LinkedHashMap<>();
        mapped
            .attributes()
            .forEach(
                (name, attribute) -> {
                  if (!userIds.containsKey(name)) {
                    attributes.put(name, attribute);
                  }
                });
        p.updates.add(new ProfileUpdate(userIds, attributes));
        p.brazeIds.add(id);
        p.hashes.add(value);
      }
      for (String id : entered) {
        // Users not parsed (an unchanged line) or without identifiers: announced at the end.
        if (!p.announced.contains(id)) {
          p.members.add(id);
        }
      }
      stats.read(p.read);
      if (!dry && sharedRun && !fullResync && !p.brazeIds.isEmpty()) {
        dropCommittedMeanwhile(p);
      }
      return p;
    }

    /**
     * Another segment may have committed one of these users between our hash lookup and our claim
     * on it. A commit makes the hash visible before it releases the claim, so reading the hashes
     * again after claiming catches every such user.
     */
    private void dropCommittedMeanwhile(Prepared p) {
      Map<String, String> now = state.hashes(HASHES, p.brazeIds);
      for (int i = p.brazeIds.size() - 1; i >= 0; i--) {
        String id = p.brazeIds.get(i);
        String committed = now.get(id);
        if (committed != null && profileHash(p.hashes.get(i)).equals(profileHash(committed))) {
          p.brazeIds.remove(i);
          p.hashes.remove(i);
          p.updates.remove(i);
          inFlight.remove(id);
        }
      }
    }

    private void addCustomEvents(ExportedUser u, Map<String, String> ids, List<OdpEvent> out) {
      String prefix = rules.prefix();
      for (ExportedUser.Activity e : u.customEvents()) {
        if (watermark.certainlyNotAfter(e.last())) {
          continue;
        }
        Instant last = parseInstant(e.last());
        if (e.name() == null || last == null) {
          continue;
        }
        if (eventsSince != null && !last.isAfter(eventsSince)) {
          continue;
        }
        out.add(SegmentEvents.customEvent(prefix, u.brazeId(), ids, e, last));
      }
    }

    /** Sends profiles and custom events as two calls whose failures are booked apart. */
    private Upload upload(Prepared p) {
      Upload result = new Upload();
      if (!p.updates.isEmpty()) {
        stats.odpCall();
        try {
          result.profiles = odp.upsertProfiles(p.updates);
        } catch (OdpException e) {
          result.profileFailure = e;
        }
      }
      List<OdpEvent> events = p.events;
      if (!p.entryEvents.isEmpty()) {
        events = new ArrayList<>(p.events.size() + p.entryEvents.size());
        events.addAll(p.events);
        events.addAll(p.entryEvents);
      }
      if (!events.isEmpty()) {
        stats.odpCall();
        try {
          result.events = odp.sendEvents(events);
        } catch (OdpException e) {
          result.eventFailure = e;
        }
      }
      return result;
    }

    private void commit(Pending p) {
      Prepared prepared = p.prepared;
      Upload upload = p.future == null ? new Upload() : await(p.future, "uploading");
      OdpException failure = upload.profileFailure;
      Map<String, String> accepted = new LinkedHashMap<>();
      if (failure != null) {
        failures = true;
        positionsContiguous = false;
        for (String id : prepared.brazeIds) {
          stats.rejected("ODP upsert failed: " + failure.getMessage(), "braze_id " + id);
        }
      } else if (upload.profiles != null) {
        for (int i = 0; i < prepared.updates.size(); i++) {
          if (upload.profiles.status(i) == RowStatus.ACCEPTED) {
            accepted.put(prepared.brazeIds.get(i), prepared.hashes.get(i));
          }
        }
        for (RowError error : upload.profiles.errors()) {
          stats.rejected(
              "ODP rejected the profile: " + error.message(),
              "braze_id " + prepared.brazeIds.get(error.index()));
        }
        int unconfirmed =
            upload.profiles.count(RowStatus.UNCONFIRMED)
                + upload.profiles.count(RowStatus.NOT_SENT);
        if (unconfirmed > 0) {
          failures = true;
          stats.note(unconfirmed + " profiles were not confirmed by ODP; they are resent next run");
        }
      }
      int customEvents = prepared.events.size();
      if (upload.eventFailure != null && customEvents > 0) {
        // The profiles stand on their own; only the events are owed. Not advancing the position
        // or the watermark makes the next run send them again (with the same ids).
        failures = true;
        positionsContiguous = false;
        stats.count(CUSTOM_EVENTS_FAILED, customEvents);
        stats.problem(
            customEvents
                + " custom events not delivered, resent next run: "
                + upload.eventFailure.getMessage(),
            "segment " + segment.id());
      } else if (upload.events != null) {
        int rejected = 0;
        for (RowError error : upload.events.errors()) {
          if (error.index() < customEvents) {
            rejected++;
            stats.problem("ODP rejected a custom event: " + error.message(), "custom event");
          } else {
            stats.problem(
                "ODP rejected a membership event: " + error.message(), "segment " + segment.id());
          }
        }
        if (customEvents > 0) {
          stats.count(CUSTOM_EVENTS, customEvents - rejected);
        }
      }
      if (!prepared.announced.isEmpty()) {
        if (upload.eventFailure == null) {
          stats.count(SEGMENT_ENTERED, prepared.announced.size());
        } else {
          // Staged instead, as the entries of unchanged lines are: the end of the run announces
          // them from the stored identities, with the same event ids.
          prepared.members.addAll(prepared.announced);
          prepared.announced.clear();
          stats.note(
              "segment "
                  + segment.id()
                  + ": segment entries not delivered with their batch, sent again at the end: "
                  + upload.eventFailure.getMessage());
        }
      }
      Map<String, String> refreshed = prepared.refreshed;
      if (upload.eventFailure != null) {
        // The custom events of these lines are owed: without a line digest the next run parses
        // the lines again and resends them.
        accepted.replaceAll((id, value) -> profileHash(value));
        refreshed = Map.of();
      }
      ExportPosition position = prepared.last;
      boolean advance = positionsContiguous && position != null;
      boolean writes =
          !accepted.isEmpty()
              || !refreshed.isEmpty()
              || !prepared.identities.isEmpty()
              || !prepared.members.isEmpty()
              || !prepared.announced.isEmpty();
      Instant now = clock.instant();
      // A checkpoint that only moves the position waits for the interval: the lines it covers
      // sent nothing, so re-reading them after a crash resends nothing either. Unreadable lines
      // are no such thing: a resumed run must still know of them.
      boolean moveOnly =
          advance
              && !writes
              && prepared.malformed == checkpointedMalformed
              && checkpointedAt != null
              && now.isBefore(checkpointedAt.plus(checkpointInterval));
      if (writes || (advance && !moveOnly)) {
        writeBatch(prepared, accepted, refreshed, advance ? position : null, now);
      }
      prepared.brazeIds.forEach(inFlight::remove);
      sent += accepted.size();
      stats.sent(accepted.size());
      progress.onProgress(segment.id(), read, sent);
    }

    private void writeBatch(
        Prepared prepared,
        Map<String, String> accepted,
        Map<String, String> refreshed,
        ExportPosition position,
        Instant now) {
      if (lock != null) {
        lock.ensureHeld();
      }
      boolean advance = position != null;
      state.transaction(
          tx -> {
            if (!accepted.isEmpty()) {
              tx.putHashes(HASHES, accepted);
            }
            if (!refreshed.isEmpty()) {
              tx.putHashes(HASHES, refreshed);
            }
            if (!prepared.identities.isEmpty()) {
              tx.putIdentities(prepared.identities);
            }
            if (!prepared.members.isEmpty()) {
              tx.stageMembers(segment.id(), segmentRunId, prepared.members);
            }
            if (!prepared.announced.isEmpty()) {
              tx.addMembers(segment.id(), prepared.announced);
            }
            if (advance) {
              checkpoint =
                  checkpoint.toBuilder()
                      .position(position.fileName(), position.line())
                      .attribute(FILE_INDEX, String.valueOf(position.fileIndex()))
                      .attribute(MALFORMED, String.valueOf(prepared.malformed))
                      .build();
              tx.putCheckpoint(scope, checkpoint);
            }
          });
      if (advance) {
        checkpointedAt = now;
        checkpointedMalformed = prepared.malformed;
      }
    }

    private void finishMembership() {
      if (dry) {
        long stored = 0;
        for (String ignored : state.members(segment.id())) {
          stored++;
        }
        stats.count("wouldEnterSegments", wouldEnter);
        stats.count("wouldExitSegments", Math.max(0, stored - storedSeen));
        return;
      }
      long entered =
          sendMembershipEvents(state.entered(segment.id(), segmentRunId), "segment_entered");
      long exited = sendExits();
      state.transaction(tx -> tx.addStagedMembers(segment.id(), segmentRunId));
      stats.count(SEGMENT_ENTERED, entered);
      stats.count("segmentExited", exited);
    }

    /**
     * Sends an exit for every stored member this run did not read, and removes each page of them
     * once its events went out; a crash in between resends that page's events (same ids).
     */
    private long sendExits() {
      if (storedMembersRead == storedAtStart) {
        // Every stored member was read again: nobody exited, and the walk over all of them (the
        // largest part of an unchanged rerun's membership work) is skipped. A resumed run does not
        // count the members before its checkpoint, so it always walks.
        return 0;
      }
      long exited = 0;
      List<String> page = new ArrayList<>();
      for (String brazeId : state.members(segment.id())) {
        if (!members.contains(brazeId) && (storedTable == null || !storedTable.seen(brazeId))) {
          page.add(brazeId);
        }
        if (page.size() == batchSize) {
          exited += removeExited(page);
          page = new ArrayList<>();
        }
      }
      if (!page.isEmpty()) {
        exited += removeExited(page);
      }
      return exited;
    }

    private long removeExited(List<String> page) {
      long sentEvents = sendMembershipEvents(page, "segment_exited");
      if (lock != null) {
        lock.ensureHeld();
      }
      state.transaction(tx -> tx.removeMembers(segment.id(), page));
      return sentEvents;
    }

    /**
     * Sends the events of {@code brazeIds} a page at a time and returns once ODP took them all.
     * While a page is on its way the next one is looked up and built, as the stream does with its
     * batches: waiting for each page before reading the next left the segment thread idle for a
     * fifth of a first run.
     */
    private long sendMembershipEvents(Iterable<String> brazeIds, String action) {
      // Identities are read a page at a time: one query per page instead of one per member.
      long count = 0;
      Deque<Future<?>> sending = new ArrayDeque<>();
      List<String> page = new ArrayList<>(batchSize);
      try {
        for (String brazeId : brazeIds) {
          page.add(brazeId);
          if (page.size() == batchSize) {
            count += sendMembershipPage(page, action, sending);
            page.clear();
          }
        }
        if (!page.isEmpty()) {
          count += sendMembershipPage(page, action, sending);
        }
        while (!sending.isEmpty()) {
          await(sending.poll(), "sending membership events");
        }
      } finally {
        // Only after a failure: the pages still on their way are not waited for.
        sending.forEach(f -> f.cancel(true));
      }
      return count;
    }

    private long sendMembershipPage(
        List<String> brazeIds, String action, Deque<Future<?>> sending) {
      String prefix = rules.prefix();
      Map<String, IdentityRecord> who = state.identitiesByBrazeIds(brazeIds);
      List<OdpEvent> batch = new ArrayList<>(brazeIds.size());
      for (String brazeId : brazeIds) {
        IdentityRecord identity = who.get(brazeId);
        if (identity == null || identity.identifiers().isEmpty()) {
          continue;
        }
        batch.add(
            SegmentEvents.membership(
                prefix,
                action,
                segment.id(),
                segment.name(),
                brazeId,
                identity.identifiers(),
                runStart,
                segmentRunId));
      }
      if (!batch.isEmpty()) {
        // Two pages on their way at most, as the stream keeps two batches pending.
        while (sending.size() >= 2) {
          await(sending.poll(), "sending membership events");
        }
        sending.add(uploads.submit(() -> sendEvents(batch)));
      }
      return batch.size();
    }

    private void sendEvents(List<OdpEvent> events) {
      stats.odpCall();
      BatchResult result = odp.sendEvents(events);
      for (RowError error : result.errors()) {
        stats.problem(
            "ODP rejected a membership event: " + error.message(), "segment " + segment.id());
      }
    }
  }

  /** The profile part of a stored hash. */
  static String profileHash(String stored) {
    return stored.length() > PROFILE_HASH_LENGTH
            && stored.charAt(PROFILE_HASH_LENGTH) == LINE_SEPARATOR
        ? stored.substring(0, PROFILE_HASH_LENGTH)
        : stored;
  }

  /** Tells whether a stored hash carries exactly this line digest. */
  static boolean sameLine(String stored, String lineDigest) {
    return stored.length() == PROFILE_HASH_LENGTH + 1 + lineDigest.length()
        && stored.charAt(PROFILE_HASH_LENGTH) == LINE_SEPARATOR
        && stored.regionMatches(PROFILE_HASH_LENGTH + 1, lineDigest, 0, lineDigest.length());
  }

  static boolean isAfter(ExportPosition a, ExportPosition b) {
    return a.fileIndex() > b.fileIndex() || (a.fileIndex() == b.fileIndex() && a.line() > b.line());
  }

  static Instant parseInstant(String text) {
    return SegmentEvents.parseTime(text);
  }

  private static final class Prepared {
    ExportPosition last;
    int lines;
    // Unreadable lines up to and including this batch.
    long malformed;
    final List<String> members = new ArrayList<>();
    final List<IdentityRecord> identities = new ArrayList<>();
    final List<ProfileUpdate> updates = new ArrayList<>();
    final List<String> brazeIds = new ArrayList<>();
    final List<String> hashes = new ArrayList<>();
    final List<OdpEvent> events = new ArrayList<>();
    // Entries announced with the batch (sent after its custom events, in the same requests).
    final List<OdpEvent> entryEvents = new ArrayList<>();
    final Set<String> announced = new LinkedHashSet<>();
    // Users whose profile is unchanged but whose export line is not: their new line digest.
    final Map<String, String> refreshed = new LinkedHashMap<>();
    int read;

    Prepared(ExportPosition last, int lines) {
      this.last = last;
      this.lines = lines;
    }

    /** Takes in the batch that follows this one in the export. */
    void absorb(Prepared next) {
      last = next.last;
      lines += next.lines;
      malformed = next.malformed;
      members.addAll(next.members);
      identities.addAll(next.identities);
      updates.addAll(next.updates);
      brazeIds.addAll(next.brazeIds);
      hashes.addAll(next.hashes);
      events.addAll(next.events);
      entryEvents.addAll(next.entryEvents);
      announced.addAll(next.announced);
      refreshed.putAll(next.refreshed);
    }
  }

  private static final class Upload {
    BatchResult profiles;
    BatchResult events;
    OdpException profileFailure;
    OdpException eventFailure;
  }

  /** What the segments of one run share. */
  private static final class RunShared {
    final boolean several;
    final Instant eventsSince;
    final long lineSeed;
    // Look-ups that run beside the segment thread's own, one thread per segment thread.
    final ExecutorService lookups;
    // Each segment's export is read (inflated, split into lines) ahead on one of these.
    final ExecutorService readers;
    // Only with several segments: a user read by one of them is not counted again by another.
    private final SeenUsers seen = new SeenUsers();

    RunShared(
        boolean several,
        Instant eventsSince,
        long lineSeed,
        ExecutorService lookups,
        ExecutorService readers) {
      this.several = several;
      this.eventsSince = eventsSince;
      this.lineSeed = lineSeed;
      this.lookups = lookups;
      this.readers = readers;
    }

    boolean firstSighting(String brazeId) {
      return seen.add(brazeId);
    }
  }

  private record Pending(Prepared prepared, Future<Upload> future) {}

  /** How one segment ended. */
  private enum Outcome {
    COMPLETE,
    PARTIAL,
    FAILED
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Builds a {@link SegmentSync}. */
  public static final class Builder {
    private BrazeGateway braze;
    private OdpGateway odp;
    private SyncStateStore state;
    private Selection selection = Selection.none();
    private FieldMappings mappings = FieldMappings.defaults();
    private IdentityRule identity = IdentityRule.defaults();
    private int batchSize = 500;
    private int concurrentExports = 4;
    private int maxInFlight = 4;
    private Duration exportTimeout = Duration.ofHours(2);
    private Duration exportUrlValidity = Duration.ofHours(4);
    private boolean createMissingFields;
    private boolean fullResync;
    private Clock clock = Clock.systemUTC();
    private ProgressListener progress = ProgressListener.none();
    private Duration lockWait = Duration.ZERO;
    private Duration lockLease = RunLock.DEFAULT_LEASE;
    private Sleeper sleeper = Sleeper.system();
    private RequestCounter requests;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;

    private Builder() {}

    /**
     * Sets how often a checkpoint that only moves the export position is written (default {@link
     * #DEFAULT_CHECKPOINT_INTERVAL}; zero writes one after every batch). Batches that upserted
     * anything are committed with their checkpoint at once whatever this says, so a crash still
     * resends at most the batches in flight; what the interval saves is a commit per batch of
     * unchanged users, which a resumed run reads again and sends nothing for.
     */
    public Builder checkpointInterval(Duration interval) {
      Objects.requireNonNull(interval, "checkpointInterval");
      if (interval.isNegative()) {
        throw new IllegalArgumentException(
            "checkpointInterval must not be negative, was " + interval);
      }
      this.checkpointInterval = interval;
      return this;
    }

    /**
     * Sets how long to wait when another run holds one of the selected segments (default zero: a
     * second run refuses at once with {@link RunLockedException}).
     */
    public Builder waitForLock(Duration wait) {
      Objects.requireNonNull(wait, "waitForLock");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("waitForLock must not be negative, was " + wait);
      }
      this.lockWait = wait;
      return this;
    }

    /**
     * Sets the run lock's lease (default {@link RunLock#DEFAULT_LEASE}): how soon a crashed run's
     * segments may be taken over. A running sync renews it every third of the lease.
     */
    public Builder lockLease(Duration lease) {
      Objects.requireNonNull(lease, "lockLease");
      if (lease.isNegative() || lease.isZero()) {
        throw new IllegalArgumentException("lockLease must be positive, was " + lease);
      }
      this.lockLease = lease;
      return this;
    }

    /** Sets how waiting for the run lock sleeps (tests pass a recording sleeper). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Counts HTTP requests and retries through the clients' listeners, so that the activity record
     * reports them as the servers saw them (without it, calls count operations and retries stay
     * zero).
     */
    public Builder requestCounter(RequestCounter counter) {
      this.requests = Objects.requireNonNull(counter, "requestCounter");
      return this;
    }

    /** Sets the Braze side (required). */
    public Builder braze(BrazeGateway braze) {
      this.braze = Objects.requireNonNull(braze, "braze");
      return this;
    }

    /** Sets the ODP side (required). */
    public Builder odp(OdpGateway odp) {
      this.odp = Objects.requireNonNull(odp, "odp");
      return this;
    }

    /** Sets the state store (required). */
    public Builder state(SyncStateStore state) {
      this.state = Objects.requireNonNull(state, "state");
      return this;
    }

    /** Sets which segments to import (default none: nothing is imported). */
    public Builder selection(Selection selection) {
      this.selection = Objects.requireNonNull(selection, "selection");
      return this;
    }

    /** Sets the mapping rules (default {@link FieldMappings#defaults()}). */
    public Builder mappings(FieldMappings mappings) {
      this.mappings = Objects.requireNonNull(mappings, "mappings");
      return this;
    }

    /**
     * Sets the identity rule (default email, then phone, each only while the mappings write it; an
     * explicit {@link IdentityRule#of} rule is used as given).
     */
    public Builder identity(IdentityRule identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /** Sets profiles per ODP upsert (default 500, ODP's documented maximum). */
    public Builder batchSize(int batchSize) {
      this.batchSize = positive("batchSize", batchSize);
      return this;
    }

    /** Sets how many segment exports run at once (default 4). */
    public Builder concurrentExports(int n) {
      this.concurrentExports = positive("concurrentExports", n);
      return this;
    }

    /** Sets how many ODP requests may be in flight at once (default 4). */
    public Builder maxInFlight(int n) {
      this.maxInFlight = positive("maxInFlight", n);
      return this;
    }

    /** Sets how long to wait for an export to become ready (default 2 hours). */
    public Builder exportTimeout(Duration timeout) {
      this.exportTimeout = Objects.requireNonNull(timeout, "exportTimeout");
      return this;
    }

    /** Sets how long an export URL stays usable for resuming (default 4 hours, as Braze says). */
    public Builder exportUrlValidity(Duration validity) {
      this.exportUrlValidity = Objects.requireNonNull(validity, "exportUrlValidity");
      return this;
    }

    /** Creates missing prefixed custom fields in ODP before the run (default off). */
    public Builder createMissingFields(boolean create) {
      this.createMissingFields = create;
      return this;
    }

    /** Ignores stored hashes and upserts every matched user (default off). */
    public Builder fullResync(boolean fullResync) {
      this.fullResync = fullResync;
      return this;
    }

    /** Sets the clock (run times, export deadlines, URL validity). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the progress listener. */
    public Builder progress(ProgressListener progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** Builds the sync. */
    public SegmentSync build() {
      return new SegmentSync(this);
    }

    private static int positive(String field, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(field + " must be at least 1, was " + value);
      }
      return value;
    }
  }
}
