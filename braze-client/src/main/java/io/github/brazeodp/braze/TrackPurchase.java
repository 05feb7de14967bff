package io.github.brazeodp.braze;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A purchase object of {@code /users/track}.
 *
 * <p>See <a href="https://www.braze.com/docs/api/objects_filters/purchase_object/">purchase
 * object</a>.
 *
 * @param identifier the user
 * @param productId product identifier, up to 255 characters
 * @param currency ISO 4217 code, for example {@code USD}
 * @param price unit price
 * @param quantity 1 to 100, or null for Braze's default of 1
 * @param time when it happened
 * @param appId optional app identifier
 * @param properties optional properties
 * @param updateExistingOnly {@code _update_existing_only}, or null for Braze's default
 */
public record TrackPurchase(
    UserIdentifier identifier,
    String productId,
    String currency,
    BigDecimal price,
    Integer quantity,
    OffsetDateTime time,
    String appId,
    Map<String, Object> properties,
    Boolean updateExistingOnly) {
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  /** Validates the purchase before any request is built. */
  public TrackPurchase {
    Objects.requireNonNull(identifier, "identifier");
    Validation.notBlank("purchase.product_id", productId);
    Validation.maxLength("purchase.product_id", productId, 255);
    if (currency == null) {
      throw new IllegalArgumentException(
          "purchase \"" + productId + "\": currency is required (ISO 4217, e.g. USD)");
    }
    if (!CURRENCY.matcher(currency).matches()) {
      throw new IllegalArgumentException(
          "purchase \""
              + productId
              + "\": currency must be a three-letter ISO 4217 code, was \""
              + currency
              + "\"");
    }
    if (price == null) {
      throw new IllegalArgumentException("purchase \"" + productId + "\": price is required");
    }
    if (quantity != null && (quantity < 1 || quantity > 100)) {
      throw new IllegalArgumentException(
          "purchase \"" + productId + "\": quantity must be 1 to 100, was " + quantity);
    }
    if (time == null) {
      throw new IllegalArgumentException("purchase \"" + productId + "\": time is required");
    }
    properties = Properties.check("purchase \"" + productId + "\" properties", properties);
  }
}
