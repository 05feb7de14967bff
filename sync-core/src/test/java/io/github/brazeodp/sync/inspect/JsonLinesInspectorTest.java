package io.github.brazeodp.sync.inspect;

import static io.github.brazeodp.sync.inspect.TestExchanges.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.sync.inspect.InspectedExchange.Source;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesInspectorTest {
  @TempDir Path dir;

  private static final JsonAdapter<Object> JSON = new Moshi.Builder().build().adapter(Object.class);

  /** Every awkward character a body can hold: quotes, escapes, line breaks, controls, emoji. */
  private static final String NASTY =
      "quote\" backslash\\ slash/ newline\n cr\r tab\t nul\u0000 bell\u0007 esc\u001b del\u007f"
          + " ls\u2028 ps\u2029 emoji\uD83D\uDE00 lone\uD800 \u00e9 \u00fc \u65e5\u672c";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String line) throws IOException {
    return (Map<String, Object>) JSON.fromJson(line);
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  @Test
  void writesOneParsableObjectPerLineWithEveryField() throws Exception {
    Path file = dir.resolve("inspector.jsonl");
    Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
    requestHeaders.put("Content-Type", List.of("application/json"));
    requestHeaders.put("x-api-key", List.of("live-key"));
    requestHeaders.put("X-Multi", List.of("a", "b"));
    InspectedExchange braze =
        InspectedExchange.builder(Source.BRAZE, "POST", "https://rest.test/users/track")
            .time(T0)
            .endpoint("/users/track")
            .attempt(2)
            .status(201)
            .duration(Duration.ofNanos(12_345_678))
            .request(requestHeaders, "{\"attributes\":[]}")
            .response(Map.of("X-RateLimit-Remaining", List.of("99")), "{\"message\":\"success\"}")
            .build();
    InspectedExchange odp =
        InspectedExchange.builder(Source.ODP, "POST", "https://odp.test/v3/events")
            .time(T0.plusSeconds(1))
            .endpoint("events")
            .error("java.net.SocketTimeoutException: timeout")
            .build();

    try (JsonLinesInspector sink = EventInspector.jsonLines(file)) {
      sink.record(braze);
      sink.record(odp);
      assertThat(sink.written()).isEqualTo(2);
    }

    List<String> lines = lines(file);
    assertThat(lines).hasSize(2);
    Map<String, Object> first = parse(lines.get(0));
    assertThat(first)
        .containsEntry("time", "2026-01-01T00:00:00Z")
        .containsEntry("source", "braze")
        .containsEntry("method", "POST")
        .containsEntry("url", "https://rest.test/users/track")
        .containsEntry("endpoint", "/users/track")
        .containsEntry("attempt", 2.0)
        .containsEntry("status", 201.0)
        .containsEntry("durationMs", 12.345678)
        .containsEntry(
            "requestHeaders",
            Map.of(
                "Content-Type", List.of("application/json"),
                "x-api-key", List.of("[REDACTED]"),
                "X-Multi", List.of("a", "b")))
        .containsEntry("requestBody", "{\"attributes\":[]}")
        .containsEntry("responseHeaders", Map.of("X-RateLimit-Remaining", List.of("99")))
        .containsEntry("responseBody", "{\"message\":\"success\"}")
        .containsEntry("error", null);
    Map<String, Object> second = parse(lines.get(1));
    assertThat(second)
        .containsEntry("source", "odp")
        .containsEntry("status", -1.0)
        .containsEntry("durationMs", 0.0)
        .containsEntry("requestHeaders", Map.of())
        .containsEntry("requestBody", "")
        .containsEntry("error", "java.net.SocketTimeoutException: timeout");
  }

  @Test
  void specialCharactersStayOnOneLineAndReadBackExactly() throws Exception {
    Path file = dir.resolve("nasty.jsonl");
    InspectedExchange nasty =
        InspectedExchange.builder(Source.CURRENTS, "POST", "https://in.test/currents?q=" + NASTY)
            .time(T0)
            .request(Map.of("X-Note", List.of(NASTY)), NASTY)
            .response(Map.of(), "{\"s\":\"" + NASTY + "\"}")
            .error(NASTY)
            .build();

    try (JsonLinesInspector sink = EventInspector.jsonLines(file)) {
      sink.record(nasty);
      sink.record(nasty);
    }

    String content = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(content.split("\n", -1)).hasSize(3); // two lines and the final newline
    assertThat(content).doesNotContain("\r").doesNotContain("\u2028").doesNotContain("\u2029");
    for (String line : lines(file)) {
      Map<String, Object> parsed = parse(line);
      assertThat(parsed.get("requestBody")).isEqualTo(NASTY);
      assertThat(parsed.get("error")).isEqualTo(NASTY);
      assertThat(parsed.get("responseBody")).isEqualTo("{\"s\":\"" + NASTY + "\"}");
      assertThat(parsed.get("requestHeaders")).isEqualTo(Map.of("X-Note", List.of(NASTY)));
    }
  }

  @Test
  void eachRecordIsInTheFileBeforeRecordReturns() throws Exception {
    Path file = dir.resolve("live.jsonl");
    try (JsonLinesInspector sink = EventInspector.jsonLines(file)) {
      sink.record(TestExchanges.exchange(Source.ODP, 202, "{}"));

      assertThat(lines(file)).hasSize(1);
    }
  }

  @Test
  void appendsToAnExistingFile() throws Exception {
    Path file = dir.resolve("append.jsonl");
    for (int run = 0; run < 2; run++) {
      try (JsonLinesInspector sink = EventInspector.jsonLines(file)) {
        sink.record(TestExchanges.exchange(Source.ODP, 202, "{\"run\":" + run + "}"));
      }
    }

    assertThat(lines(file)).hasSize(2);
    assertThat(parse(lines(file).get(1))).containsEntry("requestBody", "{\"run\":1}");
  }

  @Test
  void createsTheFileReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("private.jsonl");
    try (JsonLinesInspector sink = EventInspector.jsonLines(file)) {
      sink.record(TestExchanges.exchange(Source.ODP, 202, "{}"));
    }

    if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
      assertThat(Files.getPosixFilePermissions(file))
          .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    }
  }

  @Test
  void concurrentWritersNeverInterleaveLines() throws Exception {
    Path file = dir.resolve("concurrent.jsonl");
    int threads = 4;
    int perThread = 250;
    String body = "x".repeat(5_000);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (JsonLinesInspector sink = EventInspector.jsonLines(file)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    sink.record(TestExchanges.exchange(Source.BRAZE, 201, body));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> lines = lines(file);
    assertThat(lines).hasSize(threads * perThread);
    for (String line : lines) {
      assertThat(parse(line)).containsEntry("requestBody", body);
    }
  }

  @Test
  void aFailingDiskNeverThrowsAndTheNextLineStartsClean() throws Exception {
    FlakyStream out = new FlakyStream();
    JsonLinesInspector sink = new JsonLinesInspector(out, "flaky");

    out.failNext = true;
    assertThatCode(() -> sink.record(TestExchanges.exchange(Source.ODP, 202, "{\"a\":1}")))
        .doesNotThrowAnyException();
    sink.record(TestExchanges.exchange(Source.ODP, 202, "{\"b\":2}"));

    assertThat(sink.failures()).isEqualTo(1);
    assertThat(sink.written()).isEqualTo(1);
    // The failed write left half a line behind; the next record begins on a line of its own.
    List<String> written = out.content().lines().toList();
    assertThat(written).hasSize(2);
    assertThat(written.get(0)).startsWith("{\"time\"").doesNotEndWith("}");
    assertThat(parse(written.get(1))).containsEntry("requestBody", "{\"b\":2}");
  }

  @Test
  void recordingAfterCloseIsDroppedQuietly() throws Exception {
    JsonLinesInspector sink = EventInspector.jsonLines(dir.resolve("closed.jsonl"));
    sink.close();
    sink.close();

    assertThatCode(() -> sink.record(TestExchanges.exchange(Source.ODP, 202, "{}")))
        .doesNotThrowAnyException();
    assertThat(sink.failures()).isEqualTo(1);
  }

  @Test
  void openingAnUnwritablePathFailsLoudly() {
    assertThatThrownBy(() -> EventInspector.jsonLines(dir)).isInstanceOf(IOException.class);
  }

  /** Writes to memory; can be told to fail the next write halfway, like a disk filling up. */
  static final class FlakyStream extends OutputStream {
    private final StringBuilder content = new StringBuilder();
    boolean failNext;

    @Override
    public void write(int b) {
      content.append((char) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (failNext) {
        failNext = false;
        content.append(new String(b, off, len / 2, StandardCharsets.UTF_8));
        throw new IOException("No space left on device");
      }
      content.append(new String(b, off, len, StandardCharsets.UTF_8));
    }

    String content() {
      return content.toString();
    }
  }
}
