package io.github.brazeodp.sync.fake;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpApiException;
import io.github.brazeodp.odp.OdpBadRequestException;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpIoException;
import io.github.brazeodp.odp.OdpRateLimitException;
import io.github.brazeodp.odp.OdpServerException;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.RowError;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.port.OdpGateway;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An in-memory ODP account for tests: seed the customer schema, customers and segments; inspect the
 * profiles and events the code under test sent; inject failures.
 *
 * <p>It checks rows the way ODP does where the flows care: at least one known identifier per row,
 * fields that exist in the customer schema, text of at most 1,024 characters; bad rows come back as
 * {@link RowStatus#REJECTED} with a reason, the rest are stored. Events are de-duplicated by
 * idempotence id, as ODP does. Thread-safe.
 */
public final class InMemoryOdp implements OdpGateway {
  /** Operations that faults can target. */
  public enum Operation {
    /** Profile upserts. */
    UPSERT_PROFILES,
    /** Event sends. */
    SEND_EVENTS,
    /** Schema reads and writes. */
    SCHEMA,
    /** Segment-member exports. */
    SEGMENT_MEMBERS
  }

  /** The identifiers every ODP account has. */
  public static final Set<String> DEFAULT_IDENTIFIERS =
      Set.of("email", "phone", "vuid", "zaius_id");

  private final Object lock = new Object();
  private final Map<String, SchemaField> fields = new LinkedHashMap<>();
  private final Set<String> identifiers = new LinkedHashSet<>(DEFAULT_IDENTIFIERS);
  private final Map<String, Map<String, Object>> customers = new LinkedHashMap<>();
  private final List<ProfileUpdate> upserts = new ArrayList<>();
  private final List<OdpEvent> events = new ArrayList<>();
  private final Set<String> idempotenceIds = new java.util.HashSet<>();
  private final Map<String, Predicate<Map<String, Object>>> segments = new HashMap<>();
  private final Map<Operation, Integer> calls = new HashMap<>();
  private final FaultPlan<Operation> faults = new FaultPlan<>(Operation.class);
  private int batchCap = 500;

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

  /** Sets the largest batch accepted per call, like ODP's documented 500. */
  public InMemoryOdp batchCap(int cap) {
    synchronized (lock) {
      this.batchCap = cap;
    }
    return this;
  }

  /** Makes the next {@code times} calls of {@code operation} (or of any, when null) fail. */
  public InMemoryOdp failNext(Operation operation, int times, Fault fault) {
    synchronized (lock) {
      faults.add(operation, times, fault);
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

  /** Returns the merged customers, keyed by their first identifier value. */
  public Map<String, Map<String, Object>> customers() {
    synchronized (lock) {
      Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
      customers.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
      return copy;
    }
  }

  /** Returns the customer holding {@code identifier = value}, or null. */
  public Map<String, Object> customer(String identifier, String value) {
    synchronized (lock) {
      for (Map<String, Object> c : customers.values()) {
        if (value.equals(c.get(identifier))) {
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

  // ---- OdpGateway --------------------------------------------------------------------------

  @Override
  public BatchResult upsertProfiles(List<ProfileUpdate> updates) {
    synchronized (lock) {
      enter(Operation.UPSERT_PROFILES, "profiles");
      checkCap(updates.size(), "profiles");
      List<RowStatus> statuses = new ArrayList<>();
      List<RowError> errors = new ArrayList<>();
      for (int i = 0; i < updates.size(); i++) {
        ProfileUpdate u = updates.get(i);
        Map<String, Object> attributes = new LinkedHashMap<>(u.attributes());
        attributes.putAll(u.identifiers());
        String problem = checkProfile(attributes);
        if (problem != null) {
          statuses.add(RowStatus.REJECTED);
          errors.add(new RowError(i, problemField(problem), problem));
        } else {
          statuses.add(RowStatus.ACCEPTED);
          upserts.add(u);
          merge(attributes);
        }
      }
      return BatchResult.of(statuses, errors, 1);
    }
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

  private static String problemField(String problem) {
    return problem.substring(0, problem.indexOf(':'));
  }

  private void merge(Map<String, Object> attributes) {
    String key = null;
    for (String id : identifiers) {
      Object v = attributes.get(id);
      if (v != null) {
        key = id + ":" + v;
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
      enter(Operation.SEND_EVENTS, "events");
      checkCap(batch.size(), "events");
      List<RowStatus> statuses = new ArrayList<>();
      List<RowError> errors = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
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
        if (problem != null) {
          statuses.add(RowStatus.REJECTED);
          errors.add(new RowError(i, problemField(problem), problem));
        } else {
          statuses.add(RowStatus.ACCEPTED);
          if (idempotenceIds.add(e.idempotenceId())) {
            events.add(e);
          }
        }
      }
      return BatchResult.of(statuses, errors, 1);
    }
  }

  private void checkCap(int size, String endpoint) {
    if (size > batchCap) {
      throw badRequest(endpoint, "batch of " + size + " is over the limit of " + batchCap);
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

  private void enter(Operation operation, String endpoint) {
    calls.merge(operation, 1, Integer::sum);
    Fault fault = faults.next(operation);
    if (fault == null) {
      return;
    }
    throw toException(fault, endpoint);
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
