package io.github.brazeodp.samples.sandbox;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A seeded demo world for the sandboxes: the same seed always gives the same users, segments,
 * events and customers.
 *
 * <p>Braze: {@value #USERS} users across five segments, with custom attributes and custom events,
 * an API-triggered campaign and a Canvas. ODP: the default customer schema plus the {@code _braze_}
 * fields, a segment of customers, and a few hundred customers already known from other sources.
 *
 * @param users how many Braze users were seeded
 * @param segmentIds the Braze segment ids, oldest first
 * @param campaignId the API-triggered campaign
 * @param canvasId the API-triggered Canvas (active)
 * @param odpSegment the ODP segment of customers
 * @param odpCustomers how many ODP customers were seeded
 */
public record DemoWorld(
    int users,
    List<String> segmentIds,
    String campaignId,
    String canvasId,
    String odpSegment,
    int odpCustomers) {
  /** How many Braze users the demo world holds. */
  public static final int USERS = 3_000;

  /** The API-triggered campaign the event-triggered activation sends on an ODP purchase. */
  public static final String PURCHASE_CAMPAIGN = "demo-campaign-thanks";

  /** How many ODP purchase events {@link #purchases} stores. */
  public static final int PURCHASES = 5;

  private static final JsonAdapter<ExportedUser> USER =
      new Moshi.Builder().build().adapter(ExportedUser.class);
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
  private static final String[] FIRST = {
    "Ada", "Ben", "Chloe", "Dev", "Emma", "Femi", "Grace", "Hugo", "Ines", "Jon", "Kim", "Liam"
  };
  private static final String[] LAST = {
    "Novak", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber"
  };
  private static final String[] CITIES = {
    "Berlin", "Lagos", "Lisbon", "Osaka", "Toronto", "Austin"
  };
  private static final String[] COUNTRIES = {"DE", "NG", "PT", "JP", "CA", "US"};
  private static final String[] ZONES = {
    "Europe/Berlin",
    "Africa/Lagos",
    "Europe/Lisbon",
    "Asia/Tokyo",
    "America/Toronto",
    "America/Chicago"
  };
  private static final String[] TIERS = {"bronze", "silver", "gold"};
  private static final String[] EVENTS = {"viewed_product", "added_to_cart", "completed_order"};

  /** Validates and copies the record. */
  public DemoWorld {
    segmentIds = List.copyOf(segmentIds);
    Objects.requireNonNull(campaignId, "campaignId");
    Objects.requireNonNull(canvasId, "canvasId");
    Objects.requireNonNull(odpSegment, "odpSegment");
  }

  /**
   * Stores {@value #PURCHASES} ODP purchase events ({@code order}/{@code purchase}, with {@code
   * order_id}, {@code total} and {@code currency}) by demo customers, the newest {@code 30 s}
   * before {@code now}, for the event-triggered activation to read back through the export.
   *
   * @param odp the ODP fake, seeded by {@link #seed}
   * @param now the current time; the events fall in the last few minutes before it
   * @return the ODP event ids, oldest first
   */
  public static List<String> purchases(InMemoryOdp odp, Instant now) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < PURCHASES; i++) {
      String id = "demo-order-" + (1001 + i);
      String email = FIRST[i].toLowerCase(java.util.Locale.ROOT) + ".buyer" + i + "@example.com";
      odp.putEvent(
          OdpEvent.builder("order", "purchase")
              .identifier("email", email)
              .data("order_id", "ORD-" + (1001 + i))
              .data("total", 20 + 7.5 * i)
              .data("currency", "EUR")
              .ts(now.minusSeconds(30L * (PURCHASES - i)).truncatedTo(ChronoUnit.SECONDS))
              .idempotenceId(id)
              .build());
      ids.add(id);
    }
    return ids;
  }

  /** Seeds both fakes from {@code seed} and describes what was seeded. */
  public static DemoWorld seed(InMemoryBraze braze, InMemoryOdp odp, long seed) {
    Objects.requireNonNull(braze, "braze");
    Objects.requireNonNull(odp, "odp");
    SplittableRandom random = new SplittableRandom(seed);
    List<ExportedUser> users = new ArrayList<>(USERS);
    List<String> all = new ArrayList<>();
    List<String> gold = new ArrayList<>();
    List<String> buyers = new ArrayList<>();
    List<String> subscribed = new ArrayList<>();
    List<String> dormant = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String brazeId = String.format("demo-%05d", i);
      int place = random.nextInt(CITIES.length);
      String first = FIRST[random.nextInt(FIRST.length)];
      String last = LAST[random.nextInt(LAST.length)];
      String tier = TIERS[random.nextInt(TIERS.length)];
      boolean optedIn = random.nextInt(3) > 0;
      Map<String, Object> u = new LinkedHashMap<>();
      u.put("braze_id", brazeId);
      u.put("external_id", String.format("cust-%05d", i));
      u.put("first_name", first);
      u.put("last_name", last);
      u.put(
          "email",
          first.toLowerCase(java.util.Locale.ROOT)
              + "."
              + last.toLowerCase(java.util.Locale.ROOT)
              + i
              + "@example.com");
      u.put("home_city", CITIES[place]);
      u.put("country", COUNTRIES[place]);
      u.put("time_zone", ZONES[place]);
      u.put("gender", random.nextBoolean() ? "F" : "M");
      u.put(
          "dob",
          LocalDate.of(1950 + random.nextInt(55), 1 + random.nextInt(12), 1 + random.nextInt(28))
              .toString());
      u.put("email_subscribe", optedIn ? "opted_in" : "unsubscribed");
      u.put("random_bucket", random.nextInt(10_000));
      u.put(
          "custom_attributes", Map.of("loyalty_tier", tier, "lifetime_orders", random.nextInt(40)));
      List<Object> events = new ArrayList<>();
      boolean bought = false;
      long lastActivity = 0;
      for (String name : EVENTS) {
        int count = random.nextInt(6);
        if (count == 0) {
          continue;
        }
        long firstDay = random.nextInt(300);
        long lastDay = firstDay + random.nextInt(60);
        lastActivity = Math.max(lastActivity, lastDay);
        bought |= name.equals("completed_order");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("first", EPOCH.plusSeconds(firstDay * 86_400).toString());
        e.put("last", EPOCH.plusSeconds(lastDay * 86_400).toString());
        e.put("count", count);
        events.add(e);
      }
      if (!events.isEmpty()) {
        u.put("custom_events", events);
      }
      users.add(USER.fromJsonValue(u));
      all.add(brazeId);
      if (tier.equals("gold")) {
        gold.add(brazeId);
      }
      if (bought) {
        buyers.add(brazeId);
      }
      if (optedIn) {
        subscribed.add(brazeId);
      }
      if (events.isEmpty() || lastActivity < 120) {
        dormant.add(brazeId);
      }
    }
    braze.putUsers(users);
    braze.putSegment("demo-all", "All customers", all);
    braze.putSegment("demo-gold", "Gold tier", gold);
    braze.putSegment("demo-buyers", "Recent purchasers", buyers);
    braze.putSegment("demo-newsletter", "Newsletter subscribers", subscribed);
    braze.putSegment("demo-dormant", "Dormant", dormant);
    braze.putCampaign("demo-campaign-welcome");
    braze.putCampaign(PURCHASE_CAMPAIGN);
    braze.putCanvas("demo-canvas-winback", InMemoryBraze.CanvasState.ACTIVE);

    for (String field : List.of("_braze_external_id", "_braze_braze_id")) {
      odp.putField(field, FieldType.STRING);
    }
    odp.putField("_braze_loyalty_tier", FieldType.STRING);
    odp.putField("_braze_lifetime_orders", FieldType.NUMBER);
    odp.putSegment(
        "engaged_customers",
        c ->
            c.get("first_name") != null && String.valueOf(c.get("email")).endsWith("@example.com"));
    int customers = 0;
    for (int i = 0; i < USERS; i += 10) {
      ExportedUser u = users.get(i);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("email", u.email());
      if (random.nextBoolean()) {
        c.put("first_name", u.firstName());
      }
      c.put("country", u.country());
      odp.putCustomer(c);
      customers++;
    }
    return new DemoWorld(
        USERS,
        List.of("demo-all", "demo-gold", "demo-buyers", "demo-newsletter", "demo-dormant"),
        "demo-campaign-welcome",
        "demo-canvas-winback",
        "engaged_customers",
        customers);
  }
}
