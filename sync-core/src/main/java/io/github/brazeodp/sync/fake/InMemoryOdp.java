package io.github.brazeodp.sync.fake;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportFilter;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpApiException;
import io.github.brazeodp.odp.OdpBadRequestException;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpIoException;
import io.github.brazeodp.odp.OdpNotFoundException;
import io.github.brazeodp.odp.OdpRateLimitException;
import io.github.brazeodp.odp.OdpServerException;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.RowError;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.port.OdpEventExport;
import io.github.brazeodp.sync.port.OdpGateway;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An in-memory ODP account for tests: seed the customer schema, customers and segments; inspect the
 * profiles and events the code under test sent; inject failures.
 *
 * <p>It checks rows the way ODP does where the flows care: at least one known identifier per row,
 * fields that exist in the customer schema, text of at most 1,024 characters; bad rows come back as
 * {@link RowStatus#REJECTED} with a reason, the rest are stored. As with the real client, lists are
 * split into requests of {@link #batchCap()} rows, and the other rows of a request with a rejected
 * row are {@link RowStatus#UNCONFIRMED} (ODP answers such a request with a 400 that names only the
 * bad rows). Events are de-duplicated by idempotence id, as ODP does. {@link Fault#RESPONSE_LOST}
 * stores the rows and then fails. Thread-safe.
 */
public final class InMemoryOdp implements OdpGateway, OdpEventExport {
  /** Operations that faults can target. */
  public enum Operation {
    /** Profile upserts. */
    UPSERT_PROFILES,
    /** Event sends. */
    SEND_EVENTS,
    /** Schema reads and writes. */
    SCHEMA,
    /** Segment-member exports. */
    SEGMENT_MEMBERS,
    /** Event exports ({@code POST /v3/exports} of {@code events}). */
    EVENT_EXPORT
  }

  /** The identifiers every ODP account has. */
  public static final Set<String> DEFAULT_IDENTIFIERS =
      Set.of("email", "phone", "vuid", "zaius_id");

  private static final String EMAIL = "email";

  private final Object lock = new Object();
  private final Map<String, SchemaField> fields = new LinkedHashMap<>();
  private final Set<String> identifiers = new LinkedHashSet<>(DEFAULT_IDENTIFIERS);
  private final Map<String, Map<String, Object>> customers = new LinkedHashMap<>();
  private final List<ProfileUpdate> upserts = new ArrayList<>();
  private final List<OdpEvent> events = new ArrayList<>();
  // When each stored event happened: its ts, or the receipt time when it was sent without one.
  private final List<Instant> eventTimes = new ArrayList<>();
  private final Set<String> eventDataFields = new TreeSet<>();
  private Clock clock = Clock.systemUTC();
  private final Set<String> idempotenceIds = new java.util.HashSet<>();
  private final Map<String, Predicate<Map<String, Object>>> segments = new HashMap<>();
  private final Map<Operation, Integer> calls = new HashMap<>();
  private final FaultPlan<Operation> faults = new FaultPlan<>(Operation.class);
  private int batchCap = 500;
  private int requestCap = Integer.MAX_VALUE;
  private Predicate<OdpEvent> refusedEvents = e -> false;
  private String refusalReason = "";

  /** Creates an account with ODP's default customer fields and identifiers. */
  public InMemoryOdp() {
    for (String name :
        List.of(
            "email",
            "phone",
            "vuid",
            "zaius_id",
            "first_name",
            "last_name",
            "gender",
            "timezone",
            "image_url",
            "street1",
            "street2",
            "city",
            "state",
            "zip",
            "country")) {
      fields.put(name, SchemaField.of(name, FieldType.STRING, name));
    }
    for (String name : List.of("dob_day", "dob_month", "dob_year")) {
      fields.put(name, SchemaField.of(name, FieldType.NUMBER, name));
    }
  }

  // ---- seeding -----------------------------------------------------------------------------

  /** Adds a customer field to the schema. */
  public InMemoryOdp putField(String name, FieldType type) {
    synchronized (lock) {
      fields.put(name, SchemaField.of(name, type, name));
    }
    return this;
  }

  /** Adds a custom identifier (for example {@code braze_external_id}). */
  public InMemoryOdp putIdentifier(String name) {
    synchronized (lock) {
      identifiers.add(name);
      fields.putIfAbsent(name, SchemaField.of(name, FieldType.STRING, name));
    }
    return this;
  }

  /** Stores a customer directly, keyed by its first identifier. */
  public InMemoryOdp putCustomer(Map<String, Object> attributes) {
    synchronized (lock) {
      merge(attributes);
    }
    return this;
  }

  /** Defines a segment as a predicate over customer attributes. */
  public InMemoryOdp putSegment(String name, Predicate<Map<String, Object>> membership) {
    synchronized (lock) {
      segments.put(name, membership);
    }
    return this;
  }

  /**
   * Sets the largest batch ODP accepts per request (documented: 500); longer lists are split into
   * requests of this size, as the client splits them.
   */
  public InMemoryOdp batchCap(int cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("batch cap must be at least 1, was " + cap);
    }
    synchronized (lock) {
      this.batchCap = cap;
    }
    return this;
  }

  /**
   * Sets an account limit on the events of one {@link #sendEvents} call: a longer call is refused
   * as a whole with a 400 ({@link OdpBadRequestException}) that names no event, the way ODP answers
   * a batch over an account's size limit. Unlike {@link #batchCap(int)} nothing is split here: the
   * caller must isolate. The wire stand-in applies the smaller of the two caps per request.
   */
  public InMemoryOdp requestCap(int cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("request cap must be at least 1, was " + cap);
    }
    synchronized (lock) {
      this.requestCap = cap;
    }
    return this;
  }

  /** Returns the account limit on the events of one request ({@code MAX_VALUE} when unset). */
  public int requestCap() {
    synchronized (lock) {
      return requestCap;
    }
  }

  /**
   * Refuses, one by one, the events matching {@code which} with {@code reason} (for example an
   * account that refuses data fields with a leading underscore); replaces an earlier rule. Pass
   * {@code e -> false} to accept them again.
   */
  public InMemoryOdp refuseEvents(Predicate<OdpEvent> which, String reason) {
    Objects.requireNonNull(which, "which");
    Objects.requireNonNull(reason, "reason");
    synchronized (lock) {
      this.refusedEvents = which;
      this.refusalReason = reason;
    }
    return this;
  }

  /** Returns the largest batch ODP accepts per request. */
  public int batchCap() {
    synchronized (lock) {
      return batchCap;
    }
  }

  /** Makes the next {@code times} calls of {@code operation} (or of any, when null) fail. */
  public InMemoryOdp failNext(Operation operation, int times, Fault fault) {
    synchronized (lock) {
      faults.add(operation, times, fault);
    }
    return this;
  }

  /**
   * Sets the clock that stamps events sent without a {@code ts} (default: the system clock), as ODP
   * stamps them on receipt.
   */
  public InMemoryOdp clock(Clock clock) {
    synchronized (lock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }
    return this;
  }

  /**
   * Stores an event as if it had been sent earlier (duplicates by idempotence id are dropped), for
   * sources that read events back through the export.
   */
  public InMemoryOdp putEvent(OdpEvent event) {
    synchronized (lock) {
      store(event);
    }
    return this;
  }

  /** Declares a data field on the {@code events} object before any event carries it. */
  public InMemoryOdp putEventField(String name) {
    synchronized (lock) {
      eventDataFields.add(name);
    }
    return this;
  }

  // ---- inspecting --------------------------------------------------------------------------

  /** Returns every accepted profile update, in order. */
  public List<ProfileUpdate> upserts() {
    synchronized (lock) {
      return List.copyOf(upserts);
    }
  }

  /** Returns every accepted event (duplicates by idempotence id dropped), in order. */
  public List<OdpEvent> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  /**
   * Returns the accepted events with this action (for example {@code segment_entered}), in order.
   */
  public List<OdpEvent> events(String action) {
    synchronized (lock) {
      return events.stream().filter(e -> e.action().equals(action)).toList();
    }
  }

  /** Returns the accepted events with this type and action, in order. */
  public List<OdpEvent> events(String type, String action) {
    synchronized (lock) {
      return events.stream()
          .filter(e -> e.type().equals(type) && e.action().equals(action))
          .toList();
    }
  }

  /**
   * Returns the accepted events sent for the customer {@code identifier = value} (emails compared
   * ignoring case, as ODP does), in order.
   */
  public List<OdpEvent> eventsOf(String identifier, String value) {
    synchronized (lock) {
      return events.stream()
          .filter(e -> sameValue(identifier, value, e.identifiers().get(identifier)))
          .toList();
    }
  }

  /** Returns the merged customers, keyed by their first identifier value. */
  public Map<String, Map<String, Object>> customers() {
    synchronized (lock) {
      Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
      customers.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
      return copy;
    }
  }

  /**
   * Returns the customer holding {@code identifier = value}, or null. Emails are compared ignoring
   * case, as ODP matches them.
   */
  public Map<String, Object> customer(String identifier, String value) {
    synchronized (lock) {
      for (Map<String, Object> c : customers.values()) {
        if (sameValue(identifier, value, c.get(identifier))) {
          return Map.copyOf(c);
        }
      }
      return null;
    }
  }

  /** Returns how often an operation was called, failed calls included. */
  public int calls(Operation operation) {
    synchronized (lock) {
      return calls.getOrDefault(operation, 0);
    }
  }

  /** Returns the names of the identifier fields (the defaults plus any added). */
  public Set<String> identifierNames() {
    synchronized (lock) {
      return Set.copyOf(identifiers);
    }
  }

  /** Returns whether a segment of that name is defined. */
  public boolean hasSegment(String name) {
    synchronized (lock) {
      return segments.containsKey(name);
    }
  }

  /**
   * Returns the names of the defined segments that the customer holding {@code identifier = value}
   * qualifies for, or empty when there is no such customer.
   */
  public Optional<Set<String>> audiencesOf(String identifier, String value) {
    synchronized (lock) {
      for (Map<String, Object> c : customers.values()) {
        if (sameValue(identifier, value, c.get(identifier))) {
          Set<String> qualified = new TreeSet<>();
          segments.forEach(
              (name, membership) -> {
                if (membership.test(c)) {
                  qualified.add(name);
                }
              });
          return Optional.of(qualified);
        }
      }
      return Optional.empty();
    }
  }

  // ---- OdpGateway --------------------------------------------------------------------------

  @Override
  public BatchResult upsertProfiles(List<ProfileUpdate> updates) {
    synchronized (lock) {
      Fault fault = enter(Operation.UPSERT_PROFILES, "profiles", true);
      BatchResult result =
          inBatches(
              updates.size(),
              i -> {
                ProfileUpdate u = updates.get(i);
                Map<String, Object> attributes = new LinkedHashMap<>(u.attributes());
                attributes.putAll(u.identifiers());
                String problem = checkProfile(attributes);
                if (problem == null) {
                  upserts.add(u);
                  merge(attributes);
                }
                return problem;
              });
      afterProcessing(fault, "profiles");
      return result;
    }
  }

  /**
   * Checks and stores rows in requests of at most {@link #batchCap()} rows, as the client splits
   * them, and reports them as the client reads ODP's answer: a request with rejected rows is a 400
   * naming them, which leaves its other rows unconfirmed (stored here, but ODP did not say so).
   */
  private BatchResult inBatches(int size, IntFunction<String> row) {
    List<RowStatus> statuses = new ArrayList<>(size);
    List<RowError> errors = new ArrayList<>();
    int requests = 0;
    for (int from = 0; from < size; from += batchCap) {
      requests++;
      int to = Math.min(size, from + batchCap);
      boolean rejected = false;
      for (int i = from; i < to; i++) {
        String problem = row.apply(i);
        if (problem != null) {
          rejected = true;
          statuses.add(RowStatus.REJECTED);
          errors.add(new RowError(i, problemField(problem), problem));
        } else {
          statuses.add(RowStatus.ACCEPTED);
        }
      }
      if (rejected) {
        for (int i = from; i < to; i++) {
          if (statuses.get(i) == RowStatus.ACCEPTED) {
            statuses.set(i, RowStatus.UNCONFIRMED);
          }
        }
      }
    }
    return BatchResult.of(statuses, errors, requests);
  }

  private String checkProfile(Map<String, Object> attributes) {
    boolean hasIdentifier = false;
    for (Map.Entry<String, Object> e : attributes.entrySet()) {
      if (identifiers.contains(e.getKey()) && e.getValue() != null) {
        hasIdentifier = true;
      }
      if (!fields.containsKey(e.getKey())) {
        return e.getKey() + ": no such field on customers";
      }
      if (e.getValue() instanceof String s && s.length() > 1024) {
        return e.getKey() + ": text longer than 1024 characters";
      }
    }
    return hasIdentifier ? null : "identifiers: at least one identifier is required";
  }

  /** ODP treats {@code Ann@Example.com} and {@code ann@example.com} as one customer. */
  private static boolean sameValue(String identifier, String expected, Object actual) {
    if (!(actual instanceof String text)) {
      return expected.equals(actual);
    }
    return EMAIL.equals(identifier) ? expected.equalsIgnoreCase(text) : expected.equals(text);
  }

  private static String problemField(String problem) {
    int colon = problem.indexOf(':');
    return colon < 0 ? null : problem.substring(0, colon);
  }

  private void merge(Map<String, Object> attributes) {
    String key = null;
    for (String id : identifiers) {
      Object v = attributes.get(id);
      if (v != null) {
        key = id + ":" + (EMAIL.equals(id) ? String.valueOf(v).toLowerCase(Locale.ROOT) : v);
        break;
      }
    }
    if (key == null) {
      throw new IllegalArgumentException("a customer needs an identifier: " + attributes);
    }
    Map<String, Object> existing = customers.computeIfAbsent(key, k -> new LinkedHashMap<>());
    attributes.forEach(
        (k, v) -> {
          if (v == null) {
            existing.remove(k);
          } else {
            existing.put(k, v);
          }
        });
  }

  @Override
  public BatchResult sendEvents(List<OdpEvent> batch) {
    synchronized (lock) {
      Fault fault = enter(Operation.SEND_EVENTS, "events", true);
      if (batch.size() > requestCap) {
        throw badRequest(
            "events", "A maximum batch size of " + requestCap + " is allowed in a single request");
      }
      BatchResult result =
          inBatches(
              batch.size(),
              i -> {
                OdpEvent e = batch.get(i);
                String problem = null;
                if (e.identifiers().keySet().stream().noneMatch(identifiers::contains)) {
                  problem = "identifiers: at least one known identifier is required";
                }
                for (Map.Entry<String, Object> d : e.data().entrySet()) {
                  if (d.getValue() instanceof String s && s.length() > 1024) {
                    problem = d.getKey() + ": text longer than 1024 characters";
                  }
                }
                if (problem == null && refusedEvents.test(e)) {
                  problem = refusalReason;
                }
                if (problem == null) {
                  store(e);
                }
                return problem;
              });
      afterProcessing(fault, "events");
      return result;
    }
  }

  private void store(OdpEvent e) {
    if (idempotenceIds.add(e.idempotenceId())) {
      events.add(e);
      eventTimes.add(e.ts() != null ? e.ts() : clock.instant());
      eventDataFields.addAll(e.data().keySet());
    }
  }

  @Override
  public List<SchemaField> customerFields() {
    synchronized (lock) {
      enter(Operation.SCHEMA, "schema");
      return List.copyOf(fields.values());
    }
  }

  @Override
  public SchemaField createCustomerField(SchemaField field) {
    synchronized (lock) {
      enter(Operation.SCHEMA, "schema");
      if (fields.containsKey(field.name())) {
        throw badRequest("schema", "name: already used by another field");
      }
      fields.put(field.name(), field);
      return field;
    }
  }

  @Override
  public Stream<ExportRow> segmentMembers(String segment, List<String> wanted) {
    List<ExportRow> rows = new ArrayList<>();
    synchronized (lock) {
      enter(Operation.SEGMENT_MEMBERS, "exports");
      Predicate<Map<String, Object>> membership = segments.get(segment);
      if (membership == null) {
        throw badRequest("exports", "segments: unknown segment " + segment);
      }
      long n = 0;
      for (Map<String, Object> c : customers.values()) {
        if (membership.test(c)) {
          Map<String, String> values = new LinkedHashMap<>();
          for (String f : wanted) {
            String column = f.startsWith("customer.") ? f.substring("customer.".length()) : f;
            Object v = c.get(column);
            values.put(f, v == null ? "" : String.valueOf(v));
          }
          rows.add(new ExportRow(0, ++n, values));
        }
      }
    }
    return rows.stream();
  }

  // ---- OdpEventExport ----------------------------------------------------------------------

  @Override
  public List<SchemaField> eventFields() {
    synchronized (lock) {
      enter(Operation.SCHEMA, "schema");
      List<SchemaField> out = new ArrayList<>();
      for (String name : eventFieldNames()) {
        out.add(
            SchemaField.of(
                name,
                name.equals(OdpEventExport.TS) ? FieldType.TIMESTAMP : FieldType.STRING,
                name));
      }
      return out;
    }
  }

  private List<String> eventFieldNames() {
    Set<String> names = new LinkedHashSet<>();
    names.add(OdpEventExport.EVENT_TYPE);
    names.add(OdpEventExport.ACTION);
    names.add(OdpEventExport.TS);
    names.add(OdpEventExport.IDEMPOTENCE_ID);
    names.addAll(new TreeSet<>(identifiers));
    names.addAll(eventDataFields);
    return new ArrayList<>(names);
  }

  /**
   * Answers like ODP's events export: an unknown field in {@code fields} or in the filter is a 404
   * {@code Unable to locate field events.<name>}.
   */
  @Override
  public Stream<ExportRow> exportEvents(ExportFilter filter, List<String> wanted) {
    List<ExportRow> rows = new ArrayList<>();
    synchronized (lock) {
      enter(Operation.EVENT_EXPORT, "exports");
      List<String> known = eventFieldNames();
      List<String> columns = wanted.equals(List.of("*")) ? known : List.copyOf(wanted);
      for (String c : columns) {
        requireEventField(known, c);
      }
      if (filter != null) {
        checkFilterFields(known, filter);
      }
      long n = 0;
      for (int i = 0; i < events.size(); i++) {
        Map<String, Object> values = eventValues(events.get(i), eventTimes.get(i));
        if (filter == null || EventFilterEval.matches(filter, values)) {
          Map<String, String> row = new LinkedHashMap<>();
          for (String c : columns) {
            Object v = values.get(c);
            row.put(c, v == null ? "" : String.valueOf(v));
          }
          rows.add(new ExportRow(0, ++n, row));
        }
      }
    }
    return rows.stream();
  }

  private static Map<String, Object> eventValues(OdpEvent e, Instant at) {
    Map<String, Object> values = new HashMap<>(e.data());
    values.putAll(e.identifiers());
    values.put(OdpEventExport.EVENT_TYPE, e.type());
    values.put(OdpEventExport.ACTION, e.action());
    values.put(OdpEventExport.TS, at.getEpochSecond());
    values.put(OdpEventExport.IDEMPOTENCE_ID, e.idempotenceId());
    return values;
  }

  private static void checkFilterFields(List<String> known, ExportFilter filter) {
    if (filter instanceof ExportFilter.Clause c) {
      requireEventField(known, c.field());
    } else {
      EventFilterEval.children(filter).forEach(f -> checkFilterFields(known, f));
    }
  }

  private static void requireEventField(List<String> known, String field) {
    if (!known.contains(field)) {
      throw new OdpNotFoundException(
          "exports",
          "exports answered 404: Unable to locate field events." + field + ".",
          404,
          Map.of(),
          "Not Found",
          "Unable to locate field events." + field + ".",
          "");
    }
  }

  private void enter(Operation operation, String endpoint) {
    enter(operation, endpoint, false);
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

  private static OdpBadRequestException badRequest(String endpoint, String detail) {
    return new OdpBadRequestException(
        endpoint, endpoint + " answered 400: " + detail, Map.of(), "Bad Request", detail, "", null);
  }

  private static OdpApiException apiError(int status, String endpoint) {
    return status == 429
        ? new OdpRateLimitException(
            endpoint,
            endpoint + " answered 429",
            Map.of(),
            "Too Many Requests",
            null,
            "",
            Duration.ofSeconds(1))
        : new OdpServerException(
            endpoint,
            endpoint + " answered " + status,
            status,
            Map.of(),
            "Service Unavailable",
            null,
            "");
  }

  private static RuntimeException toException(Fault fault, String endpoint) {
    return switch (fault) {
      case RATE_LIMITED -> apiError(429, endpoint);
      case SERVER_ERROR -> apiError(503, endpoint);
      case CONNECTION_REFUSED ->
          new OdpIoException(
              endpoint, "connection refused", new ConnectException("Connection refused"));
      case RESPONSE_LOST ->
          new OdpIoException(
              endpoint, "timeout after sending", new SocketTimeoutException("timeout"));
    };
  }
}
