package io.github.brazeodp.sync.activation;

import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.UserIdentifier;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How an ODP customer is identified in Braze: by {@code external_id} taken from an ODP field, by
 * email, or by a user alias (a fixed label and a name taken from an ODP field).
 *
 * <p>Customers whose field is empty are <i>unmatched</i>: counted and listed in the report, never
 * sent. The identifier also keys the activation ledger, so it must be stable for a customer.
 */
public final class TargetIdentifier {
  private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_]+");

  /** The kinds of target identifier. */
  public enum Kind {
    /** Braze {@code external_id}. */
    EXTERNAL_ID,
    /** Braze {@code email}. */
    EMAIL,
    /** Braze {@code user_alias}. */
    USER_ALIAS
  }

  private final Kind kind;
  private final String field;
  private final String aliasLabel;

  private TargetIdentifier(Kind kind, String field, String aliasLabel) {
    this.kind = kind;
    this.field = checkField(field);
    this.aliasLabel = aliasLabel;
  }

  /**
   * Targets Braze's {@code external_id}, taken from an ODP customer field.
   *
   * @param odpField the ODP field holding the external id, e.g. {@code braze_external_id}
   * @return the target identifier
   */
  public static TargetIdentifier externalId(String odpField) {
    return new TargetIdentifier(Kind.EXTERNAL_ID, odpField, null);
  }

  /**
   * Targets Braze users by the ODP {@code email} field.
   *
   * @return the target identifier
   */
  public static TargetIdentifier email() {
    return email("email");
  }

  /**
   * Targets Braze users by email, taken from an ODP customer field.
   *
   * @param odpField the ODP field holding the email
   * @return the target identifier
   */
  public static TargetIdentifier email(String odpField) {
    return new TargetIdentifier(Kind.EMAIL, odpField, null);
  }

  /**
   * Targets a Braze user alias with a fixed label and the alias name taken from an ODP field.
   *
   * @param label the alias label, e.g. {@code odp_id}
   * @param odpField the ODP field holding the alias name
   * @return the target identifier
   */
  public static TargetIdentifier userAlias(String label, String odpField) {
    Objects.requireNonNull(label, "label");
    if (label.isBlank()) {
      throw new IllegalArgumentException("target identifier: the user alias label is blank");
    }
    return new TargetIdentifier(Kind.USER_ALIAS, odpField, label);
  }

  /**
   * Returns the kind of identifier.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the ODP customer field the identifier is read from.
   *
   * @return the field name
   */
  public String field() {
    return field;
  }

  /** Returns the ledger key of a customer whose field holds {@code value}. */
  String key(String value) {
    return switch (kind) {
      case EXTERNAL_ID -> "external_id:" + value;
      // Braze matches emails without regard to case; one key per address avoids double sends.
      case EMAIL -> "email:" + value.toLowerCase(Locale.ROOT);
      case USER_ALIAS -> "user_alias:" + aliasLabel + ":" + value;
    };
  }

  Recipient recipient(String value) {
    return switch (kind) {
      case EXTERNAL_ID -> Recipient.externalUserId(value);
      case EMAIL -> Recipient.email(value);
      case USER_ALIAS -> Recipient.alias(value, aliasLabel);
    };
  }

  UserIdentifier userIdentifier(String value) {
    return switch (kind) {
      case EXTERNAL_ID -> UserIdentifier.externalId(value);
      case EMAIL -> UserIdentifier.email(value);
      case USER_ALIAS -> UserIdentifier.alias(value, aliasLabel);
    };
  }

  private static String checkField(String field) {
    Objects.requireNonNull(field, "odpField");
    if (!FIELD.matcher(field).matches()) {
      throw new IllegalArgumentException(
          "target identifier: ODP field \"" + field + "\" is not a field name");
    }
    return field;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TargetIdentifier t
        && kind == t.kind
        && field.equals(t.field)
        && Objects.equals(aliasLabel, t.aliasLabel);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, field, aliasLabel);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case EXTERNAL_ID -> "external_id from customer." + field;
      case EMAIL -> "email from customer." + field;
      case USER_ALIAS -> "user_alias " + aliasLabel + " from customer." + field;
    };
  }
}
