package io.github.brazeodp.samples.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Generates Braze-shaped export archives: ZIPs of newline-delimited JSON, 5,000 users a file. */
final class ExportArchives {
  static final int USERS_PER_FILE = 5_000;

  private ExportArchives() {}

  static byte[] zip(int users) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    write(bytes, users);
    return bytes.toByteArray();
  }

  static void write(OutputStream out, int users) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (int i = 0; i < users; i++) {
        if (i % USERS_PER_FILE == 0) {
          if (i > 0) {
            zip.closeEntry();
          }
          zip.putNextEntry(new ZipEntry("segment-export/" + (i / USERS_PER_FILE) + ".txt"));
        }
        zip.write(line(i).getBytes(StandardCharsets.UTF_8));
      }
      if (users > 0) {
        zip.closeEntry();
      }
    }
  }

  /** One user with the fields a typical sync exports. */
  static String line(int i) {
    return "{\"external_id\":\"user-"
        + i
        + "\",\"braze_id\":\"5fbd99bac125ca40511f"
        + String.format("%06d", i % 1_000_000)
        + "\",\"first_name\":\"Jane\",\"last_name\":\"Doe"
        + i
        + "\",\"email\":\"user"
        + i
        + "@example.com\",\"phone\":\"+4420718"
        + String.format("%05d", i % 100_000)
        + "\",\"dob\":\"1980-12-21\",\"home_city\":\"Chicago\",\"country\":\"US\","
        + "\"time_zone\":\"America/Chicago\",\"gender\":\"F\",\"email_subscribe\":\"subscribed\","
        + "\"custom_attributes\":{\"loyaltyId\":\"37c98b9d-9a7f-4b2f-a125-d873c5152856\","
        + "\"loyaltyPoints\":"
        + (i % 1000)
        + "},\"custom_events\":[{\"name\":\"Loyalty Acknowledgement\","
        + "\"first\":\"2021-06-28T17:02:43.032Z\",\"last\":\"2026-06-28T17:02:43.032Z\",\"count\":"
        + (i % 7 + 1)
        + "}]}\n";
  }
}
