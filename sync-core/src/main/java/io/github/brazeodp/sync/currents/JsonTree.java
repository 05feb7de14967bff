package io.github.brazeodp.sync.currents;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import okio.Buffer;

/**
 * Streams a Currents body into plain values (maps, lists, strings, numbers, booleans, null) with
 * limits, so that garbage never costs more than the body's own size.
 *
 * <p>A value nested deeper than the limit is skipped and makes only its own event invalid; a body
 * that is not JSON, not an object, or whose {@code events} is not an array fails as a whole.
 */
final class JsonTree {
  /** Moshi refuses to nest deeper than 255 levels; our limit must stay well below. */
  static final int MAX_DEPTH_LIMIT = 200;

  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,18})");

  /** One element of {@code events}: its fields, or why it cannot be used. */
  record ParsedEvent(int index, Map<String, Object> fields, long bytes, String problem) {}

  /** The body as a whole cannot be used; the status is 400 or 413. */
  static final class BatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    BatchException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  private final int maxDepth;
  private final int maxEvents;
  private final long maxEventBytes;

  JsonTree(int maxDepth, int maxEvents, long maxEventBytes) {
    this.maxDepth = maxDepth;
    this.maxEvents = maxEvents;
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Parses a batch body {@code {"events": [...]}}; a body without {@code events} is refused.
   *
   * @throws BatchException when the body as a whole is unusable
   */
  List<ParsedEvent> parseBatch(byte[] body) {
    Buffer buffer = new Buffer().write(body);
    List<ParsedEvent> events = new ArrayList<>();
    try (JsonReader reader = JsonReader.of(buffer)) {
      JsonReader.Token first = reader.peek();
      if (first != JsonReader.Token.BEGIN_OBJECT) {
        throw new BatchException(
            400, "the body must be a JSON object {\"events\": [...]}, found " + describe(first));
      }
      reader.beginObject();
      boolean seen = false;
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (!name.equals("events")) {
          reader.skipValue();
          continue;
        }
        if (seen) {
          throw new BatchException(400, "\"events\" appears twice in the body");
        }
        seen = true;
        JsonReader.Token token = reader.peek();
        if (token != JsonReader.Token.BEGIN_ARRAY) {
          throw new BatchException(400, "\"events\" must be an array, found " + describe(token));
        }
        reader.beginArray();
        while (reader.hasNext()) {
          int index = events.size();
          if (index >= maxEvents) {
            throw new BatchException(
                413, "the batch has more than " + maxEvents + " events; send smaller batches");
          }
          events.add(event(reader, buffer, index));
        }
        reader.endArray();
      }
      reader.endObject();
      if (!seen) {
        // Not an empty batch: a body of another shape (or a proxy's error page) would be lost.
        throw new BatchException(400, "the body has no \"events\" array: {\"events\": [...]}");
      }
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new BatchException(400, "unexpected data after the batch object");
      }
    } catch (EOFException e) {
      throw new BatchException(400, "malformed JSON: the body ends in the middle of a value");
    } catch (IOException | JsonDataException e) {
      throw new BatchException(400, "malformed JSON: " + readable(e.getMessage()));
    }
    return events;
  }

  /** Parses one event on its own, as a Currents event JSON object. */
  ParsedEvent parseEvent(byte[] json) {
    Buffer buffer = new Buffer().write(json);
    try (JsonReader reader = JsonReader.of(buffer)) {
      ParsedEvent event = event(reader, buffer, 0);
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new BatchException(400, "unexpected data after the event object");
      }
      return event;
    } catch (EOFException e) {
      throw new BatchException(400, "malformed JSON: the input ends in the middle of a value");
    } catch (IOException | JsonDataException e) {
      throw new BatchException(400, "malformed JSON: " + readable(e.getMessage()));
    }
  }

  private ParsedEvent event(JsonReader reader, Buffer buffer, int index) throws IOException {
    long before = buffer.size();
    JsonReader.Token token = reader.peek();
    if (token != JsonReader.Token.BEGIN_OBJECT) {
      reader.skipValue();
      return new ParsedEvent(
          index, null, before - buffer.size(), "must be a JSON object, found " + describe(token));
    }
    String[] problem = new String[1];
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) value(reader, 1, problem);
    long bytes = before - buffer.size();
    if (problem[0] == null && bytes > maxEventBytes) {
      problem[0] =
          "the event's JSON is "
              + bytes
              + " bytes, over the limit of "
              + maxEventBytes
              + " (Braze drops events over 900 KB)";
    }
    return new ParsedEvent(index, problem[0] == null ? fields : null, bytes, problem[0]);
  }

  /**
   * Reads one value; {@code depth} counts the containers around it, the event object being 1.
   * Containers deeper than the limit are skipped and noted in {@code problem}.
   */
  private Object value(JsonReader reader, int depth, String[] problem) throws IOException {
    switch (reader.peek()) {
      case BEGIN_OBJECT -> {
        if (depth > maxDepth) {
          tooDeep(reader, problem);
          return null;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          map.put(name, value(reader, depth + 1, problem));
        }
        reader.endObject();
        return map;
      }
      case BEGIN_ARRAY -> {
        if (depth > maxDepth) {
          tooDeep(reader, problem);
          return null;
        }
        List<Object> list = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
          list.add(value(reader, depth + 1, problem));
        }
        reader.endArray();
        return list;
      }
      case STRING -> {
        return reader.nextString();
      }
      case NUMBER -> {
        return number(reader.nextString());
      }
      case BOOLEAN -> {
        return reader.nextBoolean();
      }
      case NULL -> {
        return reader.nextNull();
      }
      default -> throw new JsonDataException("unexpected " + reader.peek() + " at " + path(reader));
    }
  }

  private void tooDeep(JsonReader reader, String[] problem) throws IOException {
    if (problem[0] == null) {
      problem[0] = "nested deeper than " + maxDepth + " levels at " + path(reader);
    }
    reader.skipValue();
  }

  /** Returns a JSON number as a Long when it is an integer that fits, else as a Double. */
  static Object number(String literal) {
    if (INTEGER.matcher(literal).matches()) {
      try {
        return Long.parseLong(literal);
      } catch (NumberFormatException tooLarge) {
        // Falls through to a double, like most JSON readers.
      }
    }
    double d = Double.parseDouble(literal);
    // 1e999 is valid JSON but not a double; keep the text rather than send Infinity.
    return Double.isInfinite(d) ? literal : (Object) d;
  }

  /** Writes a parsed value back as compact JSON text. */
  static String toJson(Object value) {
    Buffer out = new Buffer();
    try (JsonWriter writer = JsonWriter.of(out)) {
      writer.setSerializeNulls(true);
      write(writer, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.readUtf8();
  }

  static void write(JsonWriter writer, Object value) throws IOException {
    if (value == null) {
      writer.nullValue();
    } else if (value instanceof Map<?, ?> map) {
      writer.beginObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        writer.name(String.valueOf(e.getKey()));
        write(writer, e.getValue());
      }
      writer.endObject();
    } else if (value instanceof List<?> list) {
      writer.beginArray();
      for (Object item : list) {
        write(writer, item);
      }
      writer.endArray();
    } else if (value instanceof Boolean b) {
      writer.value(b.booleanValue());
    } else if (value instanceof Long l) {
      writer.value(l.longValue());
    } else if (value instanceof Number n) {
      writer.value(n);
    } else {
      writer.value(value.toString());
    }
  }

  private static String path(JsonReader reader) {
    return reader.getPath();
  }

  static String describe(JsonReader.Token token) {
    return switch (token) {
      case BEGIN_ARRAY -> "an array";
      case BEGIN_OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case END_DOCUMENT -> "nothing";
      default -> token.name();
    };
  }

  private static String readable(String message) {
    if (message == null) {
      return "unreadable input";
    }
    // Moshi suggests lenient parsing; for a receiver that advice is noise.
    return message.replace("Use JsonReader.setLenient(true) to accept malformed JSON", "not JSON");
  }
}
