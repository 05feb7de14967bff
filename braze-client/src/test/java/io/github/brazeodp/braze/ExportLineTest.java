package io.github.brazeodp.braze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExportLineTest {
  private static ExportUserStream open(String text, ExportReadOptions options) {
    return ExportUserStream.open(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "users.txt", options);
  }

  private static String scan(String json) {
    return LineScan.topLevelString(json.getBytes(StandardCharsets.UTF_8), "braze_id");
  }

  @Test
  void linesComeUnparsedWithPositionsAndParseOnDemand() {
    String text =
        "{\"braze_id\":\"b1\",\"email\":\"a@example.com\"}\n\n"
            + "   \n{\"external_id\":\"u2\",\"braze_id\":\"b2\"}\n";
    try (ExportUserStream stream = open(text, ExportReadOptions.defaults())) {
      ExportLine first = stream.nextLine();
      ExportLine second = stream.nextLine();
      assertThat(stream.nextLine()).isNull();
      assertThat(first.position()).isEqualTo(new ExportPosition(0, "users.txt", 1));
      assertThat(second.position()).isEqualTo(new ExportPosition(0, "users.txt", 4));
      assertThat(first.brazeId()).isEqualTo("b1");
      assertThat(second.brazeId()).isEqualTo("b2");
      assertThat(first.user().email()).isEqualTo("a@example.com");
      assertThat(second.user().externalId()).isEqualTo("u2");
      assertThat(stream.usersRead()).isEqualTo(2);
    }
  }

  @Test
  void linesOfOneStreamParseOnSeveralThreadsAtOnce() throws Exception {
    // Non-ASCII names make every decode long enough for two threads to overlap in it; one decoder
    // shared by the stream failed here with "Current state = FLUSHED".
    int n = 20_000;
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < n; i++) {
      text.append("{\"braze_id\":\"b")
          .append(i)
          .append("\",\"first_name\":\"Zo\u00eb-")
          .append("\u00e9".repeat(i % 40))
          .append("\"}\n");
    }
    // One line in 1,000 is not valid UTF-8: reported and counted once, whichever thread parses it.
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    List<Integer> broken = new ArrayList<>();
    int line = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 'Z' && line % 1_000 == 7) {
        bytes[i] = (byte) 0xFF;
        broken.add(line);
      }
      if (bytes[i] == '\n') {
        line++;
      }
    }
    AtomicInteger reported = new AtomicInteger();
    List<ExportLine> lines = new ArrayList<>();
    try (ExportUserStream stream =
        ExportUserStream.open(
            new ByteArrayInputStream(bytes),
            "users.txt",
            ExportReadOptions.defaults().skipMalformed(e -> reported.incrementAndGet()))) {
      for (ExportLine l = stream.nextLine(); l != null; l = stream.nextLine()) {
        lines.add(l);
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int from = t;
          parts.add(
              pool.submit(
                  () -> {
                    for (int i = from; i < n; i += 4) {
                      lines.get(i).user();
                    }
                  }));
        }
        for (Future<?> part : parts) {
          part.get();
        }
      } finally {
        pool.shutdownNow();
      }
      for (int i = 0; i < n; i++) {
        ExportedUser u = lines.get(i).user();
        if (broken.contains(i)) {
          assertThat(u).as("line %d", i + 1).isNull();
        } else {
          assertThat(u.brazeId()).isEqualTo("b" + i);
          assertThat(u.firstName()).isEqualTo("Zo\u00eb-" + "\u00e9".repeat(i % 40));
        }
      }
      assertThat(reported).hasValue(broken.size());
      assertThat(stream.malformedLines()).isEqualTo(broken.size());
    }
  }

  @Test
  void theScanSkipsNestedValuesAndGivesUpOnWhatOnlyTheParserReads() {
    assertThat(
            scan(
                "{\"custom_attributes\":{\"braze_id\":\"nested\",\"a\":[1,{\"b\":\"}\"}]},"
                    + "\"n\":-1.5e3,\"t\":true,\"s\":\"x\\\"braze_id\\\":\\\"q\",\"braze_id\":\"top\"}"))
        .isEqualTo("top");
    assertThat(scan(" { \"braze_id\" : \"spaced\" } ")).isEqualTo("spaced");
    assertThat(scan("{\"braze_id\":\"\u00e9t\u00e9\"}")).isEqualTo("\u00e9t\u00e9");
    assertThat(scan("{\"braze_id\":\"with\\\"escape\"}")).isNull();
    assertThat(scan("{\"braze\\u005fid\":\"escaped-key\"}")).isNull();
    assertThat(scan("{\"braze_id\":null}")).isNull();
    assertThat(scan("{\"braze_id\":42}")).isNull();
    assertThat(scan("{\"email\":\"a@example.com\"}")).isNull();
    assertThat(scan("[\"braze_id\",\"b1\"]")).isNull();
    assertThat(scan("{\"email\":\"unterminated}")).isNull();
    assertThat(scan("{\"a\":{\"b\":1}")).isNull();
    assertThat(scan("")).isNull();
  }

  @Test
  void theDigestFollowsTheBytesAndTheSeed() {
    String text = "{\"braze_id\":\"b1\",\"home_city\":\"Chicago\"}\n";
    String changed = "{\"braze_id\":\"b1\",\"home_city\":\"Chicagp\"}\n";
    long a;
    long b;
    long c;
    try (ExportUserStream s = open(text + text + changed, ExportReadOptions.defaults())) {
      a = s.nextLine().digest(7);
      b = s.nextLine().digest(7);
      c = s.nextLine().digest(7);
    }
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    try (ExportUserStream s = open(text, ExportReadOptions.defaults())) {
      assertThat(s.nextLine().digest(8)).isNotEqualTo(a);
    }
    // Every tail length (0-15 bytes past the 16-byte blocks) reaches the digest.
    List<Long> digests = new ArrayList<>();
    for (int n = 0; n < 40; n++) {
      byte[] bytes = "x".repeat(n).getBytes(StandardCharsets.US_ASCII);
      digests.add(LineScan.murmur64(bytes, 0));
      if (n > 0) {
        bytes[n - 1] = 'y';
        assertThat(LineScan.murmur64(bytes, 0)).isNotEqualTo(digests.get(n));
      }
    }
    assertThat(digests).doesNotHaveDuplicates();
  }

  @Test
  void malformedLinesSurfaceWhenParsedThroughTheSameHandler() {
    String text = "{\"braze_id\":\"b1\"}\nnot json\n{\"braze_id\":\"b3\"}\n";
    List<ExportParseException> seen = new ArrayList<>();
    try (ExportUserStream s = open(text, ExportReadOptions.defaults().skipMalformed(seen::add))) {
      assertThat(s.nextLine().user().brazeId()).isEqualTo("b1");
      ExportLine bad = s.nextLine();
      assertThat(bad.brazeId()).isNull();
      assertThat(bad.user()).isNull();
      assertThat(bad.user()).isNull();
      assertThat(s.nextLine().user().brazeId()).isEqualTo("b3");
      assertThat(s.malformedLines()).isEqualTo(1);
    }
    assertThat(seen).singleElement().satisfies(e -> assertThat(e.line()).isEqualTo(2));
    try (ExportUserStream s = open(text, ExportReadOptions.defaults())) {
      s.nextLine();
      ExportLine bad = s.nextLine();
      assertThatThrownBy(bad::user)
          .isInstanceOf(ExportParseException.class)
          .hasMessageContaining("users.txt:2");
    }
  }

  @Test
  void invalidUtf8IsMalformedOnParseNeverReplaced() {
    byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}', '\n'};
    List<ExportParseException> seen = new ArrayList<>();
    try (ExportUserStream s =
        ExportUserStream.open(
            new ByteArrayInputStream(bytes),
            "u.txt",
            ExportReadOptions.defaults().skipMalformed(seen::add))) {
      assertThat(s.nextLine().user()).isNull();
    }
    assertThat(seen).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("UTF-8"));
  }

  @Test
  void nextLineRefusesToMixWithAUserReadAhead() {
    try (ExportUserStream s = open("{\"braze_id\":\"b1\"}\n", ExportReadOptions.defaults())) {
      assertThat(s.hasNext()).isTrue();
      assertThatThrownBy(s::nextLine).isInstanceOf(IllegalStateException.class);
    }
  }
}
