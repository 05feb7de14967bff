package io.github.brazeodp.braze;

import static io.github.brazeodp.braze.ExportsTest.userLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class BoundedExportReadingTest {
  @StartStop final MockWebServer server = new MockWebServer();

  private static final ExportLimits SMALL_LINES = ExportLimits.defaults().withMaxLineBytes(1024);

  private static ExportUserStream open(InputStream in, String name, ExportReadOptions options) {
    return ExportUserStream.open(in, name, options);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void anOverLongLineIsMalformedLocatedAndSkippedWithoutStoppingTheRead() {
    String longLine = "{\"external_id\":\"" + "x".repeat(5000) + "\"}";
    byte[] text = bytes(userLine(0) + "\n" + longLine + "\n" + userLine(2) + "\n");
    List<ExportParseException> problems = new ArrayList<>();
    try (ExportUserStream users =
        open(
            new ByteArrayInputStream(text),
            "users.ndjson",
            ExportReadOptions.defaults().limits(SMALL_LINES).skipMalformed(problems::add))) {
      assertThat(users.stream().map(ExportedUser::externalId)).containsExactly("u0", "u2");
      assertThat(users.malformedLines()).isEqualTo(1);
      assertThat(users.position()).isEqualTo(new ExportPosition(0, "users.ndjson", 3));
    }
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).fileName()).isEqualTo("users.ndjson");
    assertThat(problems.get(0).line()).isEqualTo(2);
    assertThat(problems.get(0).getMessage())
        .isEqualTo("users.ndjson:2: line longer than 1024 bytes (ExportLimits.maxLineBytes)");
  }

  @Test
  void withoutSkipMalformedAnOverLongLineFailsTheRead() {
    byte[] text = bytes(userLine(0) + "\n" + "y".repeat(2000) + "\n");
    try (ExportUserStream users =
        open(
            new ByteArrayInputStream(text),
            "f.txt",
            ExportReadOptions.defaults().limits(SMALL_LINES))) {
      assertThat(users.next().externalId()).isEqualTo("u0");
      assertThatThrownBy(users::next)
          .isInstanceOf(ExportParseException.class)
          .hasMessage("f.txt:2: line longer than 1024 bytes (ExportLimits.maxLineBytes)");
    }
  }

  @Test
  void invalidUtf8IsMalformedNeverReplaced() {
    byte[] bad =
        concat(
            bytes("{\"external_id\":\"u1\",\"email\":\"b"),
            new byte[] {(byte) 0xC3, '('},
            bytes("@x.com\"}\n"));
    byte[] text = concat(bytes(userLine(0) + "\r\n"), bad, bytes(userLine(2)));
    List<ExportParseException> problems = new ArrayList<>();
    try (ExportUserStream users =
        open(
            new ByteArrayInputStream(text),
            "f.txt",
            ExportReadOptions.defaults().skipMalformed(problems::add))) {
      List<ExportedUser> read = users.stream().toList();
      assertThat(read).extracting(ExportedUser::externalId).containsExactly("u0", "u2");
      assertThat(read).extracting(ExportedUser::email).doesNotContainNull();
      assertThat(users.malformedLines()).isEqualTo(1);
    }
    assertThat(problems)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(2);
              assertThat(e.getMessage()).isEqualTo("f.txt:2: invalid UTF-8 at byte 30 of the line");
            });
  }

  @Test
  void aZipEntryOverTheCompressionRatioRefusesTheExportNamingEntrySizesAndLimit() {
    try (ExportUserStream users =
        open(HostileArchives.zipBomb("bomb.txt", 64), "x.zip", ExportReadOptions.defaults())) {
      assertThatThrownBy(users::hasNext)
          .isInstanceOf(BrazeExportException.class)
          .hasMessageStartingWith(
              "export entry bomb.txt refused as a possible decompression bomb: ")
          .hasMessageContaining(" bytes decompressed from ")
          .hasMessageEndingWith(
              "a compression ratio over the limit of 200 (ExportLimits.maxCompressionRatio)");
    }
  }

  @Test
  void aGzipBombInsideAZipIsRefusedToo() throws IOException {
    try (ExportUserStream users =
        open(
            HostileArchives.gzipBombInZip("part/users.json.gz", 64),
            "x.zip",
            ExportReadOptions.defaults())) {
      assertThatThrownBy(users::hasNext)
          .isInstanceOf(BrazeExportException.class)
          .hasMessageStartingWith("export entry part/users.json.gz refused")
          .hasMessageContaining("compression ratio over the limit of 200");
    }
  }

  @Test
  void aGzipBombServedAsTheWholeExportIsRefusedNamingTheFile() {
    try (ExportUserStream users =
        open(HostileArchives.gzipBomb(64), "export.json.gz", ExportReadOptions.defaults())) {
      assertThatThrownBy(users::hasNext)
          .isInstanceOf(BrazeExportException.class)
          .hasMessageStartingWith("export entry export.json.gz refused")
          .hasMessageContaining("compression ratio over the limit of 200");
    }
  }

  @Test
  void anEntryOverTheSizeLimitIsRefusedEvenWhenStored() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.setLevel(0);
      zip.putNextEntry(new ZipEntry("big.txt"));
      for (int i = 0; i < 2000; i++) {
        zip.write(bytes(userLine(i) + "\n"));
      }
      zip.closeEntry();
    }
    ExportLimits limits = ExportLimits.defaults().withMaxLineBytes(1024).withMaxEntryBytes(100_000);
    try (ExportUserStream users =
        open(
            new ByteArrayInputStream(bytes.toByteArray()),
            "x.zip",
            ExportReadOptions.defaults().limits(limits))) {
      assertThatThrownBy(() -> users.stream().count())
          .isInstanceOf(BrazeExportException.class)
          .hasMessageStartingWith("export entry big.txt refused as a possible decompression bomb")
          .hasMessageEndingWith("more than the limit of 100000 bytes (ExportLimits.maxEntryBytes)");
    }
  }

  @Test
  void aRealisticWellCompressedExportIsNotMistakenForABomb() throws IOException {
    byte[] archive = ExportsTest.zip(2, 20_000);
    try (ExportUserStream users =
        open(new ByteArrayInputStream(archive), "x.zip", ExportReadOptions.defaults())) {
      assertThat(users.stream().count()).isEqualTo(40_000);
    }
  }

  @Test
  void oddEntryNamesAreListedWithReasonsAndNotRead() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String name :
          List.of(
              "../evil.txt",
              "/abs.txt",
              "dir/",
              "notes.csv",
              "data/.hidden.txt",
              "__MACOSX/data/users.txt",
              "data/users.txt")) {
        zip.putNextEntry(new ZipEntry(name));
        if (!name.endsWith("/")) {
          zip.write(bytes(userLine(name.length()) + "\n"));
        }
        zip.closeEntry();
      }
    }
    try (ExportUserStream users =
        open(
            new ByteArrayInputStream(bytes.toByteArray()), "x.zip", ExportReadOptions.defaults())) {
      assertThat(users.stream().map(ExportedUser::externalId)).containsExactly("u14");
      assertThat(users.position().fileIndex()).isZero();
      assertThat(users.skippedEntries())
          .containsExactly(
              new ExportUserStream.SkippedEntry(
                  "../evil.txt", "unsafe path (empty, . or .. segment)"),
              new ExportUserStream.SkippedEntry("/abs.txt", "absolute or non-portable path"),
              new ExportUserStream.SkippedEntry("dir/", "directory"),
              new ExportUserStream.SkippedEntry(
                  "notes.csv", "not a .txt, .json, .jsonl or .ndjson file"),
              new ExportUserStream.SkippedEntry("data/.hidden.txt", "hidden or metadata file"),
              new ExportUserStream.SkippedEntry(
                  "__MACOSX/data/users.txt", "hidden or metadata file"));
    }
  }

  @Test
  void theClientsExportLimitsApplyToDownloadsUnlessTheOptionsSetTheirOwn() throws Exception {
    String text = userLine(0) + "\n" + "{\"external_id\":\"" + "z".repeat(3000) + "\"}\n";
    TestSupport.MutableClock clock = new TestSupport.MutableClock(TestSupport.START);
    try (BrazeClient braze =
        TestSupport.client(server, clock, new TestSupport.RecordingSleeper(clock))
            .exportLimits(SMALL_LINES)
            .build()) {
      ExportJob job =
          braze.exports().resume("seg", "prefix", server.url("/e/users.txt").toString());
      server.enqueue(new MockResponse.Builder().body(new Buffer().writeUtf8(text)).build());
      try (ExportUserStream users =
          job.openUsers(ExportReadOptions.defaults().skipMalformed(e -> {}))) {
        assertThat(users.stream().count()).isEqualTo(1);
        assertThat(users.malformedLines()).isEqualTo(1);
        assertThat(users.limits()).isEqualTo(SMALL_LINES);
      }
      server.enqueue(new MockResponse.Builder().body(new Buffer().writeUtf8(text)).build());
      try (ExportUserStream users =
          job.openUsers(
              ExportReadOptions.defaults()
                  .limits(ExportLimits.defaults())
                  .skipMalformed(e -> {}))) {
        assertThat(users.stream().count()).isEqualTo(2);
        assertThat(users.malformedLines()).isZero();
      }
    }
  }

  @Test
  void limitsNameTheFieldAndValueWhenInvalid() {
    assertThatThrownBy(() -> ExportLimits.defaults().withMaxLineBytes(10))
        .hasMessage("maxLineBytes must be at least 1024, was 10");
    assertThatThrownBy(() -> ExportLimits.defaults().withMaxEntryBytes(2000))
        .hasMessage("maxEntryBytes must be at least maxLineBytes (8388608), was 2000");
    assertThatThrownBy(() -> ExportLimits.defaults().withMaxCompressionRatio(1))
        .hasMessage("maxCompressionRatio must be at least 2, was 1");
  }
}
