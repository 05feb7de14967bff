package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.List;
import java.util.Map;

/**
 * One user object of a segment or id export.
 *
 * <p>Braze includes "the least data possible": any field may be absent and reads as null (lists and
 * maps as empty). Dates stay strings because Braze mixes formats ({@code created_at} reads {@code
 * "2020-07-10 15:00:00.000 UTC"}, other dates are ISO 8601). {@code custom_events}, {@code
 * purchases} and the received lists cover the last 90 days, but {@code first} and {@code count} are
 * all-time. See <a
 * href="https://www.braze.com/docs/api/endpoints/export/user_data/post_users_segment/">export users
 * by segment</a>.
 */
public record ExportedUser(
    @Json(name = "external_id") String externalId,
    @Json(name = "braze_id") String brazeId,
    @Json(name = "user_aliases") List<UserAlias> userAliases,
    @Json(name = "created_at") String createdAt,
    @Json(name = "first_name") String firstName,
    @Json(name = "last_name") String lastName,
    String email,
    String phone,
    String dob,
    @Json(name = "home_city") String homeCity,
    String country,
    String language,
    @Json(name = "time_zone") String timeZone,
    String gender,
    @Json(name = "last_coordinates") List<Double> lastCoordinates,
    @Json(name = "total_revenue") Double totalRevenue,
    @Json(name = "random_bucket") Integer randomBucket,
    @Json(name = "email_subscribe") String emailSubscribe,
    @Json(name = "push_subscribe") String pushSubscribe,
    @Json(name = "attributed_campaign") String attributedCampaign,
    @Json(name = "attributed_source") String attributedSource,
    @Json(name = "attributed_adgroup") String attributedAdgroup,
    @Json(name = "attributed_ad") String attributedAd,
    @Json(name = "uninstalled_at") String uninstalledAt,
    @Json(name = "custom_attributes") Map<String, Object> customAttributes,
    @Json(name = "custom_events") List<Activity> customEvents,
    List<Activity> purchases,
    List<Map<String, Object>> devices,
    @Json(name = "push_tokens") List<Map<String, Object>> pushTokens,
    List<Map<String, Object>> apps,
    @Json(name = "campaigns_received") List<Map<String, Object>> campaignsReceived,
    @Json(name = "canvases_received") List<Map<String, Object>> canvasesReceived,
    @Json(name = "cards_clicked") List<Map<String, Object>> cardsClicked) {

  /** Replaces absent collections with empty ones. */
  public ExportedUser {
    userAliases = userAliases == null ? List.of() : userAliases;
    lastCoordinates = lastCoordinates == null ? List.of() : lastCoordinates;
    customAttributes = customAttributes == null ? Map.of() : customAttributes;
    customEvents = customEvents == null ? List.of() : customEvents;
    purchases = purchases == null ? List.of() : purchases;
    devices = devices == null ? List.of() : devices;
    pushTokens = pushTokens == null ? List.of() : pushTokens;
    apps = apps == null ? List.of() : apps;
    campaignsReceived = campaignsReceived == null ? List.of() : campaignsReceived;
    canvasesReceived = canvasesReceived == null ? List.of() : canvasesReceived;
    cardsClicked = cardsClicked == null ? List.of() : cardsClicked;
  }

  /**
   * Returns a standard field or custom attribute by its export name: {@code email}, {@code
   * home_city}, or any key of {@code custom_attributes}. Standard fields win over custom ones.
   */
  public Object field(String name) {
    return switch (name) {
      case "external_id" -> externalId;
      case "braze_id" -> brazeId;
      case "created_at" -> createdAt;
      case "first_name" -> firstName;
      case "last_name" -> lastName;
      case "email" -> email;
      case "phone" -> phone;
      case "dob" -> dob;
      case "home_city" -> homeCity;
      case "country" -> country;
      case "language" -> language;
      case "time_zone" -> timeZone;
      case "gender" -> gender;
      case "total_revenue" -> totalRevenue;
      case "random_bucket" -> randomBucket;
      case "email_subscribe" -> emailSubscribe;
      case "push_subscribe" -> pushSubscribe;
      case "attributed_campaign" -> attributedCampaign;
      case "attributed_source" -> attributedSource;
      case "attributed_adgroup" -> attributedAdgroup;
      case "attributed_ad" -> attributedAd;
      case "uninstalled_at" -> uninstalledAt;
      default -> customAttributes.get(name);
    };
  }

  /**
   * A custom event or purchase summary of the export.
   *
   * @param name event name or product id
   * @param first first occurrence (all-time), ISO 8601
   * @param last last occurrence, ISO 8601
   * @param count occurrences (all-time)
   */
  public record Activity(String name, String first, String last, Long count) {}
}
