package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.List;

/**
 * The body of {@code POST /users/export/ids}.
 *
 * <p>Up to 50 external ids and aliases together, and at most one of device id, email and phone. See
 * <a href="https://www.braze.com/docs/api/endpoints/export/user_data/post_users_identifier/">export
 * users by identifier</a>.
 *
 * @param externalIds external ids
 * @param userAliases aliases
 * @param deviceId a device id
 * @param brazeId a Braze id
 * @param emailAddress an email address
 * @param phone an E.164 phone number
 * @param fieldsToExport the fields to return (required for newer workspaces)
 */
public record ExportIdsRequest(
    @Json(name = "external_ids") List<String> externalIds,
    @Json(name = "user_aliases") List<UserAlias> userAliases,
    @Json(name = "device_id") String deviceId,
    @Json(name = "braze_id") String brazeId,
    @Json(name = "email_address") String emailAddress,
    String phone,
    @Json(name = "fields_to_export") List<String> fieldsToExport) {

  /** Braze's cap on external ids plus aliases per request. */
  public static final int MAX_IDS = 50;

  /** Validates the request before any call. */
  public ExportIdsRequest {
    externalIds = externalIds == null ? null : List.copyOf(externalIds);
    userAliases = userAliases == null ? null : List.copyOf(userAliases);
    int ids =
        (externalIds == null ? 0 : externalIds.size())
            + (userAliases == null ? 0 : userAliases.size());
    if (ids > MAX_IDS) {
      throw new IllegalArgumentException(
          "external_ids and user_aliases hold "
              + ids
              + " ids together, over Braze's limit of "
              + MAX_IDS);
    }
    if (externalIds != null) {
      for (int i = 0; i < externalIds.size(); i++) {
        Validation.notBlank("external_ids[" + i + "]", externalIds.get(i));
      }
    }
    int singles =
        (deviceId != null ? 1 : 0) + (emailAddress != null ? 1 : 0) + (phone != null ? 1 : 0);
    if (singles > 1) {
      throw new IllegalArgumentException(
          "only one of device_id, email_address and phone may be given per request");
    }
    if (ids == 0 && singles == 0 && brazeId == null) {
      throw new IllegalArgumentException("no identifier given: nothing to export");
    }
    fieldsToExport = fieldsToExport == null ? null : List.copyOf(fieldsToExport);
  }

  /** Exports users by external id. */
  public static ExportIdsRequest externalIds(List<String> ids, List<String> fields) {
    return new ExportIdsRequest(ids, null, null, null, null, null, fields);
  }
}
