package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
   * Starts a user for tests and fakes, the way an export line would describe it: every field absent
   * until set.
   *
   * <pre>{@code
   * ExportedUser ann = ExportedUser.builder()
   *     .brazeId("b1").email("ann@example.com").firstName("Ann")
   *     .customAttribute("loyalty_tier", "gold")
   *     .customEvent("Checkout", "2026-11-28T10:00:00Z", 3)
   *     .build();
   * }</pre>
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this user's fields, to derive a changed copy.
   *
   * @return a builder initialised from this user
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Builds an {@link ExportedUser} field by field (mainly for tests; real users come from an
   * export). Custom attribute values are what the export JSON would hold: text, numbers, booleans,
   * lists and nested maps. Not thread-safe; {@link #build()} may be called repeatedly.
   */
  public static final class Builder {
    private String externalId;
    private String brazeId;
    private final List<UserAlias> userAliases = new ArrayList<>();
    private String createdAt;
    private String firstName;
    private String lastName;
    private String email;
    private String phone;
    private String dob;
    private String homeCity;
    private String country;
    private String language;
    private String timeZone;
    private String gender;
    private List<Double> lastCoordinates = List.of();
    private Double totalRevenue;
    private Integer randomBucket;
    private String emailSubscribe;
    private String pushSubscribe;
    private String attributedCampaign;
    private String attributedSource;
    private String attributedAdgroup;
    private String attributedAd;
    private String uninstalledAt;
    private final Map<String, Object> customAttributes = new LinkedHashMap<>();
    private final List<Activity> customEvents = new ArrayList<>();
    private final List<Activity> purchases = new ArrayList<>();
    private List<Map<String, Object>> devices = List.of();
    private List<Map<String, Object>> pushTokens = List.of();
    private List<Map<String, Object>> apps = List.of();
    private List<Map<String, Object>> campaignsReceived = List.of();
    private List<Map<String, Object>> canvasesReceived = List.of();
    private List<Map<String, Object>> cardsClicked = List.of();

    private Builder() {}

    private Builder(ExportedUser u) {
      externalId = u.externalId;
      brazeId = u.brazeId;
      userAliases.addAll(u.userAliases);
      createdAt = u.createdAt;
      firstName = u.firstName;
      lastName = u.lastName;
      email = u.email;
      phone = u.phone;
      dob = u.dob;
      homeCity = u.homeCity;
      country = u.country;
      language = u.language;
      timeZone = u.timeZone;
      gender = u.gender;
      lastCoordinates = u.lastCoordinates;
      totalRevenue = u.totalRevenue;
      randomBucket = u.randomBucket;
      emailSubscribe = u.emailSubscribe;
      pushSubscribe = u.pushSubscribe;
      attributedCampaign = u.attributedCampaign;
      attributedSource = u.attributedSource;
      attributedAdgroup = u.attributedAdgroup;
      attributedAd = u.attributedAd;
      uninstalledAt = u.uninstalledAt;
      customAttributes.putAll(u.customAttributes);
      customEvents.addAll(u.customEvents);
      purchases.addAll(u.purchases);
      devices = u.devices;
      pushTokens = u.pushTokens;
      apps = u.apps;
      campaignsReceived = u.campaignsReceived;
      canvasesReceived = u.canvasesReceived;
      cardsClicked = u.cardsClicked;
    }

    /** Sets {@code external_id}. */
    public Builder externalId(String value) {
      externalId = value;
      return this;
    }

    /** Sets {@code braze_id}. */
    public Builder brazeId(String value) {
      brazeId = value;
      return this;
    }

    /** Adds a user alias (both parts required). */
    public Builder alias(String aliasName, String aliasLabel) {
      userAliases.add(new UserAlias(aliasName, aliasLabel));
      return this;
    }

    /** Sets {@code created_at}, in Braze's format ({@code 2020-07-10 15:00:00.000 UTC}) or ISO. */
    public Builder createdAt(String value) {
      createdAt = value;
      return this;
    }

    /** Sets {@code first_name}. */
    public Builder firstName(String value) {
      firstName = value;
      return this;
    }

    /** Sets {@code last_name}. */
    public Builder lastName(String value) {
      lastName = value;
      return this;
    }

    /** Sets {@code email}. */
    public Builder email(String value) {
      email = value;
      return this;
    }

    /** Sets {@code phone}, for example {@code +442071838750}. */
    public Builder phone(String value) {
      phone = value;
      return this;
    }

    /** Sets {@code dob}, an ISO date such as {@code 1980-12-21}. */
    public Builder dob(String value) {
      dob = value;
      return this;
    }

    /** Sets {@code home_city}. */
    public Builder homeCity(String value) {
      homeCity = value;
      return this;
    }

    /** Sets {@code country}, an ISO 3166 code. */
    public Builder country(String value) {
      country = value;
      return this;
    }

    /** Sets {@code language}, an ISO 639 code. */
    public Builder language(String value) {
      language = value;
      return this;
    }

    /** Sets {@code time_zone}, an IANA zone such as {@code America/Chicago}. */
    public Builder timeZone(String value) {
      timeZone = value;
      return this;
    }

    /** Sets {@code gender} ({@code M}, {@code F}, {@code O}, {@code N}, {@code P} or null). */
    public Builder gender(String value) {
      gender = value;
      return this;
    }

    /** Sets {@code last_coordinates}. */
    public Builder lastCoordinates(double latitude, double longitude) {
      lastCoordinates = List.of(latitude, longitude);
      return this;
    }

    /** Sets {@code total_revenue}. */
    public Builder totalRevenue(Double value) {
      totalRevenue = value;
      return this;
    }

    /** Sets {@code random_bucket}. */
    public Builder randomBucket(Integer value) {
      randomBucket = value;
      return this;
    }

    /**
     * Sets {@code email_subscribe} ({@code opted_in}, {@code subscribed}, {@code unsubscribed}).
     */
    public Builder emailSubscribe(String value) {
      emailSubscribe = value;
      return this;
    }

    /** Sets {@code push_subscribe} ({@code opted_in}, {@code subscribed}, {@code unsubscribed}). */
    public Builder pushSubscribe(String value) {
      pushSubscribe = value;
      return this;
    }

    /** Sets {@code attributed_campaign}. */
    public Builder attributedCampaign(String value) {
      attributedCampaign = value;
      return this;
    }

    /** Sets {@code attributed_source}. */
    public Builder attributedSource(String value) {
      attributedSource = value;
      return this;
    }

    /** Sets {@code attributed_adgroup}. */
    public Builder attributedAdgroup(String value) {
      attributedAdgroup = value;
      return this;
    }

    /** Sets {@code attributed_ad}. */
    public Builder attributedAd(String value) {
      attributedAd = value;
      return this;
    }

    /** Sets {@code uninstalled_at}. */
    public Builder uninstalledAt(String value) {
      uninstalledAt = value;
      return this;
    }

    /**
     * Sets one custom attribute; a null value removes it (an export leaves unset attributes out).
     *
     * @throws IllegalArgumentException if the name is missing or blank
     */
    public Builder customAttribute(String name, Object value) {
      Validation.notBlank("custom_attributes key", name);
      if (value == null) {
        customAttributes.remove(name);
      } else {
        customAttributes.put(name, value);
      }
      return this;
    }

    /** Sets several custom attributes, as {@link #customAttribute(String, Object)} does. */
    public Builder customAttributes(Map<String, ?> values) {
      values.forEach(this::customAttribute);
      return this;
    }

    /** Adds a custom event summary whose first and last occurrence are both {@code last}. */
    public Builder customEvent(String name, String last, long count) {
      return customEvent(new Activity(name, last, last, count));
    }

    /** Adds a custom event summary. */
    public Builder customEvent(Activity event) {
      customEvents.add(Objects.requireNonNull(event, "custom_events: event"));
      return this;
    }

    /** Adds a purchase summary. */
    public Builder purchase(Activity purchase) {
      purchases.add(Objects.requireNonNull(purchase, "purchases: purchase"));
      return this;
    }

    /** Sets {@code devices}. */
    public Builder devices(List<Map<String, Object>> value) {
      devices = List.copyOf(value);
      return this;
    }

    /** Sets {@code push_tokens}. */
    public Builder pushTokens(List<Map<String, Object>> value) {
      pushTokens = List.copyOf(value);
      return this;
    }

    /** Sets {@code apps}. */
    public Builder apps(List<Map<String, Object>> value) {
      apps = List.copyOf(value);
      return this;
    }

    /** Sets {@code campaigns_received}. */
    public Builder campaignsReceived(List<Map<String, Object>> value) {
      campaignsReceived = List.copyOf(value);
      return this;
    }

    /** Sets {@code canvases_received}. */
    public Builder canvasesReceived(List<Map<String, Object>> value) {
      canvasesReceived = List.copyOf(value);
      return this;
    }

    /** Sets {@code cards_clicked}. */
    public Builder cardsClicked(List<Map<String, Object>> value) {
      cardsClicked = List.copyOf(value);
      return this;
    }

    /**
     * Returns the user; absent fields read as null and absent lists as empty, as in an export.
     *
     * @return a new user
     */
    public ExportedUser build() {
      return new ExportedUser(
          externalId,
          brazeId,
          List.copyOf(userAliases),
          createdAt,
          firstName,
          lastName,
          email,
          phone,
          dob,
          homeCity,
          country,
          language,
          timeZone,
          gender,
          lastCoordinates,
          totalRevenue,
          randomBucket,
          emailSubscribe,
          pushSubscribe,
          attributedCampaign,
          attributedSource,
          attributedAdgroup,
          attributedAd,
          uninstalledAt,
          Collections.unmodifiableMap(new LinkedHashMap<>(customAttributes)),
          List.copyOf(customEvents),
          List.copyOf(purchases),
          devices,
          pushTokens,
          apps,
          campaignsReceived,
          canvasesReceived,
          cardsClicked);
    }
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
