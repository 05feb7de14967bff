package io.github.brazeodp.samples.cli;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.ActivationRunner;
import io.github.brazeodp.sync.activation.EventActivation;
import io.github.brazeodp.sync.activation.EventFilter;
import io.github.brazeodp.sync.activation.OdpEventSource;
import io.github.brazeodp.sync.activation.Schedule;
import io.github.brazeodp.sync.activation.TargetIdentifier;
import io.github.brazeodp.sync.activation.Touchpoint;
import io.github.brazeodp.sync.currents.CurrentsCounts;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.mapping.FieldMappings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The demo's Currents and activation steps. */
final class DemoFlows {
  private DemoFlows() {}

  /** How long the demo waits for the forwarder to deliver the Currents batch to ODP. */
  static final Duration CURRENTS_DEADLINE = Duration.ofSeconds(15);

  private static final JsonAdapter<Object> JSON = new Moshi.Builder().build().adapter(Object.class);

  /**
   * Starts the Currents receiver on a random port, posts one batch of three events (an email open,
   * a custom event and a purchase of demo users the segment sync put in the identity map) twice, as
   * Braze does when an acknowledgement is lost, and waits until the events reach ODP.
   */
  static int currents(PrintStream out, Host host, InMemoryBraze braze) {
    out.println("2. Currents (Braze -> ODP): one batch posted to the receiver, then redelivered");
    String token = "demo-" + UUID.randomUUID();
    try (CurrentsService receiver =
        CurrentsService.start(
            host,
            0,
            List.of(token),
            16L * 1024 * 1024,
            IdentityRule.defaults(),
            FieldMappings.DEFAULT_PREFIX,
            Duration.ofSeconds(5))) {
      byte[] batch = currentsBatch(braze, Instant.now()).getBytes(StandardCharsets.UTF_8);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI uri = URI.create("http://127.0.0.1:" + receiver.port() + CurrentsHttpServer.PATH);
      for (String attempt : List.of("delivery", "redelivery")) {
        HttpResponse<String> r = post(http, uri, token, batch);
        out.printf(
            "   POST %s (%s) -> %d %s%n",
            CurrentsHttpServer.PATH, attempt, r.statusCode(), r.body());
        if (r.statusCode() != 200) {
          return ExitCodes.FAILED;
        }
      }
      long deadline = System.nanoTime() + CURRENTS_DEADLINE.toNanos();
      while ((receiver.outboxMessages() > 0
              || receiver.counts().forwarded() + receiver.counts().odpRejected()
                  < receiver.counts().queued())
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      CurrentsCounts c = receiver.counts();
      out.printf(
          "   received %d, duplicates %d, queued %d, forwarded %d, unmatched %d, rejected %d,"
              + " still queued %d%n%n",
          c.received(),
          c.duplicates(),
          c.queued(),
          c.forwarded(),
          c.unmatched(),
          c.rejected() + c.odpRejected(),
          receiver.outboxMessages());
      if (receiver.outboxMessages() > 0 || c.forwarded() + c.odpRejected() < c.queued()) {
        return ExitCodes.FAILED;
      }
      return c.unmatched() + c.rejected() + c.odpRejected() > 0 ? ExitCodes.PARTIAL : ExitCodes.OK;
    } catch (IOException e) {
      throw new UncheckedIOException("posting the Currents batch failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.FAILED;
    }
  }

  private static HttpResponse<String> post(HttpClient http, URI uri, String token, byte[] body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Braze-Currents-Version", "1")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Returns a Custom Currents Export batch as Braze posts it: an email open, a custom event and a
   * purchase, for three demo users, with fresh event ids.
   */
  static String currentsBatch(InMemoryBraze braze, Instant now) {
    long time = now.getEpochSecond();
    ExportedUser reader = braze.user("demo-00010");
    ExportedUser shopper = braze.user("demo-00020");
    ExportedUser buyer = braze.user("demo-00030");
    Map<String, Object> open =
        event(
            "users.messages.email.Open",
            time - 120,
            reader,
            ordered(
                "campaign_id", "demo-campaign-welcome",
                "campaign_name", "Welcome series",
                "message_variation_id", "demo-variation-a",
                "dispatch_id", "demo-dispatch-0001",
                "send_id", "welcome-2026",
                "email_address", reader.email(),
                "esp", "SendGrid",
                "from_domain", "mail.example.com",
                "machine_open", "false",
                "user_agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X)"));
    Map<String, Object> custom =
        event(
            "users.behaviors.CustomEvent",
            time - 60,
            shopper,
            ordered(
                "app_id", "demo-web-app",
                "platform", "web",
                "name", "added_to_cart",
                "custom_properties", ordered("sku", "SKU-1042", "quantity", 2, "gift", false)));
    Map<String, Object> purchase =
        event(
            "users.behaviors.Purchase",
            time - 30,
            buyer,
            ordered(
                "app_id", "demo-web-app",
                "platform", "web",
                "product_id", "SKU-1042",
                "price", 59.9,
                "currency", "EUR",
                "purchase_properties", ordered("size", "M", "color", "navy")));
    return JSON.toJson(Map.of("events", List.of(open, custom, purchase)));
  }

  private static Map<String, Object> event(
      String type, long time, ExportedUser user, Map<String, Object> properties) {
    Map<String, Object> u =
        ordered("user_id", user.brazeId(), "external_user_id", user.externalId());
    if (user.timeZone() != null) {
      u.put("timezone", user.timeZone());
    }
    return ordered(
        "event_type",
        type,
        "id",
        UUID.randomUUID().toString(),
        "time",
        time,
        "user",
        u,
        "properties",
        properties);
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  static int activation(PrintStream out, Host host, InMemoryBraze braze, DemoWorld world) {
    out.println("3. Activation (ODP -> Braze): segment " + world.odpSegment() + " -> campaign");
    Activation welcome =
        Activation.builder("demo-welcome")
            .segment(world.odpSegment())
            .schedule(
                Schedule.recurring(LocalDateTime.of(2026, 1, 1, 9, 0), ZoneId.of("Europe/Paris"))
                    .daily(1)
                    .build())
            .target(TargetIdentifier.externalId("_braze_external_id"))
            .touchpoint(Touchpoint.campaign(world.campaignId()))
            .field("first_name", "{{ customer.first_name | default: \"there\" }}")
            .field("odp_country", "{{ customer.country | upcase }}")
            .build();
    welcome.validate(host.odpGateway);
    ActivationRunner runner =
        ActivationRunner.builder()
            .braze(host.brazeGateway)
            .odp(host.odpGateway)
            .state(host.state)
            .build();
    String occurrence = "demo-" + LocalDate.now(ZoneOffset.UTC);
    SyncReport first = runner.run(welcome, occurrence);
    out.println("   " + first);
    SyncReport again = runner.run(welcome, occurrence);
    out.println("   rerun of the same occurrence (nothing is sent twice): " + again);
    long recipients = braze.triggers().stream().mapToLong(t -> t.send().recipients().size()).sum();
    out.printf(
        "   Braze received %,d trigger calls for %,d recipients%n%n",
        braze.triggers().size(), recipients);
    return ExitCodes.worst(ExitCodes.of(first), ExitCodes.of(again));
  }

  /**
   * The event-triggered activation: purchase events stored in ODP are read back through {@code POST
   * /v3/exports}, each buyer gets the thank-you campaign and a Braze custom event {@code
   * odp_purchase} with the order's properties; a second window sends nothing again.
   */
  static int eventActivation(
      PrintStream out, Host host, InMemoryBraze braze, InMemoryOdp odp, DemoWorld world) {
    out.println(
        "4. Event activation (ODP -> Braze): order/purchase events polled from ODP's export ->"
            + " campaign "
            + DemoWorld.PURCHASE_CAMPAIGN
            + " + custom event odp_purchase");
    List<String> ids = DemoWorld.purchases(odp, Instant.now());
    Activation thanks =
        Activation.builder("demo-purchase")
            .event(EventFilter.type("order").action("purchase"))
            .target(TargetIdentifier.email())
            .touchpoint(Touchpoint.campaign(DemoWorld.PURCHASE_CAMPAIGN))
            .property("order_id", "{{ event.data.order_id }}")
            .customEvent("odp_purchase")
            .customEventProperty("order_id", "{{ event.data.order_id }}")
            .customEventProperty("total", "{{ event.data.total }}")
            .customEventProperty("currency", "{{ event.data.currency }}")
            .build();
    ActivationRunner runner =
        ActivationRunner.builder()
            .braze(host.brazeGateway)
            .odp(host.odpGateway)
            .state(host.state)
            .build();
    int code;
    try (EventActivation events = EventActivation.builder(runner, thanks).build()) {
      OdpEventSource source = OdpEventSource.builder(events, host.odpGateway).build();
      OdpEventSource.Window first = source.poll();
      out.println("   " + ActivateCommand.describe(first));
      out.println("   " + first.report());
      OdpEventSource.Window again = source.poll();
      out.println("   next window (nothing is sent twice): " + ActivateCommand.describe(again));
      code = ExitCodes.worst(ExitCodes.of(first.report()), ExitCodes.of(again.report()));
    }
    long sends =
        braze.triggers().stream()
            .filter(t -> t.send().id().equals(DemoWorld.PURCHASE_CAMPAIGN))
            .mapToLong(t -> t.send().recipients().size())
            .sum();
    long customEvents =
        braze.tracked().stream()
            .flatMap(r -> r.events().stream())
            .filter(e -> e.name().equals("odp_purchase"))
            .count();
    out.printf(
        "   %d ODP purchases -> Braze: %d campaign recipients, %d odp_purchase custom events%n%n",
        ids.size(), sends, customEvents);
    return code;
  }
}
