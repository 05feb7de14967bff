package io.github.brazeodp.braze;

import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import okio.Buffer;

/**
 * The body Braze POSTs to an export's {@code callback_endpoint} when the export is ready.
 *
 * @param success whether the export succeeded
 * @param url the download URL when Braze's own bucket is used, else null
 * @param other any other fields, kept for troubleshooting
 */
public record ExportCallback(boolean success, String url, Map<String, Object> other) {
  /** Copies the map. */
  public ExportCallback {
    other = other == null ? Map.of() : java.util.Collections.unmodifiableMap(other);
  }

  /**
   * Parses a callback body.
   *
   * @throws BrazeDecodingException when the body is not a JSON object
   */
  public static ExportCallback parse(String body) {
    if (body == null || body.isBlank()) {
      throw new BrazeDecodingException("export callback body is empty", null);
    }
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(body))) {
      reader.setLenient(false);
      boolean success = false;
      String url = null;
      Map<String, Object> other = new LinkedHashMap<>();
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (name.equals("success") && reader.peek() == JsonReader.Token.BOOLEAN) {
          success = reader.nextBoolean();
        } else if (name.equals("url") && reader.peek() == JsonReader.Token.STRING) {
          url = reader.nextString();
        } else {
          other.put(name, reader.readJsonValue());
        }
      }
      reader.endObject();
      return new ExportCallback(success, url, other);
    } catch (IOException | RuntimeException e) {
      throw new BrazeDecodingException("export callback body is not the documented JSON: " + e, e);
    }
  }
}
