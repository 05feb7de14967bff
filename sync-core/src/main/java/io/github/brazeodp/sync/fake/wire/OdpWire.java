package io.github.brazeodp.sync.fake.wire;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportFilter;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpApiException;
import io.github.brazeodp.odp.OdpBadRequestException;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpException;
import io.github.brazeodp.odp.OdpIoException;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.RowError;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.odp.Sleeper;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * ODP's v3 REST and GraphQL API over an {@link InMemoryOdp}: the endpoints odp-client calls, with
 * ODP's request validation, response bodies and status codes.
 *
 * <p>Every call under {@code /v3/} needs {@code x-api-key} (401 otherwise). Events and profiles
 * answer 202, or 400 whose {@code detail.invalids[]} name the rejected rows as {@code {event,
 * field, message}} (the documented events shape, which odp-client reads for both); the other rows
 * of such a request are stored, as the fake stores them. Schema errors use {@code {field, reason}}.
 * Segment-member exports are jobs that complete after {@link Builder#exportReadyAfter(Duration)} on
 * the injected clock and then list presigned-style URLs, served without the key from {@code
 * /exports/files/}, of gzipped CSV. The fake's own faults surface as HTTP answers; {@link
 * #failNext}, {@link #dropNext} and {@link #latency} add faults at the HTTP level. Thread-safe.
 */
public final class OdpWire extends FaultyWire<OdpWire> {
  /** Path prefix of export file downloads. */
  public static final String FILES_PATH = "/exports/files/";

  private static final Pattern FIELD_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final Pattern CUSTOMER =
      Pattern.compile("customer\\s*\\(\\s*(\\w+)\\s*:\\s*(\\$\\w+|\"[^\"]*\")\\s*\\)");
  private static final Pattern SUBSET =
      Pattern.compile("audiences\\s*\\(\\s*subset\\s*:\\s*(\\$\\w+|\\[[^\\]]*\\])\\s*\\)");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private final InMemoryOdp odp;
  private final String apiKey;
  private final Clock clock;
  private final Sleeper sleeper;
  private final String publicUrl;
  private final Duration exportDelay;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final Set<String> eventJobs = ConcurrentHashMap.newKeySet();
  private final AtomicInteger busy = new AtomicInteger();
  private int jobSequence;

  private OdpWire(Builder b) {
    this.odp = b.odp;
    this.apiKey = b.apiKey;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.publicUrl = b.publicUrl;
    this.exportDelay = b.exportDelay;
  }

  /** Returns a builder over {@code odp}. */
  public static Builder builder(InMemoryOdp odp) {
    return new Builder(odp);
  }

  /** Returns the fake whose state this stand-in serves. */
  public InMemoryOdp fake() {
    return odp;
  }

  /** Returns the API key requests must carry as {@code x-api-key}. */
  public String apiKey() {
    return apiKey;
  }

  @Override
  OdpWire self() {
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
    if (path.startsWith(FILES_PATH)) {
      return fault > 0 ? problem(fault, null) : file(request);
    }
    if (!path.startsWith("/v3/")) {
      return problem(404, "no such path: " + path);
    }
    String key = request.header("x-api-key");
    if (key == null || !key.equals(apiKey)) {
      return problem(401, "a valid x-api-key header is required");
    }
    if (fault > 0) {
      return problem(fault, null);
    }
    try {
      return route(request, path.substring("/v3".length()));
    } catch (WireJson.Malformed e) {
      return problem(400, e.getMessage());
    } catch (OdpException e) {
      return error(e);
    } catch (IllegalArgumentException e) {
      return problem(400, e.getMessage());
    }
  }

  private WireResponse route(WireRequest request, String path) throws WireJson.Malformed {
    String method = request.method();
    boolean post = method.equals("POST");
    boolean get = method.equals("GET");
    if (path.equals("/events") && post) {
      return events(request);
    }
    if (path.equals("/profiles")) {
      return post ? profiles(request) : get ? profile(request) : notFound(path);
    }
    if (path.equals("/graphql") && post) {
      return graphql(request);
    }
    if (path.equals("/export-segment-members") && post) {
      return startExport(request);
    }
    if (path.startsWith("/export-segment-members/") && get) {
      return exportStatus(request, path.substring("/export-segment-members/".length()));
    }
    if (path.equals("/exports") && post) {
      return startDataExport(request);
    }
    if (path.startsWith("/exports/") && get) {
      return exportStatus(request, path.substring("/exports/".length()));
    }
    if (path.startsWith("/schema/objects/")) {
      String[] parts = path.substring("/schema/objects/".length()).split("/", -1);
      if (parts.length == 2 && parts[0].equals("events") && parts[1].equals("fields") && get) {
        List<Object> out = new ArrayList<>();
        odp.eventFields().forEach(f -> out.add(fieldJson(f)));
        return WireResponse.json(200, WireJson.write(out));
      }
      if (parts.length >= 2 && parts[1].equals("fields")) {
        if (!parts[0].equals("customers")) {
          return problem(404, "object " + parts[0] + " not found");
        }
        if (parts.length == 2 && get) {
          return fields();
        }
        if (parts.length == 2 && post) {
          return createField(request);
        }
        if (parts.length == 3 && get) {
          return field(parts[2]);
        }
      }
    }
    return notFound(path);
  }

  // ---- events and profiles ------------------------------------------------------------------

  /** A row refused before it reaches the fake. */
  private record Invalid(int index, String field, String message) {}

  private WireResponse events(WireRequest request) throws WireJson.Malformed {
    List<Object> items = rows(request);
    int cap = Math.min(odp.batchCap(), odp.requestCap());
    if (items.size() > cap) {
      return problem(400, "A maximum batch size of " + cap + " is allowed in a single request");
    }
    List<Invalid> invalids = new ArrayList<>();
    List<OdpEvent> valid = new ArrayList<>();
    List<Integer> index = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Map<String, Object> e = WireJson.object(items.get(i));
      String type = e == null ? null : WireJson.text(e.get("type"));
      if (type == null || type.isBlank()) {
        invalids.add(new Invalid(i, "type", "type: is required"));
        continue;
      }
      Map<String, Object> ids = WireJson.object(e.get("identifiers"));
      if (ids == null || ids.isEmpty()) {
        invalids.add(new Invalid(i, "identifiers", "identifiers: at least one is required"));
        continue;
      }
      Map<String, String> identifiers = new LinkedHashMap<>();
      ids.forEach((k, v) -> identifiers.put(k, v == null ? null : String.valueOf(v)));
      Map<String, Object> data = new LinkedHashMap<>();
      Map<String, Object> rawData = WireJson.object(e.get("data"));
      if (e.get("data") != null && rawData == null) {
        invalids.add(new Invalid(i, "data", "data: must be an object"));
        continue;
      }
      if (rawData != null) {
        data.putAll(rawData);
      }
      Object ts = data.remove("ts");
      Object idempotence = data.remove("idempotence_id");
      Instant when;
      try {
        when = timestamp(ts);
      } catch (IllegalArgumentException ex) {
        invalids.add(new Invalid(i, "ts", "ts: " + ex.getMessage()));
        continue;
      }
      valid.add(
          new OdpEvent(
              type,
              WireJson.text(e.get("action")),
              identifiers,
              data,
              when,
              idempotence == null ? null : String.valueOf(idempotence)));
      index.add(i);
    }
    if (!valid.isEmpty()) {
      BatchResult result = odp.sendEvents(valid);
      for (RowError err : result.errors()) {
        invalids.add(new Invalid(index.get(err.index()), err.field(), err.message()));
      }
    }
    return invalids.isEmpty() ? accepted() : invalid(invalids);
  }

  private static Instant timestamp(Object ts) {
    if (ts == null) {
      return null;
    }
    if (ts instanceof Number n) {
      return Instant.ofEpochSecond(n.longValue());
    }
    if (ts instanceof String s) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("not epoch seconds or ISO-8601: " + s, e);
      }
    }
    throw new IllegalArgumentException("not epoch seconds or ISO-8601: " + ts);
  }

  private WireResponse profiles(WireRequest request) throws WireJson.Malformed {
    List<Object> items = rows(request);
    if (items.size() > odp.batchCap()) {
      return problem(
          400, "A maximum batch size of " + odp.batchCap() + " is allowed in a single request");
    }
    Set<String> identifierNames = odp.identifierNames();
    List<Invalid> invalids = new ArrayList<>();
    List<ProfileUpdate> valid = new ArrayList<>();
    List<Integer> index = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Map<String, Object> row = WireJson.object(items.get(i));
      Map<String, Object> attributes = row == null ? null : WireJson.object(row.get("attributes"));
      if (attributes == null) {
        invalids.add(new Invalid(i, "attributes", "attributes: is required"));
        continue;
      }
      Map<String, String> identifiers = new LinkedHashMap<>();
      Map<String, Object> rest = new LinkedHashMap<>();
      attributes.forEach(
          (k, v) -> {
            if (identifierNames.contains(k) && v instanceof String s) {
              identifiers.put(k, s);
            } else {
              rest.put(k, v);
            }
          });
      valid.add(new ProfileUpdate(identifiers, rest));
      index.add(i);
    }
    if (!valid.isEmpty()) {
      BatchResult result = odp.upsertProfiles(valid);
      for (RowError err : result.errors()) {
        invalids.add(new Invalid(index.get(err.index()), err.field(), err.message()));
      }
    }
    return invalids.isEmpty() ? accepted() : invalid(invalids);
  }

  private WireResponse profile(WireRequest request) {
    if (request.query().size() != 1) {
      return problem(400, "exactly one identifier query parameter is required");
    }
    String name = request.query().keySet().iterator().next();
    String value = request.queryParam(name);
    if (!odp.identifierNames().contains(name)) {
      return problem(400, name + " is not an identifier");
    }
    Map<String, Object> customer = value == null ? null : odp.customer(name, value);
    if (customer == null) {
      return problem(404, "Customer with " + name + " " + value + " was not found");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("attributes", customer);
    return json(202, body);
  }

  private static List<Object> rows(WireRequest request) throws WireJson.Malformed {
    Object parsed = WireJson.parse(request.body());
    if (parsed instanceof Map<?, ?>) {
      // ODP also takes a single object instead of an array.
      List<Object> one = new ArrayList<>();
      one.add(parsed);
      return one;
    }
    List<Object> items = WireJson.array(parsed);
    if (items == null) {
      throw new WireJson.Malformed("the request body must be a JSON array of objects");
    }
    return items;
  }

  private WireResponse accepted() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("title", "Accepted");
    body.put("status", 202);
    body.put("timestamp", timestamp());
    return json(202, body);
  }

  private WireResponse invalid(List<Invalid> invalids) {
    invalids.sort(java.util.Comparator.comparingInt(Invalid::index));
    List<Object> items = new ArrayList<>();
    for (Invalid i : invalids) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("event", i.index());
      m.put("field", i.field());
      m.put("message", i.message());
      items.add(m);
    }
    return problemWith(400, Map.of("invalids", items));
  }

  // ---- schema -------------------------------------------------------------------------------

  private WireResponse fields() {
    List<Object> out = new ArrayList<>();
    for (SchemaField f : odp.customerFields()) {
      out.add(fieldJson(f));
    }
    return WireResponse.json(200, WireJson.write(out));
  }

  private WireResponse field(String name) {
    for (SchemaField f : odp.customerFields()) {
      if (f.name().equals(name)) {
        return json(200, fieldJson(f));
      }
    }
    return problem(404, "field " + name + " not found on customers");
  }

  private WireResponse createField(WireRequest request) throws WireJson.Malformed {
    Map<String, Object> body = WireJson.object(WireJson.parse(request.body()));
    if (body == null) {
      throw new WireJson.Malformed("the request body must be a JSON object");
    }
    String name = WireJson.text(body.get("name"));
    String type = WireJson.text(body.get("type"));
    String display = WireJson.text(body.get("display_name"));
    List<Map<String, Object>> invalids = new ArrayList<>();
    if (name == null || !FIELD_NAME.matcher(name).matches()) {
      invalids.add(schemaInvalid("name", "must be lower snake case, was " + name));
    }
    FieldType fieldType = null;
    if (type != null) {
      try {
        fieldType = FieldType.valueOf(type.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        fieldType = null;
      }
    }
    if (fieldType == null || fieldType == FieldType.UNKNOWN) {
      invalids.add(
          schemaInvalid(
              "type", "must be number, timestamp, string, boolean or vector, was " + type));
    }
    if (display == null || display.isBlank()) {
      invalids.add(schemaInvalid("display_name", "is required"));
    }
    if (!invalids.isEmpty()) {
      return problemWith(400, Map.of("invalids", invalids));
    }
    SchemaField field =
        new SchemaField(
            name,
            fieldType,
            display,
            WireJson.text(body.get("description")),
            body.get("public_read") instanceof Boolean b ? b : null,
            null);
    try {
      return json(200, fieldJson(odp.createCustomerField(field)));
    } catch (OdpBadRequestException e) {
      String detail = e.detail() == null ? "" : e.detail();
      int colon = detail.indexOf(':');
      String f = colon > 0 ? detail.substring(0, colon) : "name";
      String reason = colon > 0 ? detail.substring(colon + 1).trim() : detail;
      return problemWith(400, Map.of("invalids", List.of(schemaInvalid(f, reason))));
    }
  }

  private static Map<String, Object> schemaInvalid(String field, String reason) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("field", field);
    m.put("reason", reason);
    return m;
  }

  private static Map<String, Object> fieldJson(SchemaField f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", f.name());
    m.put("type", f.type() == null ? null : f.type().name().toLowerCase(Locale.ROOT));
    m.put("display_name", f.displayName());
    if (f.description() != null) {
      m.put("description", f.description());
    }
    m.put("public_read", f.publicRead() != null && f.publicRead());
    if (f.primary() != null) {
      m.put("primary", f.primary());
    }
    return m;
  }

  // ---- GraphQL ------------------------------------------------------------------------------

  private WireResponse graphql(WireRequest request) throws WireJson.Malformed {
    Map<String, Object> body = WireJson.object(WireJson.parse(request.body()));
    String query = body == null ? null : WireJson.text(body.get("query"));
    if (query == null) {
      return graphQlError("query is required", "ValidationError", null);
    }
    Map<String, Object> variables = WireJson.object(body.get("variables"));
    Matcher customer = CUSTOMER.matcher(query);
    Matcher subset = SUBSET.matcher(query);
    if (!customer.find() || !subset.find()) {
      return graphQlError(
          "this stand-in answers only customer(<identifier>: ...) {audiences(subset: ...)}",
          "ValidationError",
          null);
    }
    String identifier = customer.group(1);
    Object value = argument(customer.group(2), variables);
    List<String> audiences = new ArrayList<>();
    Object wanted = argument(subset.group(1), variables);
    if (wanted instanceof List<?> list) {
      list.forEach(o -> audiences.add(String.valueOf(o)));
    } else if (wanted instanceof String literal) {
      Matcher q = QUOTED.matcher(literal);
      while (q.find()) {
        audiences.add(q.group(1));
      }
    }
    Optional<Set<String>> qualified =
        value == null ? Optional.empty() : odp.audiencesOf(identifier, String.valueOf(value));
    if (qualified.isEmpty()) {
      return graphQlError(
          "Exception while fetching data (/customer) : java.lang.RuntimeException: could not"
              + " resolve _"
              + identifier
              + " = "
              + value,
          "DataFetchingException",
          "INVALID_IDENTIFIER_EXCEPTION");
    }
    List<Object> edges = new ArrayList<>();
    for (String a : audiences) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("name", a);
      node.put("state", qualified.get().contains(a) ? "qualified" : "not_qualified");
      edges.add(Map.of("node", node));
    }
    Map<String, Object> data = Map.of("customer", Map.of("audiences", Map.of("edges", edges)));
    return json(200, Map.of("data", data));
  }

  /** Resolves {@code $name} from the variables, or returns the literal text. */
  private static Object argument(String text, Map<String, Object> variables) {
    if (text.startsWith("$")) {
      return variables == null ? null : variables.get(text.substring(1));
    }
    if (text.startsWith("\"")) {
      return text.substring(1, text.length() - 1);
    }
    return text;
  }

  private WireResponse graphQlError(String message, String classification, String code) {
    Map<String, Object> extensions = new LinkedHashMap<>();
    if (code != null) {
      extensions.put("code", code);
    }
    extensions.put("classification", classification);
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message);
    error.put("path", List.of("customer"));
    error.put("extensions", extensions);
    Map<String, Object> customer = new LinkedHashMap<>();
    customer.put("customer", null);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("errors", List.of(error));
    body.put("data", customer);
    return json(200, body);
  }

  // ---- exports ------------------------------------------------------------------------------

  private record Job(
      String id,
      Instant requestedAt,
      Instant readyAt,
      String delimiter,
      List<String> fileNames,
      List<byte[]> files,
      long rows) {}

  private WireResponse startExport(WireRequest request) throws WireJson.Malformed {
    Map<String, Object> body = WireJson.object(WireJson.parse(request.body()));
    if (body == null) {
      throw new WireJson.Malformed("the request body must be a JSON object");
    }
    String format = WireJson.text(body.get("format"));
    if (format != null && !format.equals("csv")) {
      return problem(400, "format " + format + " is not supported by this stand-in; use csv");
    }
    String delimiter = WireJson.text(body.get("delimiter"));
    delimiter = delimiter == null ? "comma" : delimiter;
    Character separator = separatorOf(delimiter);
    if (separator == null) {
      return badDelimiter(delimiter);
    }
    Map<String, Object> select = WireJson.object(body.get("select"));
    List<Object> segments = select == null ? null : WireJson.array(select.get("segments"));
    List<Object> rawFields = select == null ? null : WireJson.array(select.get("fields"));
    if (segments == null || segments.isEmpty() || rawFields == null || rawFields.isEmpty()) {
      return problem(400, "select.segments and select.fields are required");
    }
    List<String> fields = new ArrayList<>();
    for (Object f : rawFields) {
      fields.add(String.valueOf(f));
    }
    if (fields.equals(List.of("*"))) {
      fields.clear();
      odp.customerFields().forEach(f -> fields.add("customer." + f.name()));
    }
    List<String> names = new ArrayList<>();
    List<byte[]> files = new ArrayList<>();
    long rows = 0;
    for (Object s : segments) {
      String segment = String.valueOf(s);
      List<ExportRow> members;
      try (Stream<ExportRow> stream = odp.segmentMembers(segment, fields)) {
        members = stream.toList();
      }
      rows += members.size();
      names.add(segment.replaceAll("[^A-Za-z0-9_]", "_") + "_0_0_0.csv.gz");
      files.add(csv(fields, members, separator));
    }
    Instant now = clock.instant();
    String id;
    synchronized (jobs) {
      id = "job-" + (++jobSequence) + "-" + now.getEpochSecond();
    }
    Job job = new Job(id, now, now.plus(exportDelay), delimiter, names, files, rows);
    jobs.put(id, job);
    return json(200, jobJson(job, request, false));
  }

  private static Character separatorOf(String delimiter) {
    return switch (delimiter) {
      case "comma" -> ',';
      case "tab" -> '\t';
      case "pipe" -> '|';
      default -> null;
    };
  }

  private WireResponse badDelimiter(String delimiter) {
    return problem(
        400, "invalid delimiter " + delimiter + "; valid values: \"comma\", \"tab\", \"pipe\"");
  }

  /**
   * {@code POST /v3/exports} of {@code select.object = "events"}: the only object this stand-in
   * exports. A started job occupies the object until it completes, as ODP answers 422 "currently
   * being exported" meanwhile; {@link #busyExports(int)} forces that answer.
   */
  private WireResponse startDataExport(WireRequest request) throws WireJson.Malformed {
    Map<String, Object> body = WireJson.object(WireJson.parse(request.body()));
    if (body == null) {
      throw new WireJson.Malformed("the request body must be a JSON object");
    }
    String format = WireJson.text(body.get("format"));
    if (format != null && !format.equals("csv")) {
      return problem(400, "format " + format + " is not supported by this stand-in; use csv");
    }
    String delimiter = WireJson.text(body.get("delimiter"));
    delimiter = delimiter == null ? "comma" : delimiter;
    Character separator = separatorOf(delimiter);
    if (separator == null) {
      return badDelimiter(delimiter);
    }
    Map<String, Object> select = WireJson.object(body.get("select"));
    String object = select == null ? null : WireJson.text(select.get("object"));
    List<Object> rawFields = select == null ? null : WireJson.array(select.get("fields"));
    if (object == null || rawFields == null || rawFields.isEmpty()) {
      return problem(400, "select.object and select.fields are required");
    }
    if (!object.equals("events")) {
      return problem(404, "Unable to locate object " + object + " in this stand-in (events only)");
    }
    if (busy.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || eventsExportRunning()) {
      return problemWith(
          422,
          Map.of(
              "message",
              "Unable to process request.  The following object(s) are currently being"
                  + " exported: events."));
    }
    List<String> fields = new ArrayList<>();
    for (Object f : rawFields) {
      fields.add(String.valueOf(f));
    }
    Object rawFilter = select.get("filter");
    ExportFilter filter = rawFilter == null ? null : filter(rawFilter, "select.filter");
    List<ExportRow> rows;
    try (Stream<ExportRow> stream = odp.exportEvents(filter, fields)) {
      rows = stream.toList();
    }
    List<String> columns =
        rows.isEmpty() && fields.equals(List.of("*"))
            ? odp.eventFields().stream().map(SchemaField::name).toList()
            : rows.isEmpty() ? fields : List.copyOf(rows.get(0).values().keySet());
    Instant now = clock.instant();
    String id;
    synchronized (jobs) {
      id = "job-" + (++jobSequence) + "-" + now.getEpochSecond();
    }
    Job job =
        new Job(
            id,
            now,
            now.plus(exportDelay),
            delimiter,
            List.of("events_0_0_0.csv.gz"),
            List.of(csv(columns, rows, separator)),
            rows.size());
    jobs.put(id, job);
    eventJobs.add(id);
    return json(200, jobJson(job, request, false));
  }

  private boolean eventsExportRunning() {
    Instant now = clock.instant();
    for (String id : eventJobs) {
      Job job = jobs.get(id);
      if (job != null && now.isBefore(job.readyAt())) {
        return true;
      }
    }
    return false;
  }

  /** Reads ODP's filter JSON back into the typed model; a bad shape is a 400 naming its path. */
  private static ExportFilter filter(Object json, String path) throws WireJson.Malformed {
    Map<String, Object> m = WireJson.object(json);
    if (m == null) {
      throw new WireJson.Malformed(path + ": must be an object");
    }
    for (String combinator : List.of("and", "or")) {
      if (m.containsKey(combinator)) {
        List<Object> parts = WireJson.array(m.get(combinator));
        if (parts == null || parts.isEmpty() || m.size() != 1) {
          throw new WireJson.Malformed(
              path + "." + combinator + ": must be the only key and a non-empty array");
        }
        List<ExportFilter> nested = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
          nested.add(filter(parts.get(i), path + "." + combinator + "[" + i + "]"));
        }
        return combinator.equals("and")
            ? new ExportFilter.And(nested)
            : new ExportFilter.Or(nested);
      }
    }
    String field = WireJson.text(m.get("field"));
    String operator = WireJson.text(m.get("operator"));
    Object value = m.get("value");
    if (field == null || operator == null || value == null) {
      throw new WireJson.Malformed(path + ": a clause needs field, operator and value");
    }
    for (ExportFilter.Operator op : ExportFilter.Operator.values()) {
      if (op.symbol().equals(operator)) {
        return new ExportFilter.Clause(field, op, value);
      }
    }
    throw new WireJson.Malformed(path + ": unknown operator \"" + operator + "\"");
  }

  /**
   * Answers the next {@code times} data exports with 422 "currently being exported", as ODP does
   * while another export of the object runs.
   */
  public OdpWire busyExports(int times) {
    if (times < 0) {
      throw new IllegalArgumentException("times must not be negative, was " + times);
    }
    busy.set(times);
    return this;
  }

  private WireResponse exportStatus(WireRequest request, String id) {
    Job job = jobs.get(id);
    if (job == null) {
      return problem(404, "export job " + id + " not found");
    }
    return json(200, jobJson(job, request, !clock.instant().isBefore(job.readyAt())));
  }

  private Map<String, Object> jobJson(Job job, WireRequest request, boolean done) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", job.id());
    m.put("path", "s3://zaius-outgoing/sandbox/data-exports/" + job.id());
    m.put("state", done ? "completed" : "pending");
    m.put("exportRowCount", done ? job.rows() : null);
    m.put("requestedAt", job.requestedAt().toString());
    m.put("startedAt", done ? job.requestedAt().toString() : null);
    m.put("endedAt", done ? job.readyAt().toString() : null);
    List<String> urls = new ArrayList<>();
    if (done) {
      for (String name : job.fileNames()) {
        urls.add(baseUrl(request) + FILES_PATH + job.id() + "/" + name);
      }
    }
    m.put("presignedUrls", urls);
    m.put("format", "csv");
    m.put("delimiter", job.delimiter());
    m.put("childErrors", List.of());
    return m;
  }

  private WireResponse file(WireRequest request) {
    String[] parts = request.path().substring(FILES_PATH.length()).split("/", 2);
    Job job = parts.length == 2 ? jobs.get(parts[0]) : null;
    int i = job == null ? -1 : job.fileNames().indexOf(parts[1]);
    if (i < 0 || clock.instant().isBefore(job.readyAt())) {
      String xml =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              + "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
      return WireResponse.bytes(403, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
    }
    return WireResponse.bytes(200, "application/gzip", job.files().get(i));
  }

  private static byte[] csv(List<String> fields, List<ExportRow> rows, char separator) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Writer w = new OutputStreamWriter(new GZIPOutputStream(bytes), StandardCharsets.UTF_8)) {
      writeRecord(w, fields, separator);
      for (ExportRow row : rows) {
        List<String> cells = new ArrayList<>(fields.size());
        for (String f : fields) {
          String v = row.values().get(f);
          cells.add(v == null ? "" : v);
        }
        writeRecord(w, cells, separator);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeRecord(Writer w, List<String> cells, char separator) throws IOException {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        w.write(separator);
      }
      String c = cells.get(i);
      boolean quote =
          c.indexOf(separator) >= 0 || c.contains("\"") || c.contains("\n") || c.contains("\r");
      w.write(quote ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
    }
    w.write("\n");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private String baseUrl(WireRequest request) {
    if (publicUrl != null) {
      return publicUrl;
    }
    String host = request.header("Host");
    return "http://" + (host == null ? "127.0.0.1" : host);
  }

  private String timestamp() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).toString();
  }

  private WireResponse notFound(String path) {
    return problem(404, "no such endpoint: /v3" + path);
  }

  /** Maps an exception of the fake to the answer ODP gives in that situation. */
  private WireResponse error(OdpException e) {
    if (e instanceof OdpIoException) {
      return WireResponse.dropped();
    }
    if (e instanceof OdpApiException api) {
      return problem(api.status(), api.detail());
    }
    return problem(500, e.getMessage());
  }

  private WireResponse problem(int status, String detail) {
    return problemWith(status, detail == null ? null : Map.of("message", detail));
  }

  private WireResponse problemWith(int status, Map<String, Object> detail) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("title", title(status));
    body.put("status", status);
    body.put("timestamp", timestamp());
    if (detail != null) {
      body.put("detail", detail);
    }
    return json(status, body);
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Error";
    };
  }

  private static WireResponse json(int status, Map<String, Object> body) {
    return WireResponse.json(status, WireJson.write(body));
  }

  @Override
  public String toString() {
    return "OdpWire{apiKey=[REDACTED]}";
  }

  /** Builds an {@link OdpWire}. */
  public static final class Builder {
    private final InMemoryOdp odp;
    private String apiKey = "sandbox-odp-key";
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private String publicUrl;
    private Duration exportDelay = Duration.ZERO;

    private Builder(InMemoryOdp odp) {
      this.odp = Objects.requireNonNull(odp, "odp");
    }

    /** Sets the key requests must carry as {@code x-api-key} (default {@code sandbox-odp-key}). */
    public Builder apiKey(String apiKey) {
      Objects.requireNonNull(apiKey, "apiKey");
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      this.apiKey = apiKey;
      return this;
    }

    /** Sets the clock of export jobs and response timestamps. */
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
     * Sets the base URL that export file URLs start with; by default it is taken from the request's
     * {@code Host} header.
     */
    public Builder publicUrl(String url) {
      Objects.requireNonNull(url, "publicUrl");
      this.publicUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      return this;
    }

    /** Sets how long after its creation an export job completes (default at once). */
    public Builder exportReadyAfter(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative, was " + delay);
      }
      this.exportDelay = delay;
      return this;
    }

    /** Builds the stand-in. */
    public OdpWire build() {
      return new OdpWire(this);
    }
  }
}
