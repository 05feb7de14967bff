package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.List;

/**
 * Details of one segment from {@code /segments/details}.
 *
 * @param name segment name
 * @param description human-readable description of the filters
 * @param textDescription the segment's description text
 * @param createdAt ISO 8601 creation time
 * @param updatedAt ISO 8601 last update time
 * @param tags tags
 * @param teams teams
 */
public record SegmentDetails(
    String name,
    String description,
    @Json(name = "text_description") String textDescription,
    @Json(name = "created_at") String createdAt,
    @Json(name = "updated_at") String updatedAt,
    List<String> tags,
    List<String> teams) {
  /** Replaces absent lists with empty ones. */
  public SegmentDetails {
    tags = tags == null ? List.of() : List.copyOf(tags);
    teams = teams == null ? List.of() : List.copyOf(teams);
  }
}
