package io.github.brazeodp.braze;

import com.squareup.moshi.Json;

/**
 * The state of one campaign or Canvas, from {@code /campaigns/details} or {@code /canvas/details}:
 * the fields that tell whether a trigger send to it would go out.
 *
 * <p>Absent booleans read as false, since Braze documents each as present.
 *
 * @param name the campaign's or Canvas's name
 * @param enabled whether it is active (not stopped or paused)
 * @param archived whether it is archived
 * @param draft whether it is a draft that was never launched
 * @param createdAt ISO 8601 creation time
 * @param updatedAt ISO 8601 last update time
 */
public record MessageDetails(
    String name,
    Boolean enabled,
    Boolean archived,
    Boolean draft,
    @Json(name = "created_at") String createdAt,
    @Json(name = "updated_at") String updatedAt) {
  /** Reads absent booleans as false. */
  public MessageDetails {
    enabled = Boolean.TRUE.equals(enabled);
    archived = Boolean.TRUE.equals(archived);
    draft = Boolean.TRUE.equals(draft);
  }

  /** Returns whether a trigger send would go out: enabled, not archived, not a draft. */
  public boolean active() {
    return enabled && !archived && !draft;
  }

  /** Describes the state in words, e.g. {@code "active"} or {@code "archived, not enabled"}. */
  public String state() {
    if (active()) {
      return "active";
    }
    StringBuilder s = new StringBuilder();
    if (archived) {
      s.append("archived");
    }
    if (draft) {
      s.append(s.length() == 0 ? "" : ", ").append("a draft");
    }
    if (!enabled) {
      s.append(s.length() == 0 ? "" : ", ").append("not enabled");
    }
    return s.toString();
  }
}
