package io.github.brazeodp.odp.internal;

import com.squareup.moshi.Json;
import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The one Moshi instance of a client: records, lenient enums and ISO-8601 instants. */
public final class MoshiSupport {
  private MoshiSupport() {}

  /** Builds the Moshi instance used for every ODP body. */
  public static Moshi create() {
    return new Moshi.Builder()
        .add(MoshiSupport::lenientEnumFactory)
        .add(Instant.class, new InstantAdapter().nullSafe())
        .build();
  }

  private static JsonAdapter<?> lenientEnumFactory(
      Type type,
      java.util.Set<? extends java.lang.annotation.Annotation> annotations,
      Moshi moshi) {
    if (!annotations.isEmpty()) {
      return null;
    }
    Class<?> raw = Types.getRawType(type);
    if (!raw.isEnum() || !raw.getName().startsWith("io.github.brazeodp.odp.")) {
      return null;
    }
    return lenientEnum(raw.asSubclass(Enum.class)).nullSafe();
  }

  private static <E extends Enum<E>> JsonAdapter<E> lenientEnum(Class<E> type) {
    Map<String, E> byName = new HashMap<>();
    Map<E, String> toName = new HashMap<>();
    E unknown = null;
    for (E constant : type.getEnumConstants()) {
      String wire = constant.name().toLowerCase(Locale.ROOT);
      try {
        Json json = type.getField(constant.name()).getAnnotation(Json.class);
        if (json != null) {
          wire = json.name();
        }
      } catch (NoSuchFieldException e) {
        throw new AssertionError(e);
      }
      if (constant.name().equals("UNKNOWN")) {
        unknown = constant;
      } else {
        byName.put(wire, constant);
      }
      toName.put(constant, wire);
    }
    E fallback = unknown;
    return new JsonAdapter<E>() {
      @Override
      public E fromJson(JsonReader reader) throws IOException {
        String value = reader.nextString();
        E found = byName.get(value);
        if (found == null) {
          found = byName.get(value.toLowerCase(Locale.ROOT));
        }
        if (found != null) {
          return found;
        }
        if (fallback != null) {
          // ODP may add states or types; reading stays liberal and callers see UNKNOWN.
          return fallback;
        }
        throw new JsonDataException(
            "Unknown " + type.getSimpleName() + " '" + value + "' at " + reader.getPath());
      }

      @Override
      public void toJson(JsonWriter writer, E value) throws IOException {
        writer.value(toName.get(value));
      }
    };
  }

  private static final class InstantAdapter extends JsonAdapter<Instant> {
    @Override
    public Instant fromJson(JsonReader reader) throws IOException {
      if (reader.peek() == JsonReader.Token.NUMBER) {
        // Epoch seconds, as ODP accepts them in data fields.
        return Instant.ofEpochSecond(reader.nextLong());
      }
      String text = reader.nextString();
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        try {
          return Instant.parse(text);
        } catch (DateTimeParseException e2) {
          throw new JsonDataException("Bad timestamp '" + text + "' at " + reader.getPath(), e2);
        }
      }
    }

    @Override
    public void toJson(JsonWriter writer, Instant value) throws IOException {
      writer.value(value.toString());
    }
  }
}
