package io.github.brazeodp.braze;

import com.squareup.moshi.Json;

/**
 * A user alias: a name unique within a label.
 *
 * @param aliasName the alias value
 * @param aliasLabel the alias namespace, for example {@code amplitude_id}
 */
public record UserAlias(
    @Json(name = "alias_name") String aliasName, @Json(name = "alias_label") String aliasLabel) {
  /** Validates both parts. */
  public UserAlias {
    Validation.notBlank("user_alias.alias_name", aliasName);
    Validation.notBlank("user_alias.alias_label", aliasLabel);
  }
}
