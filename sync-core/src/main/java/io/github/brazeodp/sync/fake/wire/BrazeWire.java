package io.github.brazeodp.sync.fake.wire;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.AttributeOperation;
import io.github.brazeodp.braze.BrazeApiException;
import io.github.brazeodp.braze.BrazeBadRequestException;
import io.github.brazeodp.braze.BrazeError;
import io.github.brazeodp.braze.BrazeException;
import io.github.brazeodp.braze.BrazeExportException;
import io.github.brazeodp.braze.BrazeIoException;
import io.github.brazeodp.braze.BrazeRateLimitException;
import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.braze.ExportIdsRequest;
import io.github.brazeodp.braze.ExportIdsResponse;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.MessageDetails;
import io.github.brazeodp.braze.RateLimits;
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
import io.github.brazeodp.braze.UserAlias;
import io.github.brazeodp.braze.UserAttributes;
import io.github.brazeodp.braze.UserIdentifier;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.port.ExportHandle;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Braze's REST API over an {@link InMemoryBraze}: the endpoints braze-client calls, with Braze's
 * request validation, response bodies, status codes and rate-limit headers.
 *
 * <p>Every API call needs {@code Authorization: Bearer <key>} (401 otherwise) and carries {@code
 * X-RateLimit-Limit/Remaining/Reset} for its endpoint family; a family over its budget (a fixed
 * window on the injected clock) answers 429. Export archives are served without the key from {@code
 * /exports/<object_prefix>.zip}, the URL the export call returns: 404 for an unknown prefix, 403
 * (S3's AccessDenied) until ready, then the ZIP, streamed. The fake's own faults ({@link
 * InMemoryBraze#failNext}) surface as the matching HTTP answers, one per request; the HTTP-level
 * faults here ({@link #failNext}, {@link #dropNext}, {@link #latency}) come on top. Thread-safe.
 */
public final class BrazeWire extends FaultyWire<BrazeWire> {
  /** Path prefix of export downloads. */
  public static final String EXPORTS_PATH = "/exports/";

  private static final long MAX_BODY = 4L * 1024 * 1024;
  private static final String NO_VALID_DATA =
      "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.";
  private static final String ID_REQUIRED =
      "'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is required";
  private static final JsonAdapter<ExportedUser> USER =
      new Moshi.Builder().build().adapter(ExportedUser.class);

  private final InMemoryBraze braze;
  private final String apiKey;
  private final Clock clock;
  private final Sleeper sleeper;
  private final String publicUrl;
  private final RateLimits rateLimits;
  private final Map<EndpointFamily, long[]> windows = new EnumMap<>(EndpointFamily.class);

  private BrazeWire(Builder b) {
    this.braze = b.braze;
    this.apiKey = b.apiKey;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.publicUrl = b.publicUrl;
    this.rateLimits = b.rateLimits;
  }

  /** Returns a builder over {@code braze}. */
  public static Builder builder(InMemoryBraze braze) {
    return new Builder(braze);
  }

  /** Returns the fake whose state this stand-in serves. */
  public InMemoryBraze fake() {
    return braze;
  }

  /** Returns the API key requests must carry. */
  public String apiKey() {
    return apiKey;
  }

  @Override
  BrazeWire self() {
    return this;
  }

  @Override
  void pause(Duration duration) throws InterruptedException {
    sleeper.sleep(duration);
  }

  /** Answers one request. */
  public WireResponse handle(WireRequest request) {
    Objects.requireNonNull(request, "request");
    String path = request.path();
    int fault = enter(path);
    if (fault == HttpFaults.DROP) {
      return WireResponse.dropped();
    }
    if (path.startsWith(EXPORTS_PATH)) {
      if (fault > 0) {
        return message(fault, fault == 429 ? "Over rate limit" : "Internal Server Error");
      }
      return download(request);
    }
    Route route = route(request.method(), path);
    if (route == null) {
      return message(404, "Not Found");
    }
    String auth = request.header("Authorization");
    if (auth == null || !auth.equals("Bearer " + apiKey)) {
      return message(401, "Invalid API key");
    }
    if (fault > 0) {
      WireResponse r = message(fault, fault == 429 ? "Over rate limit" : "Internal Server Error");
      return fault == 429 ? withRate(r, route.family(), true) : r;
    }
    if (request.body().length > MAX_BODY) {
      return message(413, "Request Entity Too Large");
    }
    if (!admit(route.family())) {
      return withRate(message(429, "Over rate limit"), route.family(), false);
    }
    WireResponse response;
    try {
      response = route.handler().handle(this, request);
    } catch (WireJson.Malformed e) {
      response = message(400, "Bad Request: " + e.getMessage());
    } catch (BrazeException e) {
      response = error(e);
    } catch (IllegalArgumentException e) {
      response = message(400, e.getMessage());
    }
    return response.dropConnection() ? response : withRate(response, route.family(), false);
  }

  // ---- routing ------------------------------------------------------------------------------

  @FunctionalInterface
  private interface Handler {
    WireResponse handle(BrazeWire wire, WireRequest request) throws WireJson.Malformed;
  }

  private record Route(EndpointFamily family, Handler handler) {}

  private static Route route(String method, String path) {
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    return switch (path) {
      case "/segments/list" ->
          get ? new Route(EndpointFamily.DEFAULT, BrazeWire::listSegments) : null;
      case "/segments/details" ->
          get ? new Route(EndpointFamily.DEFAULT, BrazeWire::segmentDetails) : null;
      case "/users/export/segment" ->
          post ? new Route(EndpointFamily.DEFAULT, BrazeWire::exportSegment) : null;
      case "/export/segment/cancel" ->
          post ? new Route(EndpointFamily.DEFAULT, BrazeWire::cancelExport) : null;
      case "/users/track" -> post ? new Route(EndpointFamily.USERS_TRACK, BrazeWire::track) : null;
      case "/users/export/ids" ->
          post ? new Route(EndpointFamily.USERS_EXPORT_IDS, BrazeWire::exportIds) : null;
      case "/campaigns/details" ->
          get ? new Route(EndpointFamily.DEFAULT, (w, r) -> w.messageDetails(r, false)) : null;
      case "/canvas/details" ->
          get ? new Route(EndpointFamily.DEFAULT, (w, r) -> w.messageDetails(r, true)) : null;
      case "/campaigns/trigger/send" ->
          post ? new Route(EndpointFamily.MESSAGING, (w, r) -> w.trigger(r, false)) : null;
      case "/canvas/trigger/send" ->
          post ? new Route(EndpointFamily.MESSAGING, (w, r) -> w.trigger(r, true)) : null;
      default -> null;
    };
  }

  // ---- rate limits --------------------------------------------------------------------------

  /** Counts one request in its family's window; false when the budget is spent. */
  private boolean admit(EndpointFamily family) {
    RateLimits.Budget budget = rateLimits.budget(family);
    if (budget == null) {
      return true;
    }
    synchronized (windows) {
      long[] w = window(family, budget);
      if (w[1] >= budget.requests()) {
        return false;
      }
      w[1]++;
      return true;
    }
  }

  /** Returns {start millis, count} of the family's current window. */
  private long[] window(EndpointFamily family, RateLimits.Budget budget) {
    long per = budget.per().toMillis();
    long start = Math.floorDiv(clock.millis(), per) * per;
    long[] w = windows.computeIfAbsent(family, f -> new long[] {start, 0});
    if (w[0] != start) {
      w[0] = start;
      w[1] = 0;
    }
    return w;
  }

  private WireResponse withRate(WireResponse r, EndpointFamily family, boolean exhausted) {
    RateLimits.Budget budget = rateLimits.budget(family);
    if (budget == null) {
      return r;
    }
    long remaining;
    long reset;
    synchronized (windows) {
      long[] w = window(family, budget);
      remaining = exhausted ? 0 : Math.max(0, budget.requests() - w[1]);
      reset = Math.floorDiv(w[0] + budget.per().toMillis() + 999, 1000);
    }
    return r.withHeader("X-RateLimit-Limit", String.valueOf(budget.requests()))
        .withHeader("X-RateLimit-Remaining", String.valueOf(remaining))
        .withHeader("X-RateLimit-Reset", String.valueOf(reset));
  }

  // ---- segments -----------------------------------------------------------------------------

  private WireResponse listSegments(WireRequest request) {
    int page;
    try {
      String p = request.queryParam("page");
      page = p == null ? 0 : Integer.parseInt(p);
    } catch (NumberFormatException e) {
      return message(400, "page must be an integer, was \"" + request.queryParam("page") + "\"");
    }
    String direction = request.queryParam("sort_direction");
    if (page < 0 || (direction != null && !direction.equals("asc") && !direction.equals("desc"))) {
      return message(400, "Invalid page or sort_direction");
    }
    List<Segment> all = new ArrayList<>();
    braze.segments().forEach(all::add);
    if ("desc".equals(direction)) {
      java.util.Collections.reverse(all);
    }
    int from = (int) Math.min((long) page * 100, all.size());
    List<Object> items = new ArrayList<>();
    for (Segment s : all.subList(from, Math.min(all.size(), from + 100))) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", s.id());
      m.put("name", s.name());
      m.put("analytics_tracking_enabled", s.analyticsTrackingEnabled());
      m.put("tags", s.tags());
      items.add(m);
    }
    return ok(200, Map.of("message", "success", "segments", items));
  }

  private WireResponse segmentDetails(WireRequest request) {
    String id = request.queryParam("segment_id");
    Optional<SegmentDetails> details = id == null ? Optional.empty() : braze.segmentDetails(id);
    if (details.isEmpty()) {
      return message(400, "Invalid segment ID");
    }
    SegmentDetails d = details.get();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", "success");
    m.put("created_at", d.createdAt());
    m.put("updated_at", d.updatedAt());
    m.put("name", d.name());
    m.put("description", d.description());
    m.put("text_description", d.textDescription());
    m.put("tags", d.tags());
    m.put("teams", d.teams());
    return ok(200, m);
  }

  private WireResponse messageDetails(WireRequest request, boolean canvas) {
    String param = canvas ? "canvas_id" : "campaign_id";
    String id = request.queryParam(param);
    Optional<MessageDetails> details =
        id == null
            ? Optional.empty()
            : canvas ? braze.canvasDetails(id) : braze.campaignDetails(id);
    if (details.isEmpty()) {
      return message(400, "Invalid " + param);
    }
    MessageDetails d = details.get();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", "success");
    m.put("name", d.name());
    m.put("archived", d.archived());
    m.put("draft", d.draft());
    m.put("enabled", d.enabled());
    return ok(200, m);
  }

  // ---- exports ------------------------------------------------------------------------------

  /**
   * A POST Braze owes to an export's {@code callback_endpoint} once the export is ready.
   *
   * @param endpoint the callback URL the export request named
   * @param downloadUrl the download URL to report
   * @param dueAt when the export becomes ready
   */
  public record Callback(String endpoint, String downloadUrl, Instant dueAt) {
    /** Returns the JSON body Braze posts: {@code {"success": true, "url": ...}}. */
    public String body() {
      return "{\"success\":true,\"url\":\"" + downloadUrl.replace("\"", "\\\"") + "\"}";
    }
  }

  private final List<Callback> callbacks = new ArrayList<>();

  /**
   * Removes and returns the export callbacks due at {@code now}; the host delivers them (the wire
   * itself makes no outgoing calls).
   */
  public List<Callback> takeDueCallbacks(Instant now) {
    synchronized (callbacks) {
      List<Callback> due = new ArrayList<>();
      callbacks.removeIf(
          c -> {
            if (!c.dueAt().isAfter(now)) {
              due.add(c);
              return true;
            }
            return false;
          });
      return due;
    }
  }

  private WireResponse exportSegment(WireRequest request) throws WireJson.Malformed {
    Map<String, Object> body = requireObject(request);
    ExportSegmentRequest export =
        new ExportSegmentRequest(
            WireJson.text(body.get("segment_id")),
            WireJson.text(body.get("callback_endpoint")),
            strings(body.get("fields_to_export"), "fields_to_export"),
            strings(body.get("custom_attributes_to_export"), "custom_attributes_to_export"),
            WireJson.text(body.get("output_format")));
    ExportHandle handle = braze.startSegmentExport(export);
    String url = baseUrl(request) + EXPORTS_PATH + handle.objectPrefix() + ".zip";
    if (export.callbackEndpoint() != null) {
      synchronized (callbacks) {
        callbacks.add(
            new Callback(
                export.callbackEndpoint(),
                url,
                braze.exportReadyAt(handle.objectPrefix()).orElse(handle.requestedAt())));
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", "success");
    m.put("object_prefix", handle.objectPrefix());
    m.put("url", url);
    return ok(201, m);
  }

  private WireResponse cancelExport(WireRequest request) throws WireJson.Malformed {
    String id = WireJson.text(requireObject(request).get("segment_id"));
    if (id == null || id.isBlank()) {
      return message(400, "Invalid segment ID");
    }
    braze.cancelSegmentExport(id);
    return ok(201, Map.of("message", "success"));
  }

  private WireResponse download(WireRequest request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      return s3(405, "MethodNotAllowed", "The specified method is not allowed");
    }
    String name = request.path().substring(EXPORTS_PATH.length());
    String prefix = name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
    Optional<Instant> readyAt = braze.exportReadyAt(prefix);
    if (readyAt.isEmpty()) {
      return s3(404, "NoSuchKey", "The specified key does not exist.");
    }
    if (clock.instant().isBefore(readyAt.get())) {
      // S3 answers AccessDenied for an object that is not there yet under a presigned URL.
      return s3(403, "AccessDenied", "Access Denied");
    }
    String range = request.header("Range");
    if (range != null && range.trim().equals("bytes=0-0")) {
      // The readiness probe asks for one byte; every ZIP starts with 'P' (PK signature).
      return WireResponse.bytes(206, "application/zip", new byte[] {'P'})
          .withHeader("Content-Range", "bytes 0-0/*");
    }
    InputStream archive;
    try {
      archive = braze.openExportArchive(prefix);
    } catch (BrazeExportException e) {
      return s3(404, "NoSuchKey", "The specified key does not exist.");
    } catch (BrazeException e) {
      return error(e);
    }
    return WireResponse.stream(200, "application/zip", () -> archive);
  }

  private WireResponse exportIds(WireRequest request) throws WireJson.Malformed {
    Map<String, Object> body = requireObject(request);
    List<UserAlias> aliases = null;
    List<Object> rawAliases = WireJson.array(body.get("user_aliases"));
    if (rawAliases != null) {
      aliases = new ArrayList<>();
      for (Object o : rawAliases) {
        aliases.add(alias(o));
      }
    }
    ExportIdsRequest ids;
    try {
      ids =
          new ExportIdsRequest(
              strings(body.get("external_ids"), "external_ids"),
              aliases,
              WireJson.text(body.get("device_id")),
              WireJson.text(body.get("braze_id")),
              WireJson.text(body.get("email_address")),
              WireJson.text(body.get("phone")),
              strings(body.get("fields_to_export"), "fields_to_export"));
    } catch (IllegalArgumentException e) {
      return message(
          400,
          e.getMessage().contains("limit")
              ? "The max number of ids per request was exceeded"
              : e.getMessage());
    }
    ExportIdsResponse found = braze.exportIds(ids);
    List<Object> users = new ArrayList<>();
    for (ExportedUser u : found.users()) {
      users.add(USER.toJsonValue(u));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", "success");
    m.put("users", users);
    if (!found.invalidUserIds().isEmpty()) {
      m.put("invalid_user_ids", found.invalidUserIds());
    }
    return ok(201, m);
  }

  // ---- track --------------------------------------------------------------------------------

  /** A row Braze refuses, with its reason. */
  private static final class RowProblem extends Exception {
    private static final long serialVersionUID = 1L;

    RowProblem(String message) {
      super(message);
    }
  }

  private WireResponse track(WireRequest request) throws WireJson.Malformed {
    Object parsed = WireJson.parse(request.body());
    Map<String, Object> body = WireJson.object(parsed);
    if (body == null) {
      return message(400, NO_VALID_DATA);
    }
    List<Object> attrs = rows(body, "attributes");
    List<Object> events = rows(body, "events");
    List<Object> purchases = rows(body, "purchases");
    if (attrs == null || events == null || purchases == null) {
      return message(400, NO_VALID_DATA);
    }
    int total = attrs.size() + events.size() + purchases.size();
    if (total == 0) {
      return message(400, NO_VALID_DATA);
    }
    TrackLimit limit = braze.trackLimit();
    boolean over =
        limit.perArray()
            ? attrs.size() > limit.max()
                || events.size() > limit.max()
                || purchases.size() > limit.max()
            : total > limit.max();
    if (over) {
      return message(
          400,
          "Max Input Length Exceeded: "
              + total
              + " objects, the limit is "
              + limit
              + " objects per request");
    }
    List<BrazeError> errors = new ArrayList<>();
    List<UserAttributes> okAttrs = new ArrayList<>();
    List<Integer> attrIndex = new ArrayList<>();
    for (int i = 0; i < attrs.size(); i++) {
      try {
        okAttrs.add(attributes(attrs.get(i)));
        attrIndex.add(i);
      } catch (RowProblem | IllegalArgumentException e) {
        errors.add(new BrazeError(e.getMessage(), "attributes", i));
      }
    }
    List<TrackEvent> okEvents = new ArrayList<>();
    List<Integer> eventIndex = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      try {
        okEvents.add(event(events.get(i)));
        eventIndex.add(i);
      } catch (RowProblem | IllegalArgumentException e) {
        errors.add(new BrazeError(e.getMessage(), "events", i));
      }
    }
    List<TrackPurchase> okPurchases = new ArrayList<>();
    List<Integer> purchaseIndex = new ArrayList<>();
    for (int i = 0; i < purchases.size(); i++) {
      try {
        okPurchases.add(purchase(purchases.get(i)));
        purchaseIndex.add(i);
      } catch (RowProblem | IllegalArgumentException e) {
        errors.add(new BrazeError(e.getMessage(), "purchases", i));
      }
    }
    TrackRequest valid = new TrackRequest(okAttrs, okEvents, okPurchases);
    TrackResponse response = null;
    if (!valid.isEmpty()) {
      List<BrazeError> fromFake;
      try {
        response = braze.track(valid);
        fromFake = response.errors();
      } catch (BrazeBadRequestException e) {
        fromFake = e.errors();
      }
      for (BrazeError e : fromFake) {
        List<Integer> map =
            switch (String.valueOf(e.inputArray())) {
              case "attributes" -> attrIndex;
              case "events" -> eventIndex;
              default -> purchaseIndex;
            };
        Integer original = e.index() == null ? null : map.get(e.index());
        errors.add(new BrazeError(e.message(), e.inputArray(), original));
      }
    }
    errors.sort(
        Comparator.comparingInt((BrazeError e) -> order(e.inputArray()))
            .thenComparingInt(e -> e.index() == null ? -1 : e.index()));
    if (response == null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("message", NO_VALID_DATA);
      m.put("errors", errorItems(errors));
      return ok(400, m);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", "success");
    if (!attrs.isEmpty()) {
      m.put("attributes_processed", response.attributesProcessed());
    }
    if (!events.isEmpty()) {
      m.put("events_processed", response.eventsProcessed());
    }
    if (!purchases.isEmpty()) {
      m.put("purchases_processed", response.purchasesProcessed());
    }
    if (!errors.isEmpty()) {
      m.put("errors", errorItems(errors));
    }
    return ok(201, m);
  }

  private static int order(String inputArray) {
    return switch (String.valueOf(inputArray)) {
      case "attributes" -> 0;
      case "events" -> 1;
      default -> 2;
    };
  }

  private static List<Object> rows(Map<String, Object> body, String name) {
    Object v = body.get(name);
    if (v == null) {
      return List.of();
    }
    return WireJson.array(v);
  }

  /** The identifier of a track object: external_id, braze_id, user_alias, email, then phone. */
  private static UserIdentifier identifier(Map<String, Object> row) throws RowProblem {
    String external = WireJson.text(row.get("external_id"));
    if (external != null && !external.isBlank()) {
      return UserIdentifier.externalId(external);
    }
    String brazeId = WireJson.text(row.get("braze_id"));
    if (brazeId != null && !brazeId.isBlank()) {
      return UserIdentifier.brazeId(brazeId);
    }
    if (row.get("user_alias") != null) {
      return UserIdentifier.alias(alias(row.get("user_alias")));
    }
    String email = WireJson.text(row.get("email"));
    if (email != null && !email.isBlank()) {
      return UserIdentifier.email(email);
    }
    String phone = WireJson.text(row.get("phone"));
    if (phone != null && !phone.isBlank()) {
      return UserIdentifier.phone(phone);
    }
    throw new RowProblem(ID_REQUIRED);
  }

  private static UserAlias alias(Object value) {
    Map<String, Object> a = WireJson.object(value);
    if (a == null) {
      throw new IllegalArgumentException("'user_alias' is not valid");
    }
    return new UserAlias(WireJson.text(a.get("alias_name")), WireJson.text(a.get("alias_label")));
  }

  private static Map<String, Object> row(Object value) throws RowProblem {
    Map<String, Object> row = WireJson.object(value);
    if (row == null) {
      throw new RowProblem("object is not valid");
    }
    return row;
  }

  private static UserAttributes attributes(Object value) throws RowProblem {
    Map<String, Object> row = row(value);
    UserIdentifier id = identifier(row);
    UserAttributes.Builder b = UserAttributes.builder(id);
    for (Map.Entry<String, Object> e : row.entrySet()) {
      String name = e.getKey();
      if (name.equals(id.type().field())) {
        continue;
      }
      if (name.equals("_update_existing_only")) {
        if (!(e.getValue() instanceof Boolean flag)) {
          throw new RowProblem("'_update_existing_only' is not valid");
        }
        b.updateExistingOnly(flag);
        continue;
      }
      b.set(name, attributeValue(e.getValue()));
    }
    return b.build();
  }

  /**
   * Reads {@code {"inc": n}}, {@code {"add": [...]}} and {@code {"remove": [...]}} as operations.
   */
  private static Object attributeValue(Object value) {
    Map<String, Object> m = WireJson.object(value);
    if (m != null && m.size() == 1) {
      Map.Entry<String, Object> op = m.entrySet().iterator().next();
      if (op.getKey().equals("inc") && op.getValue() instanceof Number) {
        return new AttributeOperation("inc", op.getValue());
      }
      if ((op.getKey().equals("add") || op.getKey().equals("remove"))
          && op.getValue() instanceof List<?>) {
        return new AttributeOperation(op.getKey(), op.getValue());
      }
    }
    return value;
  }

  private static TrackEvent event(Object value) throws RowProblem {
    Map<String, Object> row = row(value);
    UserIdentifier id = identifier(row);
    String name = WireJson.text(row.get("name"));
    if (name == null || name.isBlank()) {
      throw new RowProblem("'name' is required");
    }
    return new TrackEvent(
        id,
        name,
        time(row.get("time")),
        WireJson.text(row.get("app_id")),
        properties(row.get("properties")),
        flag(row.get("_update_existing_only")));
  }

  private static TrackPurchase purchase(Object value) throws RowProblem {
    Map<String, Object> row = row(value);
    UserIdentifier id = identifier(row);
    if (!(row.get("price") instanceof Number price)) {
      throw new RowProblem("'price' is not valid");
    }
    Object quantity = row.get("quantity");
    if (quantity != null && !(quantity instanceof Number)) {
      throw new RowProblem("'quantity' is not valid");
    }
    Integer q = quantity == null ? null : ((Number) quantity).intValue();
    if (q != null && (q < 1 || q > 100)) {
      throw new RowProblem("'quantity' is not valid");
    }
    return new TrackPurchase(
        id,
        WireJson.text(row.get("product_id")),
        WireJson.text(row.get("currency")),
        new BigDecimal(price.toString()),
        q,
        time(row.get("time")),
        WireJson.text(row.get("app_id")),
        properties(row.get("properties")),
        flag(row.get("_update_existing_only")));
  }

  private static OffsetDateTime time(Object value) throws RowProblem {
    String text = WireJson.text(value);
    if (text == null) {
      throw new RowProblem("'time' is not valid");
    }
    try {
      return OffsetDateTime.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(text).atOffset(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        throw new RowProblem("'time' is not valid");
      }
    }
  }

  private static Map<String, Object> properties(Object value) throws RowProblem {
    if (value == null) {
      return Map.of();
    }
    Map<String, Object> m = WireJson.object(value);
    if (m == null) {
      throw new RowProblem("'properties' is not valid");
    }
    return m;
  }

  private static Boolean flag(Object value) throws RowProblem {
    if (value == null || value instanceof Boolean) {
      return (Boolean) value;
    }
    throw new RowProblem("'_update_existing_only' is not valid");
  }

  // ---- messaging ----------------------------------------------------------------------------

  private WireResponse trigger(WireRequest request, boolean canvas) throws WireJson.Malformed {
    Map<String, Object> body = requireObject(request);
    String idField = canvas ? "canvas_id" : "campaign_id";
    String propertiesField = canvas ? "context" : "trigger_properties";
    String id = WireJson.text(body.get(idField));
    if (id == null || id.isBlank()) {
      return message(400, canvas ? "Invalid Canvas ID" : "Invalid Campaign ID");
    }
    List<Object> rawRecipients = WireJson.array(body.get("recipients"));
    if (body.get("recipients") != null && rawRecipients == null) {
      return message(400, "recipients must be an array");
    }
    List<Recipient> recipients = new ArrayList<>();
    if (rawRecipients != null) {
      if (rawRecipients.size() > TriggerSend.MAX_RECIPIENTS) {
        return message(400, "The max number of external_ids and aliases per request was exceeded");
      }
      for (Object o : rawRecipients) {
        Map<String, Object> r = WireJson.object(o);
        if (r == null) {
          return message(400, "recipients must hold objects");
        }
        recipients.add(
            new Recipient(
                WireJson.text(r.get("external_user_id")),
                r.get("user_alias") == null ? null : alias(r.get("user_alias")),
                WireJson.text(r.get("email")),
                WireJson.text(r.get("braze_id")),
                strings(r.get("prioritization"), "prioritization"),
                WireJson.object(r.get("attributes")),
                WireJson.object(r.get(propertiesField)),
                r.get("send_to_existing_only") instanceof Boolean b ? b : null));
      }
    }
    boolean broadcast = Boolean.TRUE.equals(body.get("broadcast"));
    Map<String, Object> audience = WireJson.object(body.get("audience"));
    if (!broadcast && recipients.isEmpty() && audience == null) {
      return message(400, "No Recipients");
    }
    TriggerSend send =
        new TriggerSend(
            id,
            WireJson.text(body.get("send_id")),
            WireJson.object(body.get(propertiesField)),
            broadcast,
            audience,
            recipients);
    TriggerResponse sent = canvas ? braze.triggerCanvas(send) : braze.triggerCampaign(send);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dispatch_id", sent.dispatchId());
    m.put("message", "success");
    if (sent.notice() != null) {
      m.put("notice", sent.notice());
    }
    return ok(201, m);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static Map<String, Object> requireObject(WireRequest request) throws WireJson.Malformed {
    Map<String, Object> body = WireJson.object(WireJson.parse(request.body()));
    if (body == null) {
      throw new WireJson.Malformed("the request body must be a JSON object");
    }
    return body;
  }

  private static List<String> strings(Object value, String field) {
    if (value == null) {
      return null;
    }
    List<Object> list = WireJson.array(value);
    if (list == null) {
      throw new IllegalArgumentException(field + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw new IllegalArgumentException(field + " must be an array of strings, has " + o);
      }
      out.add(s);
    }
    return out;
  }

  private String baseUrl(WireRequest request) {
    if (publicUrl != null) {
      return publicUrl;
    }
    String host = request.header("Host");
    return "http://" + (host == null ? "127.0.0.1" : host);
  }

  private static List<Object> errorItems(List<BrazeError> errors) {
    List<Object> items = new ArrayList<>();
    for (BrazeError e : errors) {
      if (e.inputArray() == null && e.index() == null) {
        items.add(e.message());
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", e.message());
      m.put("input_array", e.inputArray());
      m.put("index", e.index());
      items.add(m);
    }
    return items;
  }

  /** Maps an exception of the fake to the answer Braze gives in that situation. */
  private static WireResponse error(BrazeException e) {
    if (e instanceof BrazeIoException) {
      return WireResponse.dropped();
    }
    if (e instanceof BrazeExportException) {
      return message(404, e.getMessage());
    }
    if (e instanceof BrazeApiException api) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("message", api.brazeMessage() == null ? "Error" : api.brazeMessage());
      if (!api.errors().isEmpty()) {
        m.put("errors", errorItems(api.errors()));
      }
      WireResponse r = ok(api.status(), m);
      if (api instanceof BrazeRateLimitException rate && rate.retryAfter().isPresent()) {
        long seconds = (rate.retryAfter().get().toMillis() + 999) / 1000;
        r = r.withHeader("Retry-After", String.valueOf(seconds));
      }
      return r;
    }
    return message(500, "Internal Server Error");
  }

  private static WireResponse message(int status, String message) {
    return ok(status, Map.of("message", message));
  }

  private static WireResponse ok(int status, Map<String, Object> body) {
    return WireResponse.json(status, WireJson.write(body));
  }

  private static WireResponse s3(int status, String code, String message) {
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
            + code
            + "</Code><Message>"
            + message
            + "</Message></Error>";
    return WireResponse.bytes(status, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "BrazeWire{" + braze + ", apiKey=[REDACTED]}";
  }

  /** Builds a {@link BrazeWire}. */
  public static final class Builder {
    private final InMemoryBraze braze;
    private String apiKey = "sandbox-braze-key";
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private String publicUrl;
    private RateLimits rateLimits = RateLimits.defaults();

    private Builder(InMemoryBraze braze) {
      this.braze = Objects.requireNonNull(braze, "braze");
    }

    /**
     * Sets the API key requests must carry as {@code Bearer} (default {@code sandbox-braze-key}).
     */
    public Builder apiKey(String apiKey) {
      Objects.requireNonNull(apiKey, "apiKey");
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      this.apiKey = apiKey;
      return this;
    }

    /** Sets the clock of rate windows and export readiness (use the fake's clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the sleeper that realises the injected latency. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Sets the base URL that export download URLs start with; by default it is taken from the
     * request's {@code Host} header.
     */
    public Builder publicUrl(String url) {
      Objects.requireNonNull(url, "publicUrl");
      this.publicUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      return this;
    }

    /**
     * Sets the server-side budget per endpoint family, enforced with 429 (default: Braze's
     * documented limits); {@link RateLimits#unlimited()} sends no rate-limit headers at all.
     */
    public Builder rateLimits(RateLimits rateLimits) {
      this.rateLimits = Objects.requireNonNull(rateLimits, "rateLimits");
      return this;
    }

    /** Builds the stand-in. */
    public BrazeWire build() {
      return new BrazeWire(this);
    }
  }
}
