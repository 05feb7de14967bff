package io.github.brazeodp.samples.cli;

import com.squareup.moshi.JsonReader;
import io.github.brazeodp.sync.internal.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import okio.Buffer;

/**
 * A strict view of one JSON object of the configuration file: every key must be known, and every
 * error names the full key path (for example {@code segmentSync.segmnts}).
 */
final class JsonConfig {
  private final String path;
  private final Map<String, Object> values;
  private final Function<String, String> env;

  private JsonConfig(String path, Map<String, Object> values, Function<String, String> env) {
    this.path = path;
    this.values = values;
    this.env = env;
  }

  @SuppressWarnings("unchecked")
  static JsonConfig read(Path file, Function<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Object root;
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(text))) {
      root = reader.readJsonValue();
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new ConfigException("config file " + file + ": unexpected content after the object");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException c) {
        throw c;
      }
      throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
    }
    if (!(root instanceof Map)) {
      throw new ConfigException("config file " + file + " must hold a JSON object");
    }
    return new JsonConfig("", (Map<String, Object>) root, env);
  }

  /** Fails on keys outside {@code known}, suggesting the closest known key. */
  JsonConfig allow(Set<String> known) {
    for (String key : values.keySet()) {
      if (!known.contains(key)) {
        String close =
            known.stream()
                .min(Comparator.comparingInt(k -> Text.distance(k, key)))
                .filter(k -> Text.distance(k, key) <= 3)
                .map(k -> " (did you mean " + qualified(k) + "?)")
                .orElse("");
        throw new ConfigException("unknown config key " + qualified(key) + close);
      }
    }
    return this;
  }

  boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  @SuppressWarnings("unchecked")
  JsonConfig object(String key) {
    Object v = values.get(key);
    if (v == null) {
      return new JsonConfig(qualified(key) + ".", new LinkedHashMap<>(), env);
    }
    if (!(v instanceof Map)) {
      throw new ConfigException(qualified(key) + " must be an object, found " + describe(v));
    }
    return new JsonConfig(qualified(key) + ".", (Map<String, Object>) v, env);
  }

  @SuppressWarnings("unchecked")
  List<JsonConfig> objects(String key) {
    Object v = values.get(key);
    List<JsonConfig> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof List<?> list)) {
      throw new ConfigException(
          qualified(key) + " must be an array of objects, found " + describe(v));
    }
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map)) {
        throw new ConfigException(
            qualified(key) + "[" + i + "] must be an object, found " + describe(list.get(i)));
      }
      out.add(
          new JsonConfig(qualified(key) + "[" + i + "].", (Map<String, Object>) list.get(i), env));
    }
    return out;
  }

  String string(String key, String fallback) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw new ConfigException(qualified(key) + " must be a string, found " + describe(v));
    }
    return s;
  }

  String requiredString(String key) {
    String s = string(key, null);
    if (s == null || s.isBlank()) {
      throw new ConfigException("missing config key " + qualified(key));
    }
    return s;
  }

  int integer(String key, int fallback) {
    long v = wholeNumber(key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
    return (int) v;
  }

  long longInteger(String key, long fallback) {
    return wholeNumber(key, fallback, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  private long wholeNumber(String key, long fallback, long min, long max) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n)) {
      throw new ConfigException(qualified(key) + " must be a number, found " + describe(v));
    }
    double d = n.doubleValue();
    // Doubles hold whole numbers exactly only up to 2^53; beyond that the value is not what was
    // written, so it is refused rather than rounded.
    if (d != Math.rint(d) || Math.abs(d) > 9.007199254740992E15 || d < min || d > max) {
      throw new ConfigException(
          qualified(key)
              + " must be a whole number from "
              + min
              + " to "
              + max
              + ", found "
              + describe(v));
    }
    return (long) d;
  }

  boolean bool(String key, boolean fallback) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Boolean b)) {
      throw new ConfigException(qualified(key) + " must be true or false, found " + describe(v));
    }
    return b;
  }

  List<String> strings(String key) {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw new ConfigException(
          qualified(key) + " must be an array of strings, found " + describe(v));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String s)) {
        throw new ConfigException(
            qualified(key) + "[" + i + "] must be a string, found " + describe(list.get(i)));
      }
      out.add(s);
    }
    return out;
  }

  /**
   * Names a JSON value's type and shows it, for messages such as {@code found string "500"}:
   * scalars are shown, arrays and objects only named.
   */
  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return "string \"" + s + "\"";
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return "number "
          + (d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.toString());
    }
    if (v instanceof Boolean b) {
      return "boolean " + b;
    }
    if (v instanceof List) {
      return "array";
    }
    if (v instanceof Map) {
      return "object";
    }
    return v.getClass().getSimpleName();
  }

  Object raw(String key) {
    return values.get(key);
  }

  /**
   * Reads a secret: the key holds the name of an environment variable, which must be set. Secrets
   * never sit in the file itself.
   */
  String secret(String key) {
    String variable = requiredString(key);
    String value = env.apply(variable);
    if (value == null || value.isBlank()) {
      throw new ConfigException(
          "environment variable " + variable + " (named by " + qualified(key) + ") is not set");
    }
    return value;
  }

  String qualified(String key) {
    return path + key;
  }

  /** Returns this object's own key path, e.g. {@code activations[1]}. */
  String where() {
    return path.endsWith(".") ? path.substring(0, path.length() - 1) : path;
  }

  /** Returns the object's entries in file order, for objects whose keys are the user's own. */
  Map<String, Object> entries() {
    return java.util.Collections.unmodifiableMap(values);
  }
}
