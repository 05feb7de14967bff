package io.github.brazeodp.odp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** The hand-written row writer must send the very bytes Moshi's writer sent before it. */
class JsonRowTest {
  @Test
  void stringsAreEscapedAndEncodedAsMoshiDoes() throws IOException {
    List<String> texts =
        new ArrayList<>(
            List.of(
                "",
                "plain",
                "quote \" backslash \\ slash /",
                "\t\b\n\r\f\u0000\u0001\u001f\u007f",
                "line\u2028para\u2029",
                "é ü ß 漢字 \uffff",
                "emoji \ud83d\ude00 pair",
                "lone high \ud83d end",
                "lone low \ude00 end",
                "high at end \ud83d",
                "<script>&'"));
    Random random = new Random(42);
    char[] pool = {'a', 'Z', '"', '\\', '\n', '\u0007', 'é', '\u2028', '\ud83d', '\ude00', '漢'};
    for (int i = 0; i < 2_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = random.nextInt(20); n > 0; n--) {
        b.append(
            random.nextBoolean() ? pool[random.nextInt(pool.length)] : (char) random.nextInt());
      }
      texts.add(b.toString());
    }
    // Long texts whose first character to escape comes late, or early, or not at all: the room
    // made for the rest must hold every escape, pair and 3-byte character after it.
    for (int i = 0; i < 300; i++) {
      StringBuilder b = new StringBuilder("a".repeat(random.nextInt(600)));
      for (int n = random.nextInt(400); n > 0; n--) {
        b.append(pool[random.nextInt(pool.length)]);
      }
      texts.add(b.toString());
    }
    for (String text : texts) {
      Buffer moshi = new Buffer();
      try (JsonWriter w = JsonWriter.of(moshi)) {
        w.beginArray().value(text).endArray();
      }
      byte[] ours = new JsonRow().raw('[').string(text).raw(']').toByteArray();
      assertThat(ours).as(text).isEqualTo(moshi.readByteArray());
    }
  }

  @Test
  void scalarsAreWrittenAsMoshiWroteThem() throws IOException {
    List<Object> values =
        List.of(
            true,
            false,
            0,
            -7,
            Long.MAX_VALUE,
            (short) 3,
            (byte) -2,
            0.1,
            -0.0,
            1e20,
            1.5e-7,
            2.5f,
            new BigDecimal("12.3400"),
            new BigInteger("123456789012345678901234567890"),
            new AtomicLong(9),
            Instant.parse("2026-06-28T17:02:43.032Z"));
    for (Object value : values) {
      Buffer moshi = new Buffer();
      try (JsonWriter w = JsonWriter.of(moshi)) {
        w.beginArray();
        writeAsMoshi(w, value);
        w.endArray();
      }
      String ours = utf8(new JsonRow().raw('[').scalar(value).raw(']'));
      assertThat(ours).as(String.valueOf(value)).isEqualTo(moshi.readUtf8());
    }
    assertThat(utf8(new JsonRow().scalar(null))).isEqualTo("null");
    assertThatThrownBy(() -> new JsonRow().scalar(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
  }

  @Test
  void eventAndProfileRowsAreTheJsonMoshiWrote() throws IOException {
    RowEncoder encoder = new RowEncoder(BatchSettings.defaults(), 1 << 20);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("name", "opened \"app\"");
    data.put("count", 3);
    data.put("score", 2.5);
    data.put("gone", null);
    data.put("at", Instant.parse("2026-01-01T00:00:00Z"));
    OdpEvent event =
        new OdpEvent(
            "braze",
            "custom_event",
            Map.of("email", "jane@example.com"),
            data,
            Instant.ofEpochSecond(1_700_000_000L),
            "id-1");
    assertThat(new String(encoder.event(0, event), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"type\":\"braze\",\"action\":\"custom_event\","
                + "\"identifiers\":{\"email\":\"jane@example.com\"},"
                + "\"data\":{\"name\":\"opened \\\"app\\\"\",\"count\":3,\"score\":2.5,\"gone\":null,"
                + "\"at\":\"2026-01-01T00:00:00Z\",\"ts\":1700000000,\"idempotence_id\":\"id-1\"}}");
    OdpEvent bare = new OdpEvent("braze", "x", Map.of("vuid", "v"), Map.of(), null, "id-2");
    assertThat(new String(encoder.event(1, bare), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"type\":\"braze\",\"action\":\"x\",\"identifiers\":{\"vuid\":\"v\"},"
                + "\"data\":{\"idempotence_id\":\"id-2\"}}");
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("first_name", "Zoë");
    attributes.put("email", "jane@example.com");
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("email", "jane@example.com");
    ids.put("fs_user_id", "u-1");
    assertThat(
            new String(
                encoder.profile(0, new ProfileUpdate(ids, attributes)), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"attributes\":{\"first_name\":\"Zoë\",\"email\":\"jane@example.com\","
                + "\"fs_user_id\":\"u-1\"}}");
    assertThat(
            new String(
                encoder.subscription(0, new ListSubscription("news", "email", "a@b.c", false)),
                StandardCharsets.UTF_8))
        .isEqualTo("{\"list_id\":\"news\",\"email\":\"a@b.c\",\"subscribed\":false}");
  }

  /** The value branch RowEncoder took with Moshi's writer before JsonRow. */
  private static void writeAsMoshi(JsonWriter w, Object value) throws IOException {
    if (value instanceof Boolean b) {
      w.value(b.booleanValue());
    } else if (value instanceof Instant i) {
      w.value(i.toString());
    } else if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      w.value(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      w.value(((Number) value).doubleValue());
    } else if (value instanceof BigDecimal || value instanceof BigInteger) {
      w.value((Number) value);
    } else {
      w.value(new BigDecimal(value.toString()));
    }
  }

  private static String utf8(JsonRow row) {
    return new String(row.toByteArray(), StandardCharsets.UTF_8);
  }
}
