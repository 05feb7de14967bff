package io.github.brazeodp.sync.currents;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.state.IdentityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns one Braze Currents event, of any event type including future ones, into one ODP event.
 *
 * <p>The rules (Flow 2 of the integration model):
 *
 * <ul>
 *   <li>{@code type} is {@code "braze"}; {@code action} is the {@code event_type} without a leading
 *       {@code users.}, dots turned into underscores, lower-cased ({@code
 *       users.messages.email.Open} → {@code messages_email_open}, {@code
 *       agentconsole.AgentExecuted} → {@code agentconsole_agentexecuted}).
 *   <li>{@code ts} is {@code time}, epoch seconds, an integer or a fraction; any other type makes
 *       the event invalid. {@code idempotence_id} is the Currents {@code id}.
 *   <li>Identifiers, in the order of the {@link IdentityRule} (default: email, then phone): {@code
 *       email} from the event's {@code email_address}; {@code phone} from {@code to_phone_number},
 *       {@code user_phone_number} or {@code phone_number} (never a sender or inbound business
 *       number such as {@code from_phone_number} or {@code inbound_phone_number}); the account's
 *       custom identifier for Braze's external id ({@link IdentityRule#withExternalIdAs}) from
 *       {@code user.external_user_id}; then the identity map of the state store, looked up by
 *       {@code user.user_id} (the {@code braze_id}), then by {@code user.external_user_id}, adding
 *       the identifiers not found yet. An event with none is <em>unmatched</em>.
 *   <li>Data: every field under {@code user} and {@code properties} (and any unknown top-level
 *       field), plus {@code id} and {@code event_type}, flattened under the prefix (default {@code
 *       _braze_}): {@code _braze_id}, {@code _braze_event_type}, {@code _braze_user_id}, {@code
 *       _braze_campaign_name}, {@code _braze_custom_properties_<key>}. Fields used as identifiers
 *       stay in the data too, so nothing Braze sent is lost.
 * </ul>
 *
 * <p>Flattening keeps ODP's rules. Names become lower snake case ({@code listProperty} → {@code
 * list_property}; characters outside {@code a-z0-9_} become {@code _}); nested objects join their
 * keys with {@code _}; an array becomes one text field holding its compact JSON ({@code ["a","b"]})
 * so that a list does not create a varying number of fields; a name produced twice gets a suffix
 * {@code _2}, {@code _3}, ... and a note. Text over 1,024 characters is cut to 1,024 (ODP would
 * refuse the whole event) and noted: truncating keeps the event, rejecting would lose it. Numbers
 * are longs when they are integers that fit, else doubles.
 *
 * <p>Immutable and thread-safe.
 */
public final class CurrentsTransformer {
  /** The ODP event type of every forwarded Currents event. */
  public static final String EVENT_TYPE = "braze";

  /** The default prefix of the data fields Braze creates in ODP. */
  public static final String DEFAULT_PREFIX = "_braze_";

  /** Braze drops events over 900 KB; the default per-event limit. */
  public static final long DEFAULT_MAX_EVENT_BYTES = 900L * 1024;

  /** The default limit on nesting, the event object being level 1. */
  public static final int DEFAULT_MAX_DEPTH = 32;

  /** ODP's limit on text values. */
  static final int MAX_TEXT = 1024;

  static final String TRUNCATED_NOTE = "truncated ";

  private static final Pattern PREFIX = Pattern.compile("_?[a-z][a-z0-9_]*_");
  private static final List<String> EMAIL_FIELDS = List.of("email_address");
  private static final List<String> PHONE_FIELDS =
      List.of("to_phone_number", "user_phone_number", "phone_number");
  private static final long MAX_EPOCH_SECONDS = 253_402_300_799L; // 9999-12-31T23:59:59Z
  // Bounds the name and action caches: Braze sends a few hundred distinct field names and event
  // types, so a bound this size is never reached by real traffic, only by hostile posts.
  private static final int MAX_CACHED_NAMES = 4_096;

  private final String prefix;
  private final IdentityRule identity;
  private final SyncStateStore identityMap;
  private final long maxEventBytes;
  private final int maxDepth;
  // Top-level field name -> prefixed snake-case data name, and event type -> action: the same few
  // hundred strings were built again for every event, a tenth of the receiver's transform time.
  private final Map<String, String> names = new ConcurrentHashMap<>();
  private final Map<String, String> actions = new ConcurrentHashMap<>();

  private CurrentsTransformer(Builder b) {
    this.prefix = b.prefix;
    this.identity = b.identity;
    this.identityMap = b.identityMap;
    this.maxEventBytes = b.maxEventBytes;
    this.maxDepth = b.maxDepth;
  }

  /**
   * Returns a builder with the defaults: prefix {@code _braze_}, identity rule {@link
   * IdentityRule#defaults()}, no identity map, 900 KB per event, 32 levels of nesting.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this transformer's settings.
   *
   * @return a new builder
   */
  public Builder newBuilder() {
    Builder b = new Builder();
    b.prefix = prefix;
    b.identity = identity;
    b.identityMap = identityMap;
    b.maxEventBytes = maxEventBytes;
    b.maxDepth = maxDepth;
    return b;
  }

  /**
   * Returns the prefix of the data fields.
   *
   * @return the prefix, for example {@code _braze_}
   */
  public String prefix() {
    return prefix;
  }

  /**
   * Returns the largest event accepted, in bytes of JSON.
   *
   * @return the limit
   */
  public long maxEventBytes() {
    return maxEventBytes;
  }

  /**
   * Returns the deepest nesting accepted, the event object being level 1.
   *
   * @return the limit
   */
  public int maxDepth() {
    return maxDepth;
  }

  /**
   * Transforms one Currents event given as JSON text, as it appears inside {@code {"events":
   * [...]}}.
   *
   * @param json the event's JSON object
   * @return the ODP event and notes
   * @throws InvalidCurrentsEventException if the text is not a JSON object, is over the size limit,
   *     is nested too deeply or misses a required field
   */
  public TransformedEvent transform(String json) {
    Objects.requireNonNull(json, "json");
    JsonTree.ParsedEvent parsed;
    try {
      parsed = parser(Integer.MAX_VALUE).parseEvent(json.getBytes(StandardCharsets.UTF_8));
    } catch (JsonTree.BatchException e) {
      throw new InvalidCurrentsEventException("event", "event: " + e.getMessage());
    }
    if (parsed.problem() != null) {
      throw new InvalidCurrentsEventException("event", "event: " + parsed.problem());
    }
    return transform(parsed.fields(), "event");
  }

  /**
   * Transforms one Currents event already read into plain values: maps with string keys, lists,
   * strings, numbers, booleans and null.
   *
   * @param event the event's fields
   * @return the ODP event and notes
   * @throws InvalidCurrentsEventException if a required field is missing or has the wrong type
   */
  public TransformedEvent transform(Map<String, ?> event) {
    return transform(event, "event");
  }

  JsonTree parser(int maxEvents) {
    return new JsonTree(maxDepth, maxEvents, maxEventBytes);
  }

  TransformedEvent transform(Map<String, ?> event, String where) {
    return transform(event, where, identityMap == null ? null : direct(identityMap));
  }

  /** Where a transformation finds the identity map's records of a user. */
  interface Known {
    Optional<IdentityRecord> byBrazeId(String brazeId);

    Optional<IdentityRecord> byExternalId(String externalId);
  }

  private static Known direct(SyncStateStore store) {
    return new Known() {
      @Override
      public Optional<IdentityRecord> byBrazeId(String brazeId) {
        return store.identityByBrazeId(brazeId);
      }

      @Override
      public Optional<IdentityRecord> byExternalId(String externalId) {
        return store.identityByExternalId(externalId);
      }
    };
  }

  /**
   * Reads the identity map's records of a batch's users up front, in two reads of the store (by
   * Braze id, then by external id for the users not found), instead of one or two per event: each
   * read of a shared store may wait behind the receiver's group commit.
   *
   * @return the records, or null without an identity map
   */
  Known known(List<? extends Map<String, ?>> events) {
    if (identityMap == null) {
      return null;
    }
    Set<String> brazeIds = new HashSet<>();
    for (Map<String, ?> event : events) {
      if (event != null && event.get("user") instanceof Map<?, ?> user) {
        String id = text(user.get("user_id"));
        if (id != null) {
          brazeIds.add(id);
        }
      }
    }
    Map<String, IdentityRecord> byBrazeId =
        brazeIds.isEmpty() ? Map.of() : identityMap.identitiesByBrazeIds(brazeIds);
    Set<String> externalIds = new HashSet<>();
    for (Map<String, ?> event : events) {
      if (event != null && event.get("user") instanceof Map<?, ?> user) {
        String brazeId = text(user.get("user_id"));
        String externalId = text(user.get("external_user_id"));
        if (externalId != null && (brazeId == null || !byBrazeId.containsKey(brazeId))) {
          externalIds.add(externalId);
        }
      }
    }
    Map<String, IdentityRecord> byExternalId =
        externalIds.isEmpty() ? Map.of() : identityMap.identitiesByExternalIds(externalIds);
    return new Known() {
      @Override
      public Optional<IdentityRecord> byBrazeId(String brazeId) {
        return Optional.ofNullable(byBrazeId.get(brazeId));
      }

      @Override
      public Optional<IdentityRecord> byExternalId(String externalId) {
        IdentityRecord r = byExternalId.get(externalId);
        // An external id not read up front (its Braze id was found) is looked up as before.
        return r != null || externalIds.contains(externalId)
            ? Optional.ofNullable(r)
            : identityMap.identityByExternalId(externalId);
      }
    };
  }

  /**
   * Transforms one event with the identity records read up front by {@link #known}.
   *
   * @param known the records, or null for none
   */
  TransformedEvent transform(Map<String, ?> event, String where, Known known) {
    Objects.requireNonNull(event, "event");
    String id = requiredText(event, "id", where);
    String eventType = requiredText(event, "event_type", where);
    Instant ts = time(event.get("time"), event.containsKey("time"), where + "(" + id + ")");
    Map<String, ?> user = object(event, "user", where, id);
    Map<String, ?> properties = object(event, "properties", where, id);

    List<String> notes = new ArrayList<>(0);
    // Sized for the fields at hand, so that the map is not rehashed while it fills.
    Map<String, Object> data =
        new LinkedHashMap<>((int) ((user.size() + properties.size() + event.size()) / 0.75f) + 1);
    put(data, name("id"), id, notes);
    put(data, name("event_type"), eventType, notes);
    flatten(user, data, notes);
    flatten(properties, data, notes);
    for (Map.Entry<String, ?> e : event.entrySet()) {
      switch (e.getKey()) {
        case "id", "event_type", "time", "user", "properties" -> {}
        default -> flattenValue(name(e.getKey()), e.getValue(), data, notes);
      }
    }

    // The constructor copies the maps once; the builder would copy them twice more.
    OdpEvent odp =
        new OdpEvent(
            EVENT_TYPE,
            cachedAction(eventType),
            identifiers(user, properties, known),
            data,
            ts,
            id);
    return new TransformedEvent(id, eventType, odp, notes);
  }

  /**
   * Returns the ODP action for a Currents event type: without a leading {@code users.}, dots turned
   * into underscores, lower-cased.
   *
   * @param eventType the Currents {@code event_type}
   * @return the action, for example {@code messages_email_open}
   */
  public static String action(String eventType) {
    String rest =
        eventType.startsWith("users.") ? eventType.substring("users.".length()) : eventType;
    return rest.replace('.', '_').toLowerCase(Locale.ROOT);
  }

  private String cachedAction(String eventType) {
    String a = actions.get(eventType);
    if (a == null) {
      a = action(eventType);
      if (actions.size() < MAX_CACHED_NAMES) {
        actions.put(eventType, a);
      }
    }
    return a;
  }

  /** The data name of a top-level field: the prefix and the key in snake case. */
  private String name(String key) {
    String n = names.get(key);
    if (n == null) {
      n = prefix + snake(key);
      if (names.size() < MAX_CACHED_NAMES) {
        names.put(key, n);
      }
    }
    return n;
  }

  // ---- identifiers ---------------------------------------------------------------------------

  private Map<String, String> identifiers(
      Map<String, ?> user, Map<String, ?> properties, Known knownUsers) {
    Map<String, String> ids = new LinkedHashMap<>();
    String brazeId = text(user.get("user_id"));
    String externalId = text(user.get("external_user_id"));
    for (IdentityRule.Pair pair : identity.pairs()) {
      String value =
          switch (pair.brazeField()) {
            case "email" -> first(EMAIL_FIELDS, properties, user);
            case "phone" -> first(PHONE_FIELDS, properties, user);
            case "external_id" -> externalId;
            case "braze_id" -> brazeId;
            default -> null;
          };
      if (value != null) {
        ids.putIfAbsent(pair.odpIdentifier(), value);
      }
    }
    if (knownUsers != null) {
      Optional<IdentityRecord> known =
          brazeId != null ? knownUsers.byBrazeId(brazeId) : Optional.empty();
      if (known.isEmpty() && externalId != null) {
        known = knownUsers.byExternalId(externalId);
      }
      known.ifPresent(r -> addKnown(r.identifiers(), ids));
    }
    return ids;
  }

  /**
   * Adds the identity map's identifiers not found yet: those the rule names first, in its order,
   * then the others by name, so that the result does not depend on the store's map order.
   */
  private void addKnown(Map<String, String> known, Map<String, String> ids) {
    for (String name : identity.odpIdentifiers()) {
      String v = text(known.get(name));
      if (v != null) {
        ids.putIfAbsent(name, v);
      }
    }
    known.keySet().stream()
        .sorted()
        .forEach(
            name -> {
              String v = text(known.get(name));
              if (v != null) {
                ids.putIfAbsent(name, v);
              }
            });
  }

  private static String first(List<String> names, Map<String, ?> properties, Map<String, ?> user) {
    for (String name : names) {
      String v = text(properties.get(name));
      if (v == null) {
        v = text(user.get(name));
      }
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static String text(Object value) {
    return value instanceof String s && !s.isBlank() ? s.strip() : null;
  }

  // ---- required fields -----------------------------------------------------------------------

  private static String requiredText(Map<String, ?> event, String field, String where) {
    Object v = event.get(field);
    if (!event.containsKey(field)) {
      throw new InvalidCurrentsEventException(field, where + "." + field + ": required, missing");
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw new InvalidCurrentsEventException(
          field, where + "." + field + ": must be a non-blank string, was " + show(v));
    }
    return s;
  }

  private static Instant time(Object v, boolean present, String where) {
    if (!present) {
      throw new InvalidCurrentsEventException("time", where + ".time: required, missing");
    }
    if (!(v instanceof Number n) || v instanceof Double d && (d.isNaN() || d.isInfinite())) {
      throw new InvalidCurrentsEventException(
          "time", where + ".time: must be a number of epoch seconds, was " + show(v));
    }
    if (n instanceof Long l && l >= 0 && l <= MAX_EPOCH_SECONDS) {
      return Instant.ofEpochSecond(l); // Braze's usual integer seconds: no decimal arithmetic
    }
    BigDecimal seconds = n instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal(n.toString());
    if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) > 0) {
      throw new InvalidCurrentsEventException(
          "time",
          where + ".time: must be epoch seconds between 0 and " + MAX_EPOCH_SECONDS + ", was " + n);
    }
    long whole = seconds.longValue();
    long nanos =
        seconds
            .subtract(BigDecimal.valueOf(whole))
            .movePointRight(9)
            .setScale(0, java.math.RoundingMode.DOWN)
            .longValue();
    return Instant.ofEpochSecond(whole, nanos);
  }

  private static Map<String, ?> object(
      Map<String, ?> event, String field, String where, String id) {
    Object v = event.get(field);
    if (v == null) {
      return Map.of();
    }
    if (v instanceof Map<?, ?> m) {
      for (Object key : m.keySet()) {
        if (!(key instanceof String)) {
          throw new InvalidCurrentsEventException(
              field, where + "(" + id + ")." + field + ": keys must be strings, found " + key);
        }
      }
      @SuppressWarnings("unchecked")
      Map<String, ?> typed = (Map<String, ?>) m;
      return typed;
    }
    throw new InvalidCurrentsEventException(
        field, where + "(" + id + ")." + field + ": must be an object, was " + show(v));
  }

  static String show(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
      return "\"" + shown + "\" (string)";
    }
    if (v instanceof Map<?, ?>) {
      return "an object";
    }
    if (v instanceof List<?>) {
      return "an array";
    }
    if (v instanceof Boolean) {
      return v + " (boolean)";
    }
    return v + " (number)";
  }

  // ---- flattening ----------------------------------------------------------------------------

  private void flatten(Map<String, ?> fields, Map<String, Object> data, List<String> notes) {
    for (Map.Entry<String, ?> e : fields.entrySet()) {
      flattenValue(name(e.getKey()), e.getValue(), data, notes);
    }
  }

  private void flattenValue(
      String name, Object value, Map<String, Object> data, List<String> notes) {
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> child : map.entrySet()) {
        flattenValue(
            name + "_" + snake(String.valueOf(child.getKey())), child.getValue(), data, notes);
      }
      return;
    }
    if (value instanceof List<?> list) {
      put(data, name, JsonTree.toJson(list), notes);
      return;
    }
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Long
        || value instanceof Integer) {
      put(data, name, value, notes);
    } else if (value instanceof Double d) {
      put(data, name, d.isNaN() || d.isInfinite() ? d.toString() : d, notes);
    } else if (value instanceof Number n) {
      put(data, name, JsonTree.number(n.toString()), notes);
    } else {
      put(data, name, value.toString(), notes);
    }
  }

  private static void put(Map<String, Object> data, String name, Object value, List<String> notes) {
    String key = name;
    if (data.containsKey(key)) {
      int n = 2;
      while (data.containsKey(name + "_" + n)) {
        n++;
      }
      key = name + "_" + n;
      notes.add("renamed a second " + name + " to " + key);
    }
    if (value instanceof String s && s.length() > MAX_TEXT) {
      int end = Character.isHighSurrogate(s.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT;
      notes.add(TRUNCATED_NOTE + key + " from " + s.length() + " to " + end + " characters");
      value = s.substring(0, end);
    }
    data.put(key, value);
  }

  /**
   * Returns a key in lower snake case: an upper-case letter after a lower-case letter or digit
   * starts a new word, every character outside {@code a-z0-9_} becomes {@code _}.
   */
  static String snake(String key) {
    if (isSnake(key)) {
      return key; // most of Braze's names already are: no copy
    }
    StringBuilder out = new StringBuilder(key.length() + 4);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char prev = i > 0 ? key.charAt(i - 1) : ' ';
        if ((prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9')) {
          out.append('_');
        }
        out.append((char) (c + ('a' - 'A')));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
        out.append(c);
      } else {
        out.append('_');
      }
    }
    return out.length() == 0 ? "_" : out.toString();
  }

  private static boolean isSnake(String key) {
    if (key.isEmpty()) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** Builds {@link CurrentsTransformer}s. */
  public static final class Builder {
    private String prefix = DEFAULT_PREFIX;
    private IdentityRule identity = IdentityRule.defaults();
    private SyncStateStore identityMap;
    private long maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
    private int maxDepth = DEFAULT_MAX_DEPTH;

    private Builder() {}

    /**
     * Sets the prefix of the data fields (default {@code _braze_}; accounts whose ODP schema
     * refuses a leading underscore use {@code braze_}).
     *
     * @param prefix lower snake case, may start with {@code _}, must end with {@code _}
     * @return this builder
     * @throws IllegalArgumentException if the prefix breaks ODP's name rules
     */
    public Builder prefix(String prefix) {
      if (prefix == null || prefix.length() > 32 || !PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException(
            "prefix must be lower snake case, may start with \"_\", must end with \"_\" and have at"
                + " most 32 characters (for example _braze_ or braze_), was "
                + (prefix == null ? "null" : "\"" + prefix + "\""));
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Sets which event fields become which ODP identifiers; {@code email} and {@code phone} read
     * the event's own fields, {@code external_id} reads {@code user.external_user_id} and {@code
     * braze_id} reads {@code user.user_id}.
     *
     * @param identity the rule (default {@link IdentityRule#defaults()})
     * @return this builder
     */
    public Builder identity(IdentityRule identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /**
     * Sets the store whose identity map (written by the segment sync) identifies events that carry
     * only Braze ids.
     *
     * @param store the state store, or null for none
     * @return this builder
     */
    public Builder identityMap(SyncStateStore store) {
      this.identityMap = store;
      return this;
    }

    /**
     * Sets the largest event accepted, in bytes of JSON (default 900 KB, Braze's own limit).
     *
     * @param bytes at least 1,024
     * @return this builder
     */
    public Builder maxEventBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxEventBytes must be at least 1024, was " + bytes);
      }
      this.maxEventBytes = bytes;
      return this;
    }

    /**
     * Sets the deepest nesting accepted, the event object being level 1 (default 32); deeper events
     * are rejected individually.
     *
     * @param levels from 3 to {@value JsonTree#MAX_DEPTH_LIMIT}
     * @return this builder
     */
    public Builder maxDepth(int levels) {
      if (levels < 3 || levels > JsonTree.MAX_DEPTH_LIMIT) {
        throw new IllegalArgumentException(
            "maxDepth must be between 3 and " + JsonTree.MAX_DEPTH_LIMIT + ", was " + levels);
      }
      this.maxDepth = levels;
      return this;
    }

    /**
     * Builds the transformer.
     *
     * @return the transformer
     */
    public CurrentsTransformer build() {
      return new CurrentsTransformer(this);
    }
  }
}
