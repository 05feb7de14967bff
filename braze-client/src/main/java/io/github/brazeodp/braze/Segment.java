package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.List;

/**
 * A segment as listed by {@code /segments/list}.
 *
 * @param id the segment's API identifier
 * @param name the segment name
 * @param analyticsTrackingEnabled whether analytics tracking is on
 * @param tags tags of the segment
 */
public record Segment(
    String id,
    String name,
    @Json(name = "analytics_tracking_enabled") Boolean analyticsTrackingEnabled,
    List<String> tags) {
  /** Replaces absent tags with an empty list. */
  public Segment {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
