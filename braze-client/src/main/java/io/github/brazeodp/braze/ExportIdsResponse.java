package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.List;

/**
 * Braze's answer to {@code /users/export/ids}.
 *
 * @param message normally {@code success}
 * @param users the users found
 * @param invalidUserIds identifiers that matched no user
 */
public record ExportIdsResponse(
    String message,
    List<ExportedUser> users,
    @Json(name = "invalid_user_ids") List<String> invalidUserIds) {
  /** Replaces absent lists with empty ones. */
  public ExportIdsResponse {
    users = users == null ? List.of() : List.copyOf(users);
    invalidUserIds = invalidUserIds == null ? List.of() : List.copyOf(invalidUserIds);
  }
}
