package io.github.brazeodp.sync.mapping;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.ExportedUser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds export users the way the sync gets them: one JSON line read by braze-client. */
final class TestUsers {
  private TestUsers() {}

  /** A realistic user in the documented export shape (Braze's sample, with an IANA time zone). */
  static final String JANE =
      """
      {"created_at":"2020-07-10 15:00:00.000 UTC","external_id":"A8i3mkd99",
       "user_aliases":[{"alias_name":"user_123","alias_label":"amplitude_id"}],
       "braze_id":"5fbd99bac125ca40511f2cb1","random_bucket":2365,
       "first_name":"Jane","last_name":"Doe","email":"example@braze.com","dob":"1980-12-21",
       "home_city":"Chicago","country":"US","phone":"+442071838750","language":"en",
       "time_zone":"America/Chicago","last_coordinates":[41.84157636433568,-87.83520818508256],
       "gender":"F","total_revenue":65,"email_subscribe":"subscribed","push_subscribe":"opted_in",
       "custom_attributes":{"loyaltyId":"37c98b9d-9a7f-4b2f-a125-d873c5152856",
         "loyaltyPoints":"321","loyaltyPointsNumber":107,"tier":"Gold","vip":true,
         "full_name":"Jane Q Doe","signup":"21/12/2019","favourites":["red","blue"]},
       "custom_events":[{"name":"Loyalty Acknowledgement","first":"2021-06-28T17:02:43.032Z",
         "last":"2021-06-28T17:02:43.032Z","count":1}]}
      """;

  /** Parses one user object, which may span lines, through braze-client's export reader. */
  static ExportedUser parse(String json) {
    // An export line is one JSON object; JSON strings hold no raw line breaks, so joining is safe.
    String line = json.replace('\r', ' ').replace('\n', ' ');
    try (ExportUserStream users =
        ExportUserStream.open(
            new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)),
            "test.json",
            ExportReadOptions.defaults())) {
      return users.next();
    }
  }

  /** Returns a user with only the given custom attributes and a braze_id. */
  static ExportedUser withCustomAttributes(String attributesJson) {
    return parse("{\"braze_id\":\"b1\",\"custom_attributes\":" + attributesJson + "}");
  }

  /** Reads a file of ../shared/fixtures, skipping the test with a visible notice when absent. */
  static String fixture(String relative) {
    String root = System.getProperty("brazeodp.root", "..");
    Path file = Path.of(root).resolve("../shared/fixtures").resolve(relative).normalize();
    boolean present = Files.isRegularFile(file);
    if (!present) {
      System.err.println("NOTICE: " + file + " not found; skipping fixture-based test");
    }
    assumeTrue(present, "shared fixture absent: " + file);
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A schema holding ODP's default customer fields and identifiers, nothing prefixed. */
  static CustomerSchema odpDefaultSchema() {
    Map<String, FieldKind> fields = new LinkedHashMap<>();
    for (String f :
        List.of(
            "first_name",
            "last_name",
            "gender",
            "timezone",
            "image_url",
            "street1",
            "street2",
            "city",
            "state",
            "zip",
            "country")) {
      fields.put(f, FieldKind.STRING);
    }
    fields.put("dob_year", FieldKind.NUMBER);
    fields.put("dob_month", FieldKind.NUMBER);
    fields.put("dob_day", FieldKind.NUMBER);
    fields.put("ccpa_opted_out", FieldKind.BOOLEAN);
    return new CustomerSchema(fields, Set.of("email", "phone", "vuid", "zaius_id"));
  }

  /** The ODP defaults plus the two prefixed Braze id fields and {@code extra}. */
  static CustomerSchema schema(Map<String, FieldKind> extra) {
    CustomerSchema defaults = odpDefaultSchema();
    Map<String, FieldKind> fields = new LinkedHashMap<>(defaults.fields());
    fields.put("_braze_external_id", FieldKind.STRING);
    fields.put("_braze_braze_id", FieldKind.STRING);
    fields.putAll(extra);
    return new CustomerSchema(fields, defaults.identifiers());
  }
}
