package io.github.brazeodp.sync.fake;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.BrazeBadRequestException;
import io.github.brazeodp.braze.BrazeError;
import io.github.brazeodp.braze.BrazeException;
import io.github.brazeodp.braze.BrazeExportException;
import io.github.brazeodp.braze.BrazeIoException;
import io.github.brazeodp.braze.BrazeRateLimitException;
import io.github.brazeodp.braze.BrazeServerException;
import io.github.brazeodp.braze.ExportIdsRequest;
import io.github.brazeodp.braze.ExportIdsResponse;
import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.MessageDetails;
import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.braze.SegmentDetails;
import io.github.brazeodp.braze.Sleeper;
import io.github.brazeodp.braze.TrackEvent;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.braze.TrackPurchase;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.TrackResponse;
import io.github.brazeodp.braze.TriggerResponse;
import io.github.brazeodp.braze.TriggerSend;
import io.github.brazeodp.braze.UserAttributes;
import io.github.brazeodp.braze.UserIdentifier;
import io.github.brazeodp.sync.port.BrazeGateway;
import io.github.brazeodp.sync.port.ExportHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * An in-memory Braze workspace for tests: seed users, segments, campaigns and Canvases; inspect
 * what the code under test tracked and triggered; break it on purpose.
 *
 * <p>It behaves like Braze where the flows care: segments page by creation order, one export per
 * segment runs at a time (a second one answers 429), exports are ZIPs of newline-delimited JSON
 * with 5,000 users per file, an unknown campaign answers 400 "Invalid Campaign ID", a paused or
 * archived Canvas answers success with a notice, track requests over the limit are refused, and a
 * track request whose every object is invalid fails as a whole with 400 (otherwise bad objects come
 * back in {@code errors} and are not counted as processed). Time comes from the injected clock;
 * waiting for a slow export goes through the injected sleeper. Thread-safe.
 */
public final class InMemoryBraze implements BrazeGateway {
  /** Operations that faults can target. */
  public enum Operation {
    /** Listing segments. */
    LIST_SEGMENTS,
    /** Starting an export. */
    START_EXPORT,
    /** Downloading an export. */
    OPEN_EXPORT,
    /** {@code /users/track}. */
    TRACK,
    /** Campaign and Canvas trigger sends. */
    TRIGGER
  }

  /** State of a Canvas, which decides the notice Braze answers with. */
  public enum CanvasState {
    /** Live: sends go out. */
    ACTIVE,
    /** Paused: success with a notice, nothing sent. */
    PAUSED,
    /** Archived: success with a notice, nothing sent. */
    ARCHIVED
  }

  /**
   * A trigger call as Braze received it.
   *
   * @param kind {@code campaign} or {@code canvas}
   * @param id the campaign or Canvas id
   * @param send what was sent
   * @param dispatchId the dispatch id answered
   * @param delivered whether messages went out (false for a paused or archived Canvas)
   */
  public record Trigger(
      String kind, String id, TriggerSend send, String dispatchId, boolean delivered) {}

  /** Braze's fatal message when no object of a track request is valid. */
  static final String NO_VALID_DATA =
      "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.";

  private static final String INVALID_SEGMENT = "Invalid segment ID";

  private static final JsonAdapter<ExportedUser> USER_JSON =
      new Moshi.Builder().build().adapter(ExportedUser.class);

  private final Clock clock;
  private final Sleeper sleeper;
  private final TrackLimit trackLimit;
  private final Object lock = new Object();
  private final Map<String, ExportedUser> usersByBrazeId = new LinkedHashMap<>();
  private final Map<String, SegmentDef> segments = new LinkedHashMap<>();
  private final Map<String, Instant> runningExports = new HashMap<>();
  private final Map<String, ExportSnapshot> exports = new HashMap<>();
  private final Map<String, Boolean> campaigns = new LinkedHashMap<>();
  private final Map<String, CanvasState> canvases = new LinkedHashMap<>();
  private final List<TrackRequest> tracked = new ArrayList<>();
  private final List<Trigger> triggers = new ArrayList<>();
  private final List<ExportHandle> exportsStarted = new ArrayList<>();
  private final Map<Operation, Integer> calls = new HashMap<>();
  private final FaultPlan<Operation> faults = new FaultPlan<>(Operation.class);
  private Duration exportDelay = Duration.ZERO;
  private int usersPerFile = ZipExportStream.USERS_PER_FILE;
  private int sequence;

  /** Creates an empty workspace with the system clock, real sleeping and the 50-combined limit. */
  public InMemoryBraze() {
    this(Clock.systemUTC(), Sleeper.system(), TrackLimit.COMBINED_50);
  }

  /** Creates an empty workspace on the given clock, sleeper and track limit. */
  public InMemoryBraze(Clock clock, Sleeper sleeper, TrackLimit trackLimit) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.trackLimit = Objects.requireNonNull(trackLimit, "trackLimit");
  }

  // ---- seeding ---------------------------------------------------------------------------

  /** Adds or replaces users, keyed by {@code braze_id} (which must be set). */
  public InMemoryBraze putUsers(Collection<ExportedUser> users) {
    synchronized (lock) {
      for (ExportedUser u : users) {
        if (u.brazeId() == null) {
          throw new IllegalArgumentException("a seeded user needs a braze_id: " + u);
        }
        usersByBrazeId.put(u.brazeId(), u);
      }
    }
    return this;
  }

  /** Adds or replaces one user. */
  public InMemoryBraze putUser(ExportedUser user) {
    return putUsers(List.of(user));
  }

  /** Returns a user by Braze id, or null. */
  public ExportedUser user(String brazeId) {
    synchronized (lock) {
      return usersByBrazeId.get(brazeId);
    }
  }

  /** Returns every user. */
  public List<ExportedUser> users() {
    synchronized (lock) {
      return List.copyOf(usersByBrazeId.values());
    }
  }

  /** Defines a segment whose members are seeded users, by Braze id. */
  public InMemoryBraze putSegment(String id, String name, Collection<String> memberBrazeIds) {
    return define(id, name, List.copyOf(memberBrazeIds), 0, null, null);
  }

  /**
   * Defines a segment of {@code size} generated users, produced on demand when exported, so that
   * millions of users cost no memory.
   */
  public InMemoryBraze putGeneratedSegment(
      String id, String name, int size, IntFunction<ExportedUser> generator) {
    return define(id, name, List.of(), size, generator, null);
  }

  /**
   * Defines a segment of {@code size} users whose every export is the ZIP archive at {@code
   * archive}, served as it is whatever fields the export asks for. For benchmarks: producing an
   * export is Braze's work, which a generated segment would otherwise do on the measured machine
   * while it is downloaded.
   */
  public InMemoryBraze putArchivedSegment(String id, String name, int size, Path archive) {
    Objects.requireNonNull(archive, "archive");
    return define(id, name, List.of(), size, null, archive);
  }

  /** Removes a segment, as archiving it in Braze would. */
  public InMemoryBraze removeSegment(String id) {
    synchronized (lock) {
      segments.remove(id);
    }
    return this;
  }

  /** Adds an API-triggered campaign. */
  public InMemoryBraze putCampaign(String id) {
    synchronized (lock) {
      campaigns.put(id, Boolean.TRUE);
    }
    return this;
  }

  /** Adds an API-triggered campaign, {@code enabled} or stopped (details report it inactive). */
  public InMemoryBraze putCampaign(String id, boolean enabled) {
    synchronized (lock) {
      campaigns.put(id, enabled);
    }
    return this;
  }

  /**
   * Returns a campaign's details as {@code /campaigns/details} answers them (the fake names it by
   * its id), or empty when there is no such campaign.
   */
  public Optional<MessageDetails> campaignDetails(String id) {
    synchronized (lock) {
      Boolean enabled = campaigns.get(id);
      return enabled == null
          ? Optional.empty()
          : Optional.of(new MessageDetails(id, enabled, false, false, null, null));
    }
  }

  /**
   * Returns a Canvas's details as {@code /canvas/details} answers them (a paused Canvas is not
   * enabled, an archived one archived), or empty when there is no such Canvas.
   */
  public Optional<MessageDetails> canvasDetails(String id) {
    synchronized (lock) {
      CanvasState state = canvases.get(id);
      return state == null
          ? Optional.empty()
          : Optional.of(
              new MessageDetails(
                  id,
                  state == CanvasState.ACTIVE,
                  state == CanvasState.ARCHIVED,
                  false,
                  null,
                  null));
    }
  }

  /** Adds an API-triggered Canvas in the given state. */
  public InMemoryBraze putCanvas(String id, CanvasState state) {
    synchronized (lock) {
      canvases.put(id, state);
    }
    return this;
  }

  // ---- breaking ----------------------------------------------------------------------------

  /** Makes the next {@code times} calls of {@code operation} (or of any, when null) fail. */
  public InMemoryBraze failNext(Operation operation, int times, Fault fault) {
    synchronized (lock) {
      faults.add(operation, times, fault);
    }
    return this;
  }

  /** Makes exports become downloadable only {@code delay} after they were requested. */
  public InMemoryBraze exportReadyAfter(Duration delay) {
    synchronized (lock) {
      this.exportDelay = Objects.requireNonNull(delay, "delay");
    }
    return this;
  }

  /** Sets how many users each file of an export archive holds (Braze: about 5,000). */
  public InMemoryBraze exportFileSize(int users) {
    if (users < 1) {
      throw new IllegalArgumentException("users per file must be at least 1, was " + users);
    }
    synchronized (lock) {
      this.usersPerFile = users;
    }
    return this;
  }

  // ---- inspecting --------------------------------------------------------------------------

  /** Returns every track request received, in order. */
  public List<TrackRequest> tracked() {
    synchronized (lock) {
      return List.copyOf(tracked);
    }
  }

  /** Returns every trigger call received, in order. */
  public List<Trigger> triggers() {
    synchronized (lock) {
      return List.copyOf(triggers);
    }
  }

  /** Returns every export started, in order. */
  public List<ExportHandle> exportsStarted() {
    synchronized (lock) {
      return List.copyOf(exportsStarted);
    }
  }

  /** Returns how often an operation was called, failed calls included. */
  public int calls(Operation operation) {
    synchronized (lock) {
      return calls.getOrDefault(operation, 0);
    }
  }

  // ---- BrazeGateway ------------------------------------------------------------------------

  @Override
  public Iterable<Segment> segments() {
    List<Segment> list;
    synchronized (lock) {
      enter(Operation.LIST_SEGMENTS, "/segments/list", false);
      list =
          segments.values().stream()
              .sorted(java.util.Comparator.comparingInt(SegmentDef::order))
              .map(s -> new Segment(s.id(), s.name(), true, List.of()))
              .toList();
    }
    return list;
  }

  @Override
  public ExportHandle startSegmentExport(ExportSegmentRequest request) {
    synchronized (lock) {
      enter(Operation.START_EXPORT, "/users/export/segment", false);
      SegmentDef segment = segments.get(request.segmentId());
      if (segment == null) {
        throw new BrazeBadRequestException(
            "/users/export/segment",
            400,
            Map.of(),
            "Invalid segment ID",
            List.of(),
            "{\"message\":\"Invalid segment ID\"}");
      }
      Instant now = clock.instant();
      Instant readyAt = runningExports.get(segment.id());
      if (readyAt != null && now.isBefore(readyAt)) {
        throw new BrazeRateLimitException(
            "/users/export/segment",
            Map.of(),
            "An export of this segment is already in progress",
            List.of(),
            "",
            Duration.between(now, readyAt));
      }
      String prefix = segment.id() + "-" + (++sequence) + "-" + now.getEpochSecond();
      Instant ready = now.plus(exportDelay);
      runningExports.put(segment.id(), ready);
      exports.put(prefix, new ExportSnapshot(segment, snapshot(segment), ready, request));
      ExportHandle handle =
          new ExportHandle(segment.id(), prefix, "memory://exports/" + prefix + ".zip", now);
      exportsStarted.add(handle);
      return handle;
    }
  }

  private List<ExportedUser> snapshot(SegmentDef segment) {
    if (segment.generator() != null || segment.archive() != null) {
      return null;
    }
    List<ExportedUser> members = new ArrayList<>();
    for (String id : segment.members()) {
      ExportedUser u = usersByBrazeId.get(id);
      if (u != null) {
        members.add(u);
      }
    }
    return members;
  }

  @Override
  public void awaitExport(ExportHandle export, Instant deadline) {
    Instant readyAt;
    synchronized (lock) {
      ExportSnapshot snap = exports.get(export.objectPrefix());
      if (snap == null) {
        throw new BrazeExportException(
            "export " + export.objectPrefix() + " is unknown or expired", 404, null);
      }
      readyAt = snap.readyAt();
    }
    while (clock.instant().isBefore(readyAt)) {
      Instant now = clock.instant();
      if (!now.isBefore(deadline)) {
        throw new BrazeExportException(
            "export of segment " + export.segmentId() + " was not ready by " + deadline, 404, null);
      }
      Duration wait = Duration.between(now, readyAt.isBefore(deadline) ? readyAt : deadline);
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BrazeException("interrupted while waiting for the export", e);
      }
    }
  }

  @Override
  public ExportUserStream openExport(ExportHandle export, ExportReadOptions options) {
    return ExportUserStream.open(
        openExportArchive(export.objectPrefix()), export.objectPrefix() + ".zip", options);
  }

  /**
   * Opens the raw ZIP archive of a ready export, as its download URL serves it; produced lazily as
   * it is read.
   *
   * @throws BrazeExportException with status 404 when the export is unknown, cancelled or not ready
   *     yet
   */
  public InputStream openExportArchive(String objectPrefix) {
    ExportSnapshot snap;
    int perFile;
    synchronized (lock) {
      enter(Operation.OPEN_EXPORT, "export download", false);
      snap = exports.get(objectPrefix);
      if (snap == null) {
        throw new BrazeExportException(
            "export " + objectPrefix + " is unknown or expired", 404, null);
      }
      if (clock.instant().isBefore(snap.readyAt())) {
        throw new BrazeExportException(
            "export of segment " + snap.segment().id() + " is not ready yet", 404, null);
      }
      perFile = usersPerFile;
    }
    if (snap.segment().archive() != null) {
      try {
        return Files.newInputStream(snap.segment().archive());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    IntFunction<ExportedUser> source;
    int size;
    if (snap.users() != null) {
      List<ExportedUser> users = snap.users();
      source = users::get;
      size = users.size();
    } else {
      source = snap.segment().generator();
      size = snap.segment().size();
    }
    ExportSegmentRequest request = snap.request();
    return new ZipExportStream(size, perFile, i -> Users.projectedJson(source.apply(i), request));
  }

  /**
   * Returns when an export becomes downloadable, or empty when no export has that prefix (never
   * started, or cancelled).
   */
  public Optional<Instant> exportReadyAt(String objectPrefix) {
    synchronized (lock) {
      ExportSnapshot snap = exports.get(objectPrefix);
      return snap == null ? Optional.empty() : Optional.of(snap.readyAt());
    }
  }

  /**
   * Cancels every export of a segment, as {@code /export/segment/cancel} does: their archives are
   * gone and a new export may start at once.
   *
   * @throws BrazeBadRequestException when the segment is unknown
   */
  public void cancelSegmentExport(String segmentId) {
    synchronized (lock) {
      if (!segments.containsKey(segmentId)) {
        throw badRequest("/export/segment/cancel", INVALID_SEGMENT);
      }
      runningExports.remove(segmentId);
      exports.values().removeIf(snap -> snap.segment().id().equals(segmentId));
    }
  }

  /** Returns the details of a segment, as {@code /segments/details} shows them. */
  public Optional<SegmentDetails> segmentDetails(String segmentId) {
    synchronized (lock) {
      SegmentDef s = segments.get(segmentId);
      if (s == null) {
        return Optional.empty();
      }
      int size = s.generator() != null || s.archive() != null ? s.size() : s.members().size();
      String created = s.createdAt().toString();
      return Optional.of(
          new SegmentDetails(
              s.name(),
              "in-memory segment of " + size + " users",
              null,
              created,
              created,
              List.of(),
              List.of()));
    }
  }

  /**
   * Looks users up by identifier, as {@code /users/export/ids} does: the users found, projected on
   * {@code fields_to_export} (all fields when absent), and the external ids that matched nobody.
   */
  public ExportIdsResponse exportIds(ExportIdsRequest request) {
    synchronized (lock) {
      List<ExportedUser> found = new ArrayList<>();
      List<String> invalid = new ArrayList<>();
      List<UserIdentifier> wanted = new ArrayList<>();
      if (request.externalIds() != null) {
        for (String id : request.externalIds()) {
          if (find(UserIdentifier.externalId(id)) == null) {
            invalid.add(id);
          } else {
            wanted.add(UserIdentifier.externalId(id));
          }
        }
      }
      if (request.userAliases() != null) {
        request.userAliases().forEach(a -> wanted.add(UserIdentifier.alias(a)));
      }
      if (request.brazeId() != null) {
        wanted.add(UserIdentifier.brazeId(request.brazeId()));
      }
      if (request.emailAddress() != null) {
        wanted.add(UserIdentifier.email(request.emailAddress()));
      }
      if (request.phone() != null) {
        wanted.add(UserIdentifier.phone(request.phone()));
      }
      for (UserIdentifier id : wanted) {
        ExportedUser u = find(id);
        if (u != null && !found.contains(u)) {
          found.add(
              request.fieldsToExport() == null
                  ? u
                  : Users.project(u, ExportSegmentRequest.of("ids", request.fieldsToExport())));
        }
      }
      return new ExportIdsResponse("success", found, invalid);
    }
  }

  @Override
  public TrackResponse track(TrackRequest request) {
    if (request.isEmpty()) {
      throw new IllegalArgumentException(
          "request has no attributes, events or purchases: nothing to send");
    }
    if (!trackLimit.fits(request)) {
      throw new IllegalArgumentException(
          "request has "
              + request.objectCount()
              + " objects, over the limit of "
              + trackLimit
              + " objects per request");
    }
    synchronized (lock) {
      Fault fault = enter(Operation.TRACK, "/users/track", true);
      List<BrazeError> errors = new ArrayList<>();
      for (int i = 0; i < request.attributes().size(); i++) {
        UserAttributes a = request.attributes().get(i);
        String problem = invalidEmail(a.identifier(), a.values().get("email"));
        if (problem != null) {
          errors.add(new BrazeError(problem, "attributes", i));
        } else {
          applyAttributes(a);
        }
      }
      for (int i = 0; i < request.events().size(); i++) {
        TrackEvent e = request.events().get(i);
        String problem = invalidEmail(e.identifier(), null);
        if (problem != null) {
          errors.add(new BrazeError(problem, "events", i));
        }
      }
      for (int i = 0; i < request.purchases().size(); i++) {
        TrackPurchase p = request.purchases().get(i);
        String problem = invalidEmail(p.identifier(), null);
        if (problem != null) {
          errors.add(new BrazeError(problem, "purchases", i));
        }
      }
      int rejectedAttributes = 0;
      int rejectedEvents = 0;
      int rejectedPurchases = 0;
      for (BrazeError e : errors) {
        switch (e.inputArray()) {
          case "attributes" -> rejectedAttributes++;
          case "events" -> rejectedEvents++;
          default -> rejectedPurchases++;
        }
      }
      if (errors.size() == request.objectCount()) {
        // Braze refuses a request in which no object is valid as a whole, with a fatal 400.
        afterProcessing(fault, "/users/track");
        throw new BrazeBadRequestException(
            "/users/track",
            400,
            Map.of(),
            NO_VALID_DATA,
            errors,
            "{\"message\":\"" + NO_VALID_DATA + "\"}");
      }
      tracked.add(request);
      afterProcessing(fault, "/users/track");
      return new TrackResponse(
          "success",
          request.attributes().size() - rejectedAttributes,
          request.events().size() - rejectedEvents,
          request.purchases().size() - rejectedPurchases,
          errors);
    }
  }

  private static String invalidEmail(UserIdentifier id, Object emailAttribute) {
    String email = id.type() == UserIdentifier.Type.EMAIL ? id.value() : null;
    if (emailAttribute instanceof String s) {
      email = s;
    }
    if (email != null && (!email.contains("@") || email.startsWith("@") || email.endsWith("@"))) {
      return "The value provided for the 'email' field is not a valid email.";
    }
    return null;
  }

  private void applyAttributes(UserAttributes a) {
    ExportedUser existing = find(a.identifier());
    if (existing == null) {
      if (Boolean.TRUE.equals(a.updateExistingOnly())
          || a.identifier().type() == UserIdentifier.Type.USER_ALIAS) {
        return;
      }
      String brazeId = "fake-" + (++sequence);
      existing = Users.withIdentifier(Users.empty(brazeId), a.identifier());
    }
    usersByBrazeId.put(existing.brazeId(), Users.apply(existing, a.values()));
  }

  private ExportedUser find(UserIdentifier id) {
    for (ExportedUser u : usersByBrazeId.values()) {
      boolean match =
          switch (id.type()) {
            case EXTERNAL_ID -> id.value().equals(u.externalId());
            case BRAZE_ID -> id.value().equals(u.brazeId());
            case EMAIL -> id.value().equalsIgnoreCase(String.valueOf(u.email()));
            case PHONE -> id.value().equals(u.phone());
            case USER_ALIAS -> u.userAliases().contains(id.alias());
          };
      if (match) {
        return u;
      }
    }
    return null;
  }

  @Override
  public TrackLimit trackLimit() {
    return trackLimit;
  }

  @Override
  public TriggerResponse triggerCampaign(TriggerSend send) {
    synchronized (lock) {
      Fault fault = enter(Operation.TRIGGER, "/campaigns/trigger/send", true);
      if (!campaigns.containsKey(send.id())) {
        throw badRequest("/campaigns/trigger/send", "Invalid Campaign ID");
      }
      String dispatchId = "dispatch-" + (++sequence);
      triggers.add(new Trigger("campaign", send.id(), send, dispatchId, true));
      applyRecipientAttributes(send);
      afterProcessing(fault, "/campaigns/trigger/send");
      return new TriggerResponse("success", dispatchId, null);
    }
  }

  @Override
  public TriggerResponse triggerCanvas(TriggerSend send) {
    synchronized (lock) {
      Fault fault = enter(Operation.TRIGGER, "/canvas/trigger/send", true);
      CanvasState state = canvases.get(send.id());
      if (state == null) {
        throw badRequest("/canvas/trigger/send", "Invalid Canvas ID");
      }
      String dispatchId = "dispatch-" + (++sequence);
      String notice =
          switch (state) {
            case ACTIVE -> null;
            case PAUSED ->
                "The Canvas is paused. Resume the Canvas to ensure trigger requests will take"
                    + " effect.";
            case ARCHIVED ->
                "The Canvas is archived. Unarchive the Canvas to ensure trigger requests will"
                    + " take effect.";
          };
      triggers.add(new Trigger("canvas", send.id(), send, dispatchId, state == CanvasState.ACTIVE));
      if (state == CanvasState.ACTIVE) {
        applyRecipientAttributes(send);
      }
      afterProcessing(fault, "/canvas/trigger/send");
      return new TriggerResponse("success", dispatchId, notice);
    }
  }

  private void applyRecipientAttributes(TriggerSend send) {
    for (Recipient r : send.recipients()) {
      if (r.attributes().isEmpty()) {
        continue;
      }
      UserIdentifier id =
          r.externalUserId() != null
              ? UserIdentifier.externalId(r.externalUserId())
              : r.email() != null
                  ? UserIdentifier.email(r.email())
                  : r.brazeId() != null
                      ? UserIdentifier.brazeId(r.brazeId())
                      : UserIdentifier.alias(r.userAlias());
      ExportedUser u = find(id);
      if (u != null) {
        usersByBrazeId.put(u.brazeId(), Users.apply(u, r.attributes()));
      }
    }
  }

  private static BrazeBadRequestException badRequest(String endpoint, String message) {
    return new BrazeBadRequestException(
        endpoint, 400, Map.of(), message, List.of(), "{\"message\":\"" + message + "\"}");
  }

  /** Counts the call and throws a fault that stops it before processing. */
  private Fault enter(Operation operation, String endpoint, boolean mayProcess) {
    calls.merge(operation, 1, Integer::sum);
    Fault fault = faults.next(operation);
    if (fault == null || (fault == Fault.RESPONSE_LOST && mayProcess)) {
      return fault;
    }
    throw toException(fault, endpoint);
  }

  /** Throws after processing when the response is to be lost. */
  private static void afterProcessing(Fault fault, String endpoint) {
    if (fault == Fault.RESPONSE_LOST) {
      throw toException(fault, endpoint);
    }
  }

  private static RuntimeException toException(Fault fault, String endpoint) {
    return switch (fault) {
      case RATE_LIMITED ->
          new BrazeRateLimitException(
              endpoint, Map.of(), "Over rate limit", List.of(), "", Duration.ofSeconds(1));
      case SERVER_ERROR ->
          new BrazeServerException(endpoint, 503, Map.of(), "Service Unavailable", List.of(), "");
      case CONNECTION_REFUSED ->
          new BrazeIoException(
              endpoint, false, new java.net.ConnectException("Connection refused"));
      case RESPONSE_LOST ->
          new BrazeIoException(endpoint, true, new SocketTimeoutException("timeout"));
    };
  }

  /**
   * Defines or replaces a segment; a replaced one keeps its place in the list and its creation
   * time.
   */
  private InMemoryBraze define(
      String id,
      String name,
      List<String> members,
      int size,
      IntFunction<ExportedUser> generator,
      Path archive) {
    synchronized (lock) {
      SegmentDef previous = segments.get(id);
      segments.put(
          id,
          new SegmentDef(
              id,
              name,
              members,
              size,
              generator,
              archive,
              previous == null ? sequence++ : previous.order(),
              previous == null ? clock.instant() : previous.createdAt()));
    }
    return this;
  }

  private record SegmentDef(
      String id,
      String name,
      List<String> members,
      int size,
      IntFunction<ExportedUser> generator,
      Path archive,
      int order,
      Instant createdAt) {}

  private record ExportSnapshot(
      SegmentDef segment,
      List<ExportedUser> users,
      Instant readyAt,
      ExportSegmentRequest request) {}
}
