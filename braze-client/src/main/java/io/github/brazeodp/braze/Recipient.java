package io.github.brazeodp.braze;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One recipient of a campaign or Canvas trigger send.
 *
 * <p>Exactly one of external user id, user alias, email or Braze id. {@code properties} become the
 * recipient's {@code trigger_properties} for a campaign and its {@code context} for a Canvas. See
 * <a href="https://www.braze.com/docs/api/objects_filters/recipient_object/">recipient object</a>.
 *
 * @param externalUserId the user's external id, or null
 * @param userAlias the user's alias, or null
 * @param email the user's email, or null
 * @param brazeId the user's Braze id, or null
 * @param prioritization with {@code email}: which profile wins when several share it
 * @param attributes user attributes applied before the send, or empty
 * @param properties per-recipient trigger properties or Canvas context, or empty
 * @param sendToExistingOnly null for Braze's default (true); false creates missing users and then
 *     needs attributes
 */
public record Recipient(
    String externalUserId,
    UserAlias userAlias,
    String email,
    String brazeId,
    List<String> prioritization,
    Map<String, Object> attributes,
    Map<String, Object> properties,
    Boolean sendToExistingOnly) {

  /** Default prioritization for email recipients: identified profiles, then the newest. */
  public static final List<String> DEFAULT_PRIORITIZATION =
      List.of("identified", "most_recently_updated");

  /** Validates the recipient. */
  public Recipient {
    int ids =
        (externalUserId != null ? 1 : 0)
            + (userAlias != null ? 1 : 0)
            + (email != null ? 1 : 0)
            + (brazeId != null ? 1 : 0);
    if (ids != 1) {
      throw new IllegalArgumentException(
          "recipient needs exactly one of external_user_id, user_alias, email, braze_id; has "
              + ids);
    }
    if (externalUserId != null) {
      Validation.notBlank("recipient.external_user_id", externalUserId);
    }
    if (email != null) {
      Validation.notBlank("recipient.email", email);
      if (prioritization == null || prioritization.isEmpty()) {
        prioritization = DEFAULT_PRIORITIZATION;
      }
    }
    if (brazeId != null) {
      Validation.notBlank("recipient.braze_id", brazeId);
    }
    prioritization = prioritization == null ? List.of() : List.copyOf(prioritization);
    attributes = copy("recipient.attributes", attributes);
    properties = copy("recipient.properties", properties);
    if (Boolean.FALSE.equals(sendToExistingOnly)) {
      if (userAlias != null) {
        throw new IllegalArgumentException(
            "recipient.send_to_existing_only=false cannot be used with a user_alias");
      }
      if (attributes.isEmpty()) {
        throw new IllegalArgumentException(
            "recipient.send_to_existing_only=false needs attributes to create the user");
      }
    }
  }

  private static Map<String, Object> copy(String field, Map<String, ?> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    for (Map.Entry<String, ?> e : map.entrySet()) {
      UserAttributes.Builder.checkValue(field + "." + e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** A recipient identified by external user id. */
  public static Recipient externalUserId(String externalUserId) {
    return new Recipient(externalUserId, null, null, null, null, null, null, null);
  }

  /** A recipient identified by email, with the default prioritization. */
  public static Recipient email(String email) {
    return new Recipient(null, null, email, null, null, null, null, null);
  }

  /** A recipient identified by user alias. */
  public static Recipient alias(String aliasName, String aliasLabel) {
    return new Recipient(
        null, new UserAlias(aliasName, aliasLabel), null, null, null, null, null, null);
  }

  /** Returns a copy with attributes applied to the user before the send. */
  public Recipient withAttributes(Map<String, ?> newAttributes) {
    return new Recipient(
        externalUserId,
        userAlias,
        email,
        brazeId,
        prioritization,
        newAttributes == null ? null : new LinkedHashMap<>(newAttributes),
        properties,
        sendToExistingOnly);
  }

  /** Returns a copy with per-recipient trigger properties (campaign) or context (Canvas). */
  public Recipient withProperties(Map<String, ?> newProperties) {
    return new Recipient(
        externalUserId,
        userAlias,
        email,
        brazeId,
        prioritization,
        attributes,
        newProperties == null ? null : new LinkedHashMap<>(newProperties),
        sendToExistingOnly);
  }

  /** Returns a copy with {@code send_to_existing_only}. */
  public Recipient withSendToExistingOnly(boolean value) {
    return new Recipient(
        externalUserId, userAlias, email, brazeId, prioritization, attributes, properties, value);
  }

  /** Returns the identifier as text, for reports. */
  public String describe() {
    if (externalUserId != null) {
      return "external_user_id=" + externalUserId;
    }
    if (userAlias != null) {
      return "user_alias=" + userAlias.aliasLabel() + ":" + userAlias.aliasName();
    }
    return email != null ? "email=" + email : "braze_id=" + brazeId;
  }
}
