package io.github.brazeodp.odp;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Validates batch rows before any request and encodes each to JSON once.
 *
 * <p>Error messages name the row, the field and the offending name or value, e.g. {@code
 * events[3].identifiers: at least one identifier is required}.
 */
final class RowEncoder {
  /**
   * ODP field names are lower snake case; a leading underscore is allowed because some accounts use
   * prefixes such as {@code _braze_}.
   */
  static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  /** ODP's documented limit for text values. */
  static final int MAX_TEXT = 1024;

  private static final String NAME_RULE =
      "lower snake case: a-z, 0-9 and _, starting with a letter or _";

  private final BatchSettings settings;
  private final long maxRowBytes;
  // Field names repeat on every row: each valid one is checked once, up to MAX_KNOWN_NAMES of
  // them (then every time), and the check took 4 % of a first segment sync's CPU.
  private final Set<String> validNames = ConcurrentHashMap.newKeySet();
  // One row buffer per thread, reused: a new one per row, grown past its first 256 bytes by most
  // rows, was a sixth of a segment sync's allocation. Only the finished row is copied out.
  private final ThreadLocal<JsonRow> rows = ThreadLocal.withInitial(JsonRow::new);
  private static final int MAX_KNOWN_NAMES = 4_096;
  private static final int MAX_KEPT_ROW_BUFFER = 64 * 1024;

  RowEncoder(BatchSettings settings, long maxRowBytes) {
    this.settings = settings;
    this.maxRowBytes = maxRowBytes;
  }

  byte[] event(int index, OdpEvent e) {
    String where = "events[" + index + "]";
    if (e == null) {
      throw invalid(where + ": must not be null");
    }
    requireText(where + ".type", e.type());
    boolean hasAction = e.action() != null && !e.action().isBlank();
    if (!hasAction && settings.requireAction()) {
      throw invalid(
          where
              + ".action: must not be blank (ODP's OpenAPI requires it;"
              + " BatchSettings.requireAction(false) allows events without one)");
    }
    if (hasAction) {
      requireText(where + ".action", e.action());
    }
    identifiers(where, e.identifiers());
    Map<String, Object> data = flat(where + ".data", e.data());
    if (e.ts() != null && data.containsKey("ts")) {
      throw invalid(where + ".data.ts: set either the event's ts or data.ts, not both");
    }
    Object dataId = data.get("idempotence_id");
    if (dataId != null && !e.idempotenceId().equals(dataId)) {
      throw invalid(
          where
              + ".data.idempotence_id: differs from the event's idempotenceId \""
              + e.idempotenceId()
              + "\"");
    }
    requireText(where + ".idempotenceId", e.idempotenceId());
    JsonRow w = scratch();
    w.raw("{\"type\":").string(e.type());
    if (hasAction) {
      w.raw(",\"action\":").string(e.action());
    }
    w.raw(",\"identifiers\":{");
    // forEach rather than entrySet(): the maps are unmodifiable views, whose entry iterators wrap
    // every entry (7 % of a first segment sync's CPU went to those wrappers).
    int[] written = {0};
    e.identifiers()
        .forEach(
            (name, value) -> {
              if (written[0]++ > 0) {
                w.raw(',');
              }
              w.string(name).raw(':').string(value);
            });
    w.raw("},\"data\":{");
    written[0] = 0;
    data.forEach(
        (name, value) -> {
          if (!name.equals("idempotence_id")) {
            if (written[0]++ > 0) {
              w.raw(',');
            }
            w.string(name).raw(':').scalar(value);
          }
        });
    boolean first = written[0] == 0;
    if (e.ts() != null) {
      w.raw(first ? "\"ts\":" : ",\"ts\":").raw(Long.toString(e.ts().getEpochSecond()));
      first = false;
    }
    w.raw(first ? "\"idempotence_id\":" : ",\"idempotence_id\":").string(e.idempotenceId());
    w.raw("}}");
    return sized(where, w);
  }

  /**
   * Checks a row {@link #event} encoded earlier, before it is sent again: present, a JSON object
   * that starts as {@code event} writes one, and within the request byte cap.
   */
  byte[] encoded(int index, byte[] row) {
    String where = "events[" + index + "]";
    if (row == null) {
      throw invalid(where + ": must not be null");
    }
    if (row.length < EVENT_START.length + 1
        || !java.util.Arrays.equals(row, 0, EVENT_START.length, EVENT_START, 0, EVENT_START.length)
        || row[row.length - 1] != '}') {
      throw invalid(where + ": not an encoded event (EventsService.encode output)");
    }
    if (row.length > maxRowBytes) {
      throw invalid(
          where
              + ": encoded size "
              + row.length
              + " bytes exceeds the request byte cap ("
              + (maxRowBytes + 2)
              + ", BatchSettings.maxBytes)");
    }
    return row;
  }

  private static final byte[] EVENT_START =
      "{\"type\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  byte[] profile(int index, ProfileUpdate p) {
    String where = "profiles[" + index + "]";
    if (p == null) {
      throw invalid(where + ": must not be null");
    }
    identifiers(where, p.identifiers());
    Map<String, Object> attributes = flat(where + ".attributes", p.attributes());
    p.identifiers()
        .forEach(
            (name, value) -> {
              if (attributes.containsKey(name) && !Objects.equals(attributes.get(name), value)) {
                throw invalid(
                    where
                        + ".attributes."
                        + name
                        + ": conflicts with identifier "
                        + name
                        + " (identifiers travel inside attributes)");
              }
            });
    JsonRow w = scratch();
    w.raw("{\"attributes\":{");
    int[] written = {0};
    attributes.forEach(
        (name, value) -> {
          if (written[0]++ > 0) {
            w.raw(',');
          }
          w.string(name).raw(':').scalar(value);
        });
    p.identifiers()
        .forEach(
            (name, value) -> {
              if (!attributes.containsKey(name)) {
                if (written[0]++ > 0) {
                  w.raw(',');
                }
                w.string(name).raw(':').string(value);
              }
            });
    w.raw("}}");
    return sized(where, w);
  }

  byte[] subscription(int index, ListSubscription s) {
    String where = "subscriptions[" + index + "]";
    if (s == null) {
      throw invalid(where + ": must not be null");
    }
    requireText(where + ".listId", s.listId());
    requireName(where + ".identifierName", s.identifierName());
    if (s.identifierName().equals("list_id") || s.identifierName().equals("subscribed")) {
      throw invalid(where + ".identifierName: \"" + s.identifierName() + "\" is not an identifier");
    }
    requireText(where + ".identifierValue", s.identifierValue());
    JsonRow w = scratch();
    w.raw("{\"list_id\":").string(s.listId());
    w.raw(',').string(s.identifierName()).raw(':').string(s.identifierValue());
    w.raw(",\"subscribed\":").raw(s.subscribed() ? "true" : "false");
    w.raw('}');
    return sized(where, w);
  }

  /** This thread's row buffer, emptied; one grown by a huge row is not kept. */
  private JsonRow scratch() {
    JsonRow row = rows.get();
    if (row.capacity() > MAX_KEPT_ROW_BUFFER) {
      row = new JsonRow();
      rows.set(row);
    }
    return row.clear();
  }

  private byte[] sized(String where, JsonRow out) {
    if (out.size() > maxRowBytes) {
      throw invalid(
          where
              + ": encoded size "
              + out.size()
              + " bytes exceeds the request byte cap ("
              + (maxRowBytes + 2)
              + ", BatchSettings.maxBytes)");
    }
    return out.toByteArray();
  }

  private void identifiers(String where, Map<String, String> identifiers) {
    if (identifiers.isEmpty()) {
      throw invalid(where + ".identifiers: at least one identifier is required");
    }
    identifiers.forEach(
        (name, value) -> {
          if (!knownValid(name)) {
            requireName(where + ".identifiers", name);
          }
          if (value == null || value.isBlank() || value.length() > MAX_TEXT) {
            requireText(where + ".identifiers." + name, value);
          }
        });
  }

  /** Validates names and values and applies the nested-data policy, keeping key order. */
  private Map<String, Object> flat(String where, Map<String, Object> values) {
    // The common row is flat already: check it in place instead of copying it.
    boolean[] nested = {false};
    values.forEach(
        (name, value) -> {
          if (nested[0]
              || value instanceof Map<?, ?>
              || value instanceof Collection<?>
              || value instanceof Object[]) {
            nested[0] = true;
            return;
          }
          if (!knownValid(name)) {
            requireName(where, name);
          }
          checkScalar(where, name, value);
        });
    if (!nested[0]) {
      return values;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      collect(where, entry.getKey(), entry.getValue(), out);
    }
    return out;
  }

  private void collect(String where, String key, Object value, Map<String, Object> out) {
    requireName(where, key);
    if (value instanceof Map<?, ?> || value instanceof Collection<?> || value instanceof Object[]) {
      String path = where + "." + key;
      if (settings.nestedData() == NestedDataPolicy.REJECT) {
        throw invalid(
            path
                + ": nested objects and arrays are not allowed (ODP fields are flat);"
                + " BatchSettings.nestedData(FLATTEN) flattens them");
      }
      if (value instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> child : map.entrySet()) {
          if (!(child.getKey() instanceof String name)) {
            throw invalid(path + ": nested keys must be strings, found " + child.getKey());
          }
          collect(where, key + "_" + name, child.getValue(), out);
        }
      } else {
        Object[] items = value instanceof Object[] a ? a : ((Collection<?>) value).toArray();
        for (int i = 0; i < items.length; i++) {
          collect(where, key + "_" + i, items[i], out);
        }
      }
      return;
    }
    checkScalar(where, key, value);
    if (out.containsKey(key)) {
      throw invalid(where + "." + key + ": flattening produced this key twice");
    }
    out.put(key, value);
  }

  /** Checks one flat value; the path {@code where.key} is only built for the error message. */
  private static void checkScalar(String where, String key, Object value) {
    if (value == null || value instanceof Boolean || value instanceof Instant) {
      return;
    }
    if (value instanceof String s) {
      if (s.length() > MAX_TEXT) {
        throw invalid(
            where
                + "."
                + key
                + ": text of "
                + s.length()
                + " characters exceeds ODP's "
                + MAX_TEXT
                + "-character limit");
      }
      return;
    }
    if ((value instanceof Double d && (d.isNaN() || d.isInfinite()))
        || (value instanceof Float f && (f.isNaN() || f.isInfinite()))) {
      throw invalid(where + "." + key + ": " + value + " is not a JSON number");
    }
    if (value instanceof Number) {
      return;
    }
    throw invalid(
        where
            + "."
            + key
            + ": unsupported type "
            + value.getClass().getName()
            + " (use String, Number, Boolean, Instant or null)");
  }

  private boolean knownValid(String name) {
    if (name != null && validNames.contains(name)) {
      return true;
    }
    if (!validName(name)) {
      return false;
    }
    if (validNames.size() < MAX_KNOWN_NAMES) {
      validNames.add(name);
    }
    return true;
  }

  static void requireName(String where, String name) {
    if (!validName(name)) {
      throw invalid(
          where
              + ": invalid name "
              + (name == null ? "null" : "\"" + name + "\"")
              + " ("
              + NAME_RULE
              + ")");
    }
  }

  // Characters allowed after the first: one table look-up per character instead of three ranges.
  private static final boolean[] NAME_CHAR = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      NAME_CHAR[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      NAME_CHAR[c] = true;
    }
    NAME_CHAR['_'] = true;
  }

  /** {@link #NAME} without a regex: the check runs for every field of every row. */
  static boolean validName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    char c0 = name.charAt(0);
    if (!((c0 >= 'a' && c0 <= 'z') || c0 == '_')) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 128 || !NAME_CHAR[c]) {
        return false;
      }
    }
    return true;
  }

  static void requireText(String where, String value) {
    if (value == null) {
      throw invalid(where + ": must not be null");
    }
    if (value.isBlank()) {
      throw invalid(where + ": must not be blank, was \"" + value + "\"");
    }
    if (value.length() > MAX_TEXT) {
      throw invalid(
          where
              + ": text of "
              + value.length()
              + " characters exceeds ODP's "
              + MAX_TEXT
              + "-character limit");
    }
  }

  private static IllegalArgumentException invalid(String message) {
    return new IllegalArgumentException(message);
  }
}
