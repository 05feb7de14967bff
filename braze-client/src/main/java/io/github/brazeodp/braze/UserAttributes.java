package io.github.brazeodp.braze;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An attributes object of {@code /users/track}: standard and custom attributes of one user.
 *
 * <p>A {@code null} value is sent as an explicit JSON {@code null}, which removes the attribute in
 * Braze; use {@link Builder#unset(String)} to say so. Values may be strings, numbers, booleans,
 * dates ({@link Instant}, {@link OffsetDateTime}, {@link ZonedDateTime}, {@link LocalDate}), lists,
 * maps (nested attributes) or an {@link AttributeOperation}. See <a
 * href="https://www.braze.com/docs/api/objects_filters/user_attributes_object/">user attributes
 * object</a>.
 */
public final class UserAttributes {
  private final UserIdentifier identifier;
  private final Map<String, Object> values;
  private final Boolean updateExistingOnly;

  private UserAttributes(Builder b) {
    this.identifier = b.identifier;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(b.values));
    this.updateExistingOnly = b.updateExistingOnly;
  }

  /** Starts attributes for the user named by {@code identifier}. */
  public static Builder builder(UserIdentifier identifier) {
    return new Builder(Objects.requireNonNull(identifier, "identifier"));
  }

  /** Returns the user the attributes apply to. */
  public UserIdentifier identifier() {
    return identifier;
  }

  /** Returns attribute name to value, in insertion order; a null value removes the attribute. */
  public Map<String, Object> values() {
    return values;
  }

  /** Returns {@code _update_existing_only}, or null to leave Braze's default. */
  public Boolean updateExistingOnly() {
    return updateExistingOnly;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserAttributes other
        && identifier.equals(other.identifier)
        && values.equals(other.values)
        && Objects.equals(updateExistingOnly, other.updateExistingOnly);
  }

  @Override
  public int hashCode() {
    return Objects.hash(identifier, values, updateExistingOnly);
  }

  @Override
  public String toString() {
    return "UserAttributes{" + identifier + ", " + values.keySet() + "}";
  }

  /** Builds {@link UserAttributes}. */
  public static final class Builder {
    private final UserIdentifier identifier;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private Boolean updateExistingOnly;

    private Builder(UserIdentifier identifier) {
      this.identifier = identifier;
    }

    /** Sets an attribute; see the class documentation for the accepted value types. */
    public Builder set(String name, Object value) {
      checkName(name);
      checkValue(name, value);
      values.put(name, value);
      return this;
    }

    /** Sets every entry of {@code attributes}. */
    public Builder setAll(Map<String, ?> attributes) {
      attributes.forEach(this::set);
      return this;
    }

    /** Removes an attribute in Braze by sending an explicit null. */
    public Builder unset(String name) {
      return set(name, null);
    }

    /** Increments a numeric custom attribute. */
    public Builder increment(String name, long amount) {
      return set(name, AttributeOperation.increment(amount));
    }

    /** Adds values to an array custom attribute. */
    public Builder addToArray(String name, Object... elements) {
      return set(name, AttributeOperation.add(List.of(elements)));
    }

    /** Removes values from an array custom attribute. */
    public Builder removeFromArray(String name, Object... elements) {
      return set(name, AttributeOperation.remove(List.of(elements)));
    }

    /** Sets {@code email}. */
    public Builder email(String email) {
      return set("email", email);
    }

    /** Sets {@code first_name}. */
    public Builder firstName(String firstName) {
      return set("first_name", firstName);
    }

    /** Sets {@code last_name}. */
    public Builder lastName(String lastName) {
      return set("last_name", lastName);
    }

    /** Sets {@code phone}. */
    public Builder phone(String phone) {
      return set("phone", phone);
    }

    /** Sets {@code _update_existing_only}: true updates existing profiles only. */
    public Builder updateExistingOnly(boolean updateExistingOnly) {
      this.updateExistingOnly = updateExistingOnly;
      return this;
    }

    /** Builds the attributes. */
    public UserAttributes build() {
      return new UserAttributes(this);
    }

    private void checkName(String name) {
      Validation.notBlank("attribute name", name);
      if (name.equals("_update_existing_only")) {
        throw new IllegalArgumentException(
            "attribute \"_update_existing_only\": use updateExistingOnly(boolean)");
      }
      if (identifier.type().field().equals(name)
          || (identifier.type() == UserIdentifier.Type.USER_ALIAS && name.equals("user_alias"))) {
        if (identifier.type() == UserIdentifier.Type.EXTERNAL_ID
            || identifier.type() == UserIdentifier.Type.BRAZE_ID
            || identifier.type() == UserIdentifier.Type.USER_ALIAS) {
          throw new IllegalArgumentException(
              "attribute \"" + name + "\" is the identifier of this object and cannot be set");
        }
      }
    }

    static void checkValue(String name, Object value) {
      if (value == null
          || value instanceof String
          || value instanceof Boolean
          || value instanceof Number
          || value instanceof Instant
          || value instanceof OffsetDateTime
          || value instanceof ZonedDateTime
          || value instanceof LocalDate
          || value instanceof AttributeOperation) {
        if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
          throw new IllegalArgumentException("attribute \"" + name + "\" is " + d);
        }
        if (value instanceof Float f && (f.isNaN() || f.isInfinite())) {
          throw new IllegalArgumentException("attribute \"" + name + "\" is " + f);
        }
        return;
      }
      if (value instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          checkValue(name + "[" + i + "]", list.get(i));
        }
        return;
      }
      if (value instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!(e.getKey() instanceof String key)) {
            throw new IllegalArgumentException(
                "attribute \"" + name + "\" has a non-string key " + e.getKey());
          }
          checkValue(name + "." + key, e.getValue());
        }
        return;
      }
      throw new IllegalArgumentException(
          "attribute \""
              + name
              + "\" has unsupported type "
              + value.getClass().getName()
              + " (use String, Number, Boolean, a java.time date, List, Map or"
              + " AttributeOperation)");
    }
  }
}
