package io.github.brazeodp.sync.currents;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import io.github.brazeodp.odp.OdpEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import okio.Buffer;

/**
 * Writes an {@link OdpEvent} as the outbox payload and reads it back unchanged: {@code {"v":1,
 * "type","action","identifiers":{},"data":{},"ts":"<ISO-8601>","idempotence_id"}}.
 */
final class OutboxCodec {
  private static final int VERSION = 1;

  private OutboxCodec() {}

  static String encode(OdpEvent event) {
    Buffer out = new Buffer();
    try (JsonWriter w = JsonWriter.of(out)) {
      w.setSerializeNulls(true);
      w.beginObject();
      w.name("v").value(VERSION);
      w.name("type").value(event.type());
      w.name("action").value(event.action());
      w.name("identifiers").beginObject();
      for (Map.Entry<String, String> id : event.identifiers().entrySet()) {
        w.name(id.getKey()).value(id.getValue());
      }
      w.endObject();
      w.name("data").beginObject();
      for (Map.Entry<String, Object> d : event.data().entrySet()) {
        w.name(d.getKey());
        JsonTree.write(w, d.getValue());
      }
      w.endObject();
      w.name("ts").value(event.ts() == null ? null : event.ts().toString());
      w.name("idempotence_id").value(event.idempotenceId());
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.readUtf8();
  }

  /**
   * Reads a payload written by {@link #encode}.
   *
   * @throws IllegalArgumentException if the payload is not one
   */
  static OdpEvent decode(String payload) {
    try (JsonReader r = JsonReader.of(new Buffer().writeUtf8(payload))) {
      String type = null;
      String action = null;
      Map<String, String> identifiers = new LinkedHashMap<>();
      Map<String, Object> data = new LinkedHashMap<>();
      Instant ts = null;
      String idempotenceId = null;
      r.beginObject();
      while (r.hasNext()) {
        switch (r.nextName()) {
          case "v" -> {
            int v = r.nextInt();
            if (v != VERSION) {
              throw new IllegalArgumentException("outbox payload version " + v + " is not known");
            }
          }
          case "type" -> type = r.nextString();
          case "action" ->
              action = r.peek() == JsonReader.Token.NULL ? r.nextNull() : r.nextString();
          case "identifiers" -> {
            r.beginObject();
            while (r.hasNext()) {
              identifiers.put(r.nextName(), r.nextString());
            }
            r.endObject();
          }
          case "data" -> {
            r.beginObject();
            while (r.hasNext()) {
              String name = r.nextName();
              data.put(name, scalar(r));
            }
            r.endObject();
          }
          case "ts" ->
              ts = r.peek() == JsonReader.Token.NULL ? r.nextNull() : Instant.parse(r.nextString());
          case "idempotence_id" -> idempotenceId = r.nextString();
          default -> r.skipValue();
        }
      }
      r.endObject();
      if (type == null || idempotenceId == null) {
        throw new IllegalArgumentException("outbox payload lacks type or idempotence_id");
      }
      return new OdpEvent(type, action, identifiers, data, ts, idempotenceId);
    } catch (IOException | JsonDataException | DateTimeParseException e) {
      throw new IllegalArgumentException("unreadable outbox payload: " + e.getMessage(), e);
    }
  }

  private static Object scalar(JsonReader r) throws IOException {
    return switch (r.peek()) {
      case NULL -> r.nextNull();
      case BOOLEAN -> r.nextBoolean();
      case NUMBER -> JsonTree.number(r.nextString());
      case STRING -> r.nextString();
      default -> throw new IllegalArgumentException("outbox data values must be scalars");
    };
  }
}
