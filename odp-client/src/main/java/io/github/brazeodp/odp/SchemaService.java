package io.github.brazeodp.odp;

import com.squareup.moshi.JsonAdapter;
import io.github.brazeodp.odp.internal.OdpHttpApi;
import io.github.brazeodp.odp.internal.Wire;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import okio.Buffer;

/**
 * Reads and extends the schema of ODP objects ({@code /v3/schema/objects/...}), e.g. to check sync
 * mapping rules against the {@code customers} fields before a run; obtained from {@link
 * OdpClient#schema()}.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-objects-fields">ODP
 *     objects and fields</a>
 */
public final class SchemaService {
  /**
   * Object and field names: lower snake case, starting with a letter; one leading underscore is
   * allowed because app-created fields (Braze's {@code _braze_...}) use it.
   */
  private static final Pattern SCHEMA_NAME = Pattern.compile("_?[a-z][a-z0-9_]*");

  private final Transport transport;
  private final OdpHttpApi http;
  private final JsonAdapter<List<SchemaField>> listAdapter;
  private final JsonAdapter<Wire.FieldsBody> wrappedAdapter;
  private final JsonAdapter<SchemaField> fieldAdapter;

  SchemaService(
      Transport transport,
      OdpHttpApi http,
      JsonAdapter<List<SchemaField>> listAdapter,
      JsonAdapter<Wire.FieldsBody> wrappedAdapter,
      JsonAdapter<SchemaField> fieldAdapter) {
    this.transport = transport;
    this.http = http;
    this.listAdapter = listAdapter;
    this.wrappedAdapter = wrappedAdapter;
    this.fieldAdapter = fieldAdapter;
  }

  /**
   * Returns the fields of an object, e.g. {@code fields("customers")}.
   *
   * @throws OdpNotFoundException if the object does not exist
   */
  public List<SchemaField> fields(String objectName) {
    requireSchemaName("objectName", objectName);
    return transport.execute(
        OdpApi.SCHEMA,
        true,
        Transport.retrofit(tag -> http.fields(objectName, tag)),
        r -> {
          byte[] bytes = r.body() == null ? new byte[0] : r.body().bytes();
          List<SchemaField> fields =
              firstNonBlank(bytes) == '{'
                  ? Transport.decode(OdpApi.SCHEMA, wrappedAdapter, bytes, r.request()).fields()
                  : Transport.decode(OdpApi.SCHEMA, listAdapter, bytes, r.request());
          return fields == null ? List.of() : List.copyOf(fields);
        });
  }

  /** Returns one field of an object, or empty when ODP answers 404. */
  public Optional<SchemaField> field(String objectName, String fieldName) {
    requireSchemaName("objectName", objectName);
    requireSchemaName("fieldName", fieldName);
    try {
      return Optional.of(
          transport.execute(
              OdpApi.SCHEMA,
              true,
              Transport.retrofit(tag -> http.field(objectName, fieldName, tag)),
              r -> Transport.decode(OdpApi.SCHEMA, fieldAdapter, r)));
    } catch (OdpNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Creates a field on an object. Fields cannot be deleted or renamed afterwards.
   *
   * <p>Not retried after the request may have reached ODP: a repeat would fail with 400 because the
   * name is then taken.
   *
   * @param objectName e.g. {@code customers}
   * @param field name, type and display name are required
   * @return the field as ODP echoed it, or {@code field} when it echoed nothing
   * @throws OdpBadRequestException e.g. when the name is already used
   */
  public SchemaField createField(String objectName, SchemaField field) {
    requireSchemaName("objectName", objectName);
    Objects.requireNonNull(field, "field");
    requireSchemaName("field.name", field.name());
    if (field.type() == null || field.type() == FieldType.UNKNOWN) {
      throw new IllegalArgumentException(
          "field.type: must be one of string, number, timestamp, boolean, vector");
    }
    RowEncoder.requireText("field.displayName", field.displayName());
    return transport.execute(
        OdpApi.SCHEMA,
        false,
        Transport.retrofit(tag -> http.createField(objectName, field, tag)),
        r -> {
          byte[] bytes = r.body() == null ? new byte[0] : r.body().bytes();
          if (firstNonBlank(bytes) != '{') {
            return field;
          }
          try {
            SchemaField echoed = fieldAdapter.fromJson(new Buffer().write(bytes));
            return echoed == null || echoed.name() == null ? field : echoed;
          } catch (IOException | RuntimeException e) {
            return field;
          }
        });
  }

  private static int firstNonBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (!Character.isWhitespace(b)) {
        return b;
      }
    }
    return -1;
  }

  private static void requireSchemaName(String where, String name) {
    if (name == null || !SCHEMA_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          where
              + ": invalid name "
              + (name == null ? "null" : "\"" + name + "\"")
              + " (lower snake case, starting with a letter or one underscore)");
    }
  }

  @Override
  public String toString() {
    return "SchemaService";
  }
}
