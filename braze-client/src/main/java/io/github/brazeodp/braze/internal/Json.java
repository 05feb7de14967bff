package io.github.brazeodp.braze.internal;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.AttributeOperation;
import io.github.brazeodp.braze.BrazeError;
import io.github.brazeodp.braze.TrackEvent;
import io.github.brazeodp.braze.TrackPurchase;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.UserAttributes;
import io.github.brazeodp.braze.UserIdentifier;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** The Moshi setup of the client: record adapters plus hand-written ones where Braze needs it. */
public final class Json {
  private static final Moshi MOSHI =
      new Moshi.Builder()
          .add(TrackRequest.class, new TrackRequestAdapter())
          .add(BrazeError.class, new BrazeErrorAdapter())
          .add(JsonBody.class, new JsonBody.Adapter())
          .build();

  private Json() {}

  /** Returns the shared, immutable Moshi instance. */
  public static Moshi moshi() {
    return MOSHI;
  }

  /** Writes any attribute or property value, keeping explicit nulls. */
  public static void writeValue(JsonWriter w, Object value) throws IOException {
    if (value == null) {
      boolean serializeNulls = w.getSerializeNulls();
      w.setSerializeNulls(true);
      w.nullValue();
      w.setSerializeNulls(serializeNulls);
    } else if (value instanceof String s) {
      w.value(s);
    } else if (value instanceof Boolean b) {
      w.value(b);
    } else if (value instanceof BigDecimal d) {
      w.value(d);
    } else if (value instanceof Double d) {
      w.value(d.doubleValue());
    } else if (value instanceof Float f) {
      w.value(f.doubleValue());
    } else if (value instanceof Number n) {
      w.value(n);
    } else if (value instanceof Instant i) {
      w.value(DateTimeFormatter.ISO_INSTANT.format(i));
    } else if (value instanceof OffsetDateTime o) {
      w.value(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(o));
    } else if (value instanceof ZonedDateTime z) {
      w.value(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(z));
    } else if (value instanceof LocalDate d) {
      w.value(DateTimeFormatter.ISO_LOCAL_DATE.format(d));
    } else if (value instanceof AttributeOperation op) {
      w.beginObject();
      w.name(op.operator());
      writeValue(w, op.operand());
      w.endObject();
    } else if (value instanceof List<?> list) {
      w.beginArray();
      for (Object o : list) {
        writeValue(w, o);
      }
      w.endArray();
    } else if (value instanceof Map<?, ?> map) {
      w.beginObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        w.name(String.valueOf(e.getKey()));
        writeValue(w, e.getValue());
      }
      w.endObject();
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  static void writeIdentifier(JsonWriter w, UserIdentifier id) throws IOException {
    w.name(id.type().field());
    if (id.type() == UserIdentifier.Type.USER_ALIAS) {
      w.beginObject();
      w.name("alias_name").value(id.alias().aliasName());
      w.name("alias_label").value(id.alias().aliasLabel());
      w.endObject();
    } else {
      w.value(id.value());
    }
  }

  private static final class TrackRequestAdapter extends JsonAdapter<TrackRequest> {
    @Override
    public TrackRequest fromJson(JsonReader reader) {
      throw new UnsupportedOperationException("TrackRequest is only written");
    }

    @Override
    public void toJson(JsonWriter w, TrackRequest request) throws IOException {
      w.beginObject();
      if (!request.attributes().isEmpty()) {
        w.name("attributes").beginArray();
        for (UserAttributes a : request.attributes()) {
          w.beginObject();
          writeIdentifier(w, a.identifier());
          if (a.updateExistingOnly() != null) {
            w.name("_update_existing_only").value(a.updateExistingOnly());
          }
          for (Map.Entry<String, Object> e : a.values().entrySet()) {
            w.name(e.getKey());
            writeValue(w, e.getValue());
          }
          w.endObject();
        }
        w.endArray();
      }
      if (!request.events().isEmpty()) {
        w.name("events").beginArray();
        for (TrackEvent e : request.events()) {
          w.beginObject();
          writeIdentifier(w, e.identifier());
          if (e.appId() != null) {
            w.name("app_id").value(e.appId());
          }
          w.name("name").value(e.name());
          w.name("time");
          writeValue(w, e.time());
          if (!e.properties().isEmpty()) {
            w.name("properties");
            writeValue(w, e.properties());
          }
          if (e.updateExistingOnly() != null) {
            w.name("_update_existing_only").value(e.updateExistingOnly());
          }
          w.endObject();
        }
        w.endArray();
      }
      if (!request.purchases().isEmpty()) {
        w.name("purchases").beginArray();
        for (TrackPurchase p : request.purchases()) {
          w.beginObject();
          writeIdentifier(w, p.identifier());
          if (p.appId() != null) {
            w.name("app_id").value(p.appId());
          }
          w.name("product_id").value(p.productId());
          w.name("currency").value(p.currency());
          w.name("price").value(p.price());
          if (p.quantity() != null) {
            w.name("quantity").value(p.quantity());
          }
          w.name("time");
          writeValue(w, p.time());
          if (!p.properties().isEmpty()) {
            w.name("properties");
            writeValue(w, p.properties());
          }
          if (p.updateExistingOnly() != null) {
            w.name("_update_existing_only").value(p.updateExistingOnly());
          }
          w.endObject();
        }
        w.endArray();
      }
      w.endObject();
    }
  }

  private static final class BrazeErrorAdapter extends JsonAdapter<BrazeError> {
    @Override
    public BrazeError fromJson(JsonReader reader) throws IOException {
      Object value = reader.readJsonValue();
      if (value instanceof String s) {
        return new BrazeError(s, null, null);
      }
      if (value instanceof Map<?, ?> map) {
        Object type = map.containsKey("type") ? map.get("type") : map.get("message");
        Object inputArray = map.get("input_array");
        Object index = map.get("index");
        return new BrazeError(
            type == null ? map.toString() : String.valueOf(type),
            inputArray instanceof String s ? s : null,
            index instanceof Number n ? n.intValue() : null);
      }
      return new BrazeError(String.valueOf(value), null, null);
    }

    @Override
    public void toJson(JsonWriter writer, BrazeError value) throws IOException {
      writer.beginObject();
      writer.name("type").value(value.message());
      if (value.inputArray() != null) {
        writer.name("input_array").value(value.inputArray());
      }
      if (value.index() != null) {
        writer.name("index").value(value.index());
      }
      writer.endObject();
    }
  }
}
