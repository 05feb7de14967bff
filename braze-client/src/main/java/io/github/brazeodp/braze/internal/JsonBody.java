package io.github.brazeodp.braze.internal;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.util.Map;

/**
 * A request body assembled as a map and written with {@link Json#writeValue}, so that java.time
 * values and explicit nulls come out as Braze expects.
 */
public record JsonBody(Map<String, Object> fields) {
  /** The adapter registered for this type. */
  static final class Adapter extends JsonAdapter<JsonBody> {
    @Override
    public JsonBody fromJson(JsonReader reader) {
      throw new UnsupportedOperationException("JsonBody is only written");
    }

    @Override
    public void toJson(JsonWriter writer, JsonBody body) throws IOException {
      Json.writeValue(writer, body.fields());
    }
  }
}
