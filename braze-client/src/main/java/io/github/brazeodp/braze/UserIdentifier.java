package io.github.brazeodp.braze;

import java.util.Objects;

/**
 * Which Braze user an attributes, event or purchase object applies to.
 *
 * <p>Exactly one of {@code external_id}, {@code user_alias}, {@code braze_id}, {@code email} or
 * {@code phone}. See <a
 * href="https://www.braze.com/docs/api/endpoints/user_data/post_user_track/">POST /users/track</a>.
 */
public final class UserIdentifier {
  /** The kind of identifier, with its JSON field name. */
  public enum Type {
    /** {@code external_id}. */
    EXTERNAL_ID("external_id"),
    /** {@code user_alias}. */
    USER_ALIAS("user_alias"),
    /** {@code braze_id}. */
    BRAZE_ID("braze_id"),
    /** {@code email}. */
    EMAIL("email"),
    /** {@code phone}, E.164 recommended. */
    PHONE("phone");

    private final String field;

    Type(String field) {
      this.field = field;
    }

    /** Returns the JSON field name. */
    public String field() {
      return field;
    }
  }

  private final Type type;
  private final String value;
  private final UserAlias alias;

  private UserIdentifier(Type type, String value, UserAlias alias) {
    this.type = type;
    this.value = value;
    this.alias = alias;
  }

  /** Identifies the user by external id. */
  public static UserIdentifier externalId(String externalId) {
    return new UserIdentifier(
        Type.EXTERNAL_ID, Validation.notBlank("external_id", externalId), null);
  }

  /** Identifies the user by Braze id. */
  public static UserIdentifier brazeId(String brazeId) {
    return new UserIdentifier(Type.BRAZE_ID, Validation.notBlank("braze_id", brazeId), null);
  }

  /** Identifies the user by email address. */
  public static UserIdentifier email(String email) {
    return new UserIdentifier(Type.EMAIL, Validation.notBlank("email", email), null);
  }

  /** Identifies the user by phone number (E.164 recommended). */
  public static UserIdentifier phone(String phone) {
    return new UserIdentifier(Type.PHONE, Validation.notBlank("phone", phone), null);
  }

  /** Identifies the user by alias. */
  public static UserIdentifier alias(String aliasName, String aliasLabel) {
    return alias(new UserAlias(aliasName, aliasLabel));
  }

  /** Identifies the user by alias. */
  public static UserIdentifier alias(UserAlias alias) {
    return new UserIdentifier(Type.USER_ALIAS, null, Objects.requireNonNull(alias, "alias"));
  }

  /** Returns the kind of identifier. */
  public Type type() {
    return type;
  }

  /** Returns the value, or null for an alias. */
  public String value() {
    return value;
  }

  /** Returns the alias, or null for other kinds. */
  public UserAlias alias() {
    return alias;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserIdentifier other
        && type == other.type
        && Objects.equals(value, other.value)
        && Objects.equals(alias, other.alias);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, value, alias);
  }

  @Override
  public String toString() {
    return type.field() + "=" + (alias != null ? alias : value);
  }
}
