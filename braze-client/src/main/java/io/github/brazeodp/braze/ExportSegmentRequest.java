package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /users/export/segment}.
 *
 * <p>Braze has no "all fields" default: list exactly the fields you need, which also keeps the
 * archive small. See <a
 * href="https://www.braze.com/docs/api/endpoints/export/user_data/post_users_segment/">export users
 * by segment</a>.
 *
 * @param segmentId the segment's API identifier
 * @param callbackEndpoint optional URL Braze POSTs to when the export is ready
 * @param fieldsToExport the fields to export (required)
 * @param customAttributesToExport optional list of custom attributes, up to 500
 * @param outputFormat {@code zip} (default) or {@code gzip}; only meaningful with your own bucket
 */
public record ExportSegmentRequest(
    @Json(name = "segment_id") String segmentId,
    @Json(name = "callback_endpoint") String callbackEndpoint,
    @Json(name = "fields_to_export") List<String> fieldsToExport,
    @Json(name = "custom_attributes_to_export") List<String> customAttributesToExport,
    @Json(name = "output_format") String outputFormat) {

  /** Fields Braze accepts in {@code fields_to_export}. */
  public static final Set<String> KNOWN_FIELDS =
      Set.of(
          "apps",
          "attributed_campaign",
          "attributed_source",
          "attributed_adgroup",
          "attributed_ad",
          "braze_id",
          "campaigns_received",
          "canvases_received",
          "cards_clicked",
          "country",
          "created_at",
          "custom_attributes",
          "custom_events",
          "devices",
          "dob",
          "email",
          "email_subscribe",
          "external_id",
          "first_name",
          "gender",
          "home_city",
          "language",
          "last_coordinates",
          "last_name",
          "phone",
          "purchases",
          "push_subscribe",
          "push_tokens",
          "random_bucket",
          "time_zone",
          "total_revenue",
          "uninstalled_at",
          "user_aliases");

  /** Validates the request before it is sent. */
  public ExportSegmentRequest {
    Validation.notBlank("segment_id", segmentId);
    if (fieldsToExport == null || fieldsToExport.isEmpty()) {
      throw new IllegalArgumentException(
          "fields_to_export is required: Braze has no default set of fields");
    }
    for (int i = 0; i < fieldsToExport.size(); i++) {
      String f = fieldsToExport.get(i);
      if (f == null || !KNOWN_FIELDS.contains(f)) {
        throw new IllegalArgumentException(
            "fields_to_export[" + i + "] is not a field Braze exports: \"" + f + "\"");
      }
    }
    fieldsToExport = List.copyOf(fieldsToExport);
    if (customAttributesToExport != null) {
      Validation.maxSize("custom_attributes_to_export", customAttributesToExport, 500);
      customAttributesToExport = List.copyOf(customAttributesToExport);
    }
    if (outputFormat != null && !outputFormat.equals("zip") && !outputFormat.equals("gzip")) {
      throw new IllegalArgumentException(
          "output_format must be zip or gzip, was \"" + outputFormat + "\"");
    }
    if (callbackEndpoint != null) {
      BrazeClient.checkUrl("callback_endpoint", callbackEndpoint);
    }
  }

  /** Returns a request for {@code fields} of a segment. */
  public static ExportSegmentRequest of(String segmentId, List<String> fields) {
    return new ExportSegmentRequest(segmentId, null, fields, null, null);
  }

  /** Returns a copy that asks Braze to POST to {@code url} when the export is ready. */
  public ExportSegmentRequest withCallback(String url) {
    return new ExportSegmentRequest(
        segmentId, url, fieldsToExport, customAttributesToExport, outputFormat);
  }

  /** Returns a copy exporting specific custom attributes. */
  public ExportSegmentRequest withCustomAttributes(List<String> names) {
    return new ExportSegmentRequest(
        segmentId, callbackEndpoint, fieldsToExport, names, outputFormat);
  }
}
