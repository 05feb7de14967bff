package io.github.brazeodp.sync.fake.wire;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.Moshi;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okio.Buffer;

/** Lenient JSON reading into maps and lists, and writing them back, for the stand-ins. */
final class WireJson {
  private static final JsonAdapter<Object> WRITER =
      new Moshi.Builder().build().adapter(Object.class).serializeNulls();

  private WireJson() {}

  /** Thrown when a body is not JSON. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  static Object parse(byte[] body) throws Malformed {
    if (body.length == 0) {
      throw new Malformed("the request body is empty");
    }
    try (JsonReader reader = JsonReader.of(new Buffer().write(body))) {
      reader.setLenient(false);
      Object value = reader.readJsonValue();
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new Malformed("the request body has content after the JSON value");
      }
      return value;
    } catch (IOException | RuntimeException e) {
      throw new Malformed("the request body is not valid JSON: " + e.getMessage());
    }
  }

  static String write(Object value) {
    return WRITER.toJson(value);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  @SuppressWarnings("unchecked")
  static List<Object> array(Object value) {
    return value instanceof List<?> l ? (List<Object>) l : null;
  }

  static String text(Object value) {
    return value instanceof String s ? s : null;
  }
}
