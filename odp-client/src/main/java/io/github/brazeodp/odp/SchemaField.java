package io.github.brazeodp.odp;

import com.squareup.moshi.Json;

/**
 * A field of an ODP object, as read from and written to {@code /v3/schema/objects/{object}/fields}.
 *
 * <p>Fields cannot be deleted or renamed once created.
 *
 * @param name lower snake case, starting with a letter
 * @param type the value type
 * @param displayName the name shown in ODP
 * @param description optional description
 * @param publicRead whether the public key may read the field; null leaves ODP's default (false)
 * @param primary whether this is the object's primary key; null when not stated
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-objects-fields">ODP
 *     objects and fields</a>
 */
public record SchemaField(
    String name,
    FieldType type,
    @Json(name = "display_name") String displayName,
    String description,
    @Json(name = "public_read") Boolean publicRead,
    Boolean primary) {

  /** Returns a field definition with the three required properties. */
  public static SchemaField of(String name, FieldType type, String displayName) {
    return new SchemaField(name, type, displayName, null, null, null);
  }

  /** Returns a copy with {@code description}. */
  public SchemaField withDescription(String description) {
    return new SchemaField(name, type, displayName, description, publicRead, primary);
  }
}
