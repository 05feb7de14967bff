package io.github.brazeodp.sync.fake;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.AttributeOperation;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.UserIdentifier;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Edits exported-user records the way Braze applies attribute writes. */
final class Users {
  private static final Moshi MOSHI = new Moshi.Builder().build();
  private static final JsonAdapter<ExportedUser> ADAPTER = MOSHI.adapter(ExportedUser.class);
  private static final JsonAdapter<Object> MAP_JSON = MOSHI.adapter(Object.class);

  private Users() {}

  static ExportedUser empty(String brazeId) {
    return fromMap(Map.of("braze_id", brazeId));
  }

  static ExportedUser withIdentifier(ExportedUser user, UserIdentifier id) {
    Map<String, Object> map = toMap(user);
    if (id.type() == UserIdentifier.Type.USER_ALIAS) {
      map.put(
          "user_aliases",
          List.of(
              Map.of(
                  "alias_name", id.alias().aliasName(), "alias_label", id.alias().aliasLabel())));
    } else {
      map.put(id.type().field(), id.value());
    }
    return fromMap(map);
  }

  /** Applies attribute writes: standard fields, custom attributes, null unsets, operations. */
  @SuppressWarnings("unchecked")
  static ExportedUser apply(ExportedUser user, Map<String, Object> values) {
    Map<String, Object> map = toMap(user);
    Map<String, Object> custom =
        new LinkedHashMap<>(
            (Map<String, Object>) map.getOrDefault("custom_attributes", new LinkedHashMap<>()));
    for (Map.Entry<String, Object> e : values.entrySet()) {
      String name = e.getKey();
      boolean standard = ExportSegmentRequest.KNOWN_FIELDS.contains(name);
      Map<String, Object> target = standard ? map : custom;
      Object value = e.getValue();
      if (value == null) {
        target.remove(name);
      } else if (value instanceof AttributeOperation op) {
        target.put(name, operate(target.get(name), op));
      } else {
        target.put(name, plain(value));
      }
    }
    if (!custom.isEmpty()) {
      map.put("custom_attributes", custom);
    } else {
      map.remove("custom_attributes");
    }
    return fromMap(map);
  }

  private static Object operate(Object current, AttributeOperation op) {
    switch (op.operator()) {
      case "inc" -> {
        double base = current instanceof Number n ? n.doubleValue() : 0;
        return base + ((Number) op.operand()).doubleValue();
      }
      case "add" -> {
        List<Object> list = current instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
        for (Object o : (List<?>) op.operand()) {
          if (!list.contains(plain(o))) {
            list.add(plain(o));
          }
        }
        return list;
      }
      default -> {
        List<Object> list = current instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
        for (Object o : (List<?>) op.operand()) {
          list.remove(plain(o));
        }
        return list;
      }
    }
  }

  private static Object plain(Object value) {
    if (value instanceof TemporalAccessor) {
      return value.toString();
    }
    if (value instanceof Number n && !(value instanceof Double)) {
      return n.doubleValue();
    }
    return value;
  }

  /** Keeps only what a segment export with {@code fields} would contain. */
  /** Keeps only what a segment export with {@code request} would contain. */
  static ExportedUser project(ExportedUser user, ExportSegmentRequest request) {
    return fromMap(projectedMap(user, request));
  }

  /** Returns the export line of {@code user}: only the fields {@code request} asked for. */
  static String projectedJson(ExportedUser user, ExportSegmentRequest request) {
    return MAP_JSON.toJson(projectedMap(user, request));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> projectedMap(ExportedUser user, ExportSegmentRequest request) {
    Map<String, Object> map = toMap(user);
    Object custom = map.get("custom_attributes");
    map.keySet().retainAll(request.fieldsToExport());
    List<String> some = request.customAttributesToExport();
    if (!map.containsKey("custom_attributes") && some != null && custom instanceof Map<?, ?> all) {
      Map<String, Object> kept = new LinkedHashMap<>((Map<String, Object>) all);
      kept.keySet().retainAll(some);
      map.put("custom_attributes", kept);
    }
    return map;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> toMap(ExportedUser user) {
    return new LinkedHashMap<>((Map<String, Object>) ADAPTER.toJsonValue(user));
  }

  static ExportedUser fromMap(Map<String, Object> map) {
    return ADAPTER.fromJsonValue(map);
  }
}
