package io.github.brazeodp.sync.currents;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Fixtures, a settable clock and request helpers shared by the Currents tests. */
public final class CurrentsTestSupport {
  public static final String TOKEN = "c3VwZXItc2VjcmV0LXRva2Vu";
  static final String OTHER_TOKEN = "bmV4dC10b2tlbi0yMDI2";
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  private CurrentsTestSupport() {}

  /** Returns {@code ../shared/fixtures/currents/<sub>}, skipping the test when it is absent. */
  static Path fixtures(String sub) {
    String root = System.getProperty("brazeodp.root", "..");
    Path dir = Path.of(root).resolve("../shared/fixtures/currents").resolve(sub).normalize();
    boolean present = Files.isDirectory(dir);
    if (!present) {
      System.err.println("NOTICE: " + dir + " not found; skipping fixture-based Currents tests");
    }
    assumeTrue(present, "shared fixtures absent: " + dir);
    return dir;
  }

  /** Returns the Custom HTTP fixture files, sorted by name. */
  static List<Path> httpFixtures() {
    try (Stream<Path> files = Files.list(fixtures("http"))) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Headers of a well-formed Currents post with {@code token}. */
  public static Map<String, List<String>> headers(String token) {
    return Map.of(
        "authorization", List.of("Bearer " + token),
        "Braze-Currents-Version", List.of("1"),
        "Content-Type", List.of("application/json"));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A minimal valid event with an email, so it is matched. */
  public static String event(String id) {
    return event(id, "users.messages.email.Open", "\"email_address\":\"" + id + "@example.com\"");
  }

  public static String event(String id, String type, String properties) {
    return "{\"event_type\":\""
        + type
        + "\",\"id\":\""
        + id
        + "\",\"time\":2033802504,\"user\":{\"user_id\":\"b-"
        + id
        + "\"},\"properties\":{"
        + properties
        + "}}";
  }

  public static byte[] batch(String... events) {
    return utf8("{\"events\":[" + String.join(",", events) + "]}");
  }
}
