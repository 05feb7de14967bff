package io.github.brazeodp.sync.currents;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import io.github.brazeodp.odp.OdpEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import okio.Buffer;

/**
 * Writes an {@link OdpEvent} as the outbox payload and reads it back unchanged: {@code {"v":1,
 * "type","action","identifiers":{},"data":{},"ts":"<ISO-8601>","idempotence_id"}}.
 *
 * <p>A second form holds the event as the ODP row itself, {@code odp-row:} and the JSON that {@link
 * io.github.brazeodp.sync.port.OdpGateway#encodeEvent} returned ({@code ts} in epoch seconds): the
 * forwarder sends it as it is. Decoding and encoding again took most of the forwarder's time. Both
 * forms decode, so that rows written before the second one are still delivered.
 */
final class OutboxCodec {
  private static final int VERSION = 1;
  static final String ROW_PREFIX = "odp-row:";

  private OutboxCodec() {}

  /** The payload of an event kept as the row the gateway encoded. */
  static String row(byte[] encoded) {
    // One decode of prefix and row together: decoding the row, then concatenating, copied it twice.
    byte[] payload = new byte[ROW_PREFIX_BYTES.length + encoded.length];
    System.arraycopy(ROW_PREFIX_BYTES, 0, payload, 0, ROW_PREFIX_BYTES.length);
    System.arraycopy(encoded, 0, payload, ROW_PREFIX_BYTES.length, encoded.length);
    return new String(payload, StandardCharsets.UTF_8);
  }

  private static final byte[] ROW_PREFIX_BYTES = ROW_PREFIX.getBytes(StandardCharsets.US_ASCII);

  static boolean isRow(String payload) {
    return payload.startsWith(ROW_PREFIX);
  }

  /** The row of a payload {@link #row} wrote, to send as it is. */
  static byte[] rowBytes(String payload) {
    return payload.substring(ROW_PREFIX.length()).getBytes(StandardCharsets.UTF_8);
  }

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
    boolean row = isRow(payload);
    String json = row ? payload.substring(ROW_PREFIX.length()) : payload;
    try (JsonReader r = JsonReader.of(new Buffer().writeUtf8(json))) {
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
              ts =
                  switch (r.peek()) {
                    case NULL -> r.nextNull();
                    // The row form: epoch seconds, as ODP takes them.
                    case NUMBER -> Instant.ofEpochSecond(r.nextLong());
                    default -> instant(r.nextString());
                  };
          case "idempotence_id" -> idempotenceId = r.nextString();
          default -> r.skipValue();
        }
      }
      r.endObject();
      if (row) {
        // The row form carries both inside data, as ODP takes them.
        if (data.remove("idempotence_id") instanceof String id) {
          idempotenceId = id;
        }
        if (data.remove("ts") instanceof Number seconds) {
          ts = Instant.ofEpochSecond(seconds.longValue());
        }
      }
      if (type == null || idempotenceId == null) {
        throw new IllegalArgumentException("outbox payload lacks type or idempotence_id");
      }
      return new OdpEvent(type, action, identifiers, data, ts, idempotenceId);
    } catch (IOException | JsonDataException | DateTimeParseException e) {
      throw new IllegalArgumentException("unreadable outbox payload: " + e.getMessage(), e);
    }
  }

  /**
   * Reads what {@link Instant#toString()} wrote. The common shape, {@code
   * 2034-06-13T02:01:44[.fraction]Z}, is read by hand: {@link Instant#parse} goes through a
   * formatter and was a third of the forwarder's decoding time. Anything else goes to {@link
   * Instant#parse}.
   */
  static Instant instant(String s) {
    int n = s.length();
    if (n < 20
        || n > 30
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':'
        || s.charAt(n - 1) != 'Z') {
      return Instant.parse(s);
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    int nanos = 0;
    if (n > 20) {
      if (s.charAt(19) != '.' || n == 21) {
        return Instant.parse(s);
      }
      int fraction = digits(s, 20, n - 1);
      nanos = fraction < 0 ? -1 : fraction * POWERS[9 - (n - 21)];
    }
    if ((year | month | day | hour | minute | second | nanos) < 0
        || month < 1
        || month > 12
        || day < 1
        || day > 31
        || hour > 23
        || minute > 59
        || second > 59) {
      return Instant.parse(s);
    }
    long epochDay;
    try {
      epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    } catch (java.time.DateTimeException e) {
      return Instant.parse(s); // e.g. February 30: let the formatter name the problem
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  private static final int[] POWERS = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
  };

  /** Returns the number in {@code s[from, to)}, or -1 unless it is all ASCII digits. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
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
