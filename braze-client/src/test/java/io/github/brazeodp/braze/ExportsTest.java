package io.github.brazeodp.braze;

import static io.github.brazeodp.braze.TestSupport.fixture;
import static io.github.brazeodp.braze.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class ExportsTest {
  @StartStop final MockWebServer server = new MockWebServer();

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(TestSupport.START);
  private final TestSupport.RecordingSleeper sleeper = new TestSupport.RecordingSleeper(clock);

  static String userLine(int i) {
    return "{\"external_id\":\"u"
        + i
        + "\",\"braze_id\":\"b"
        + i
        + "\",\"email\":\"user"
        + i
        + "@example.com\",\"custom_attributes\":{\"tier\":\"gold\"},"
        + "\"custom_events\":[{\"name\":\"opened\",\"first\":\"2026-01-01T00:00:00.000Z\","
        + "\"last\":\"2026-11-01T00:00:00.000Z\",\"count\":3}]}";
  }

  /** A ZIP of {@code files} newline-delimited JSON files of {@code perFile} users each. */
  static byte[] zip(int files, int perFile) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      int n = 0;
      for (int f = 0; f < files; f++) {
        zip.putNextEntry(new ZipEntry("segment-export/part-" + f + ".txt"));
        for (int i = 0; i < perFile; i++) {
          zip.write((userLine(n++) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private BrazeClient client() {
    return TestSupport.client(server, clock, sleeper).build();
  }

  private ExportJob started(BrazeClient braze) {
    return braze.exports().resume("seg-1", "prefix-1", server.url("/exports/seg-1.zip").toString());
  }

  @Test
  void startSendsTheRequestAndReturnsTheJob() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(201)
            .body(
                "{\"message\":\"success\",\"object_prefix\":\"bb8e2a91-1464728599\","
                    + "\"url\":\"https://example-bucket.s3.amazonaws.com/x.zip?sig=secret\"}")
            .build());
    try (BrazeClient braze = client()) {
      ExportJob job =
          braze
              .exports()
              .segment(
                  ExportSegmentRequest.of("seg-1", List.of("braze_id", "email", "custom_events"))
                      .withCallback("https://hooks.example.com/braze"));
      assertThat(job.objectPrefix()).isEqualTo("bb8e2a91-1464728599");
      assertThat(job.url()).contains("https://example-bucket.s3.amazonaws.com/x.zip?sig=secret");
    }
    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo("/users/export/segment");
    assertThat(json(request.getBody().utf8()))
        .isEqualTo(
            json(
                "{\"segment_id\":\"seg-1\",\"callback_endpoint\":\"https://hooks.example.com/braze\","
                    + "\"fields_to_export\":[\"braze_id\",\"email\",\"custom_events\"]}"));
  }

  @Test
  void documentedRequestFixturesAreValidRequests() throws Exception {
    Object doc = json(fixture("braze/users_export_segment_request_2.json"));
    assertThat(doc.toString()).contains("custom_attributes_to_export");
    assertThatThrownBy(() -> ExportSegmentRequest.of("seg", List.of("email", "shoe_size")))
        .hasMessageContaining("fields_to_export[1] is not a field Braze exports: \"shoe_size\"");
    assertThatThrownBy(() -> ExportSegmentRequest.of("seg", List.of()))
        .hasMessageContaining("fields_to_export is required");
  }

  @Test
  void streamsEveryUserOfAMultiFileZipWithPositions() throws Exception {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(zip(3, 4))).build());
    try (BrazeClient braze = client();
        ExportUserStream users = started(braze).openUsers()) {
      List<String> ids = new ArrayList<>();
      List<String> positions = new ArrayList<>();
      while (users.hasNext()) {
        ExportedUser u = users.next();
        ids.add(u.externalId());
        positions.add(users.position().toString());
      }
      assertThat(ids).hasSize(12).startsWith("u0", "u1").endsWith("u11");
      assertThat(positions.get(0)).isEqualTo("segment-export/part-0.txt:1");
      assertThat(positions.get(11)).isEqualTo("segment-export/part-2.txt:4");
      assertThat(users.usersRead()).isEqualTo(12);
    }
    RecordedRequest download = server.takeRequest();
    assertThat(download.getHeaders().get("Authorization"))
        .as("the API key never goes to storage URLs")
        .isNull();
  }

  @Test
  void exportedUserFieldsAreRead() throws Exception {
    String line = fixture("braze/users_export_segment_response_1.json").replace("\n", " ");
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(gzip(line + "\n"))).build());
    try (BrazeClient braze = client();
        ExportUserStream users = started(braze).openUsers()) {
      ExportedUser u = users.next();
      assertThat(u.externalId()).isEqualTo("A8i3mkd99");
      assertThat(u.brazeId()).isEqualTo("5fbd99bac125ca40511f2cb1");
      assertThat(u.email()).isEqualTo("example@braze.com");
      assertThat(u.dob()).isEqualTo("1980-12-21");
      assertThat(u.field("home_city")).isEqualTo("Chicago");
      assertThat(u.field("loyaltyPointsNumber")).isEqualTo(107.0);
      assertThat(u.customEvents())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.name()).isEqualTo("Loyalty Acknowledgement");
                assertThat(e.count()).isEqualTo(1L);
              });
      assertThat(u.userAliases()).containsExactly(new UserAlias("user_123", "amplitude_id"));
      assertThat(users.hasNext()).isFalse();
    }
  }

  @Test
  void gzipAndPlainBodiesAndGzippedZipEntriesAreRead() throws Exception {
    String text = userLine(1) + "\n\n" + userLine(2) + "\n";
    assertThat(
            ExportUserStream.open(
                    new ByteArrayInputStream(gzip(text)), "a.json.gz", ExportReadOptions.defaults())
                .stream()
                .map(ExportedUser::externalId)
                .collect(Collectors.toList()))
        .containsExactly("u1", "u2");
    assertThat(
            ExportUserStream.open(
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                    "a.json",
                    ExportReadOptions.defaults())
                .stream()
                .count())
        .isEqualTo(2);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("nested/"));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("nested/one.json.gz"));
      zip.write(gzip(text));
      zip.closeEntry();
    }
    try (ExportUserStream users =
        ExportUserStream.open(
            new ByteArrayInputStream(bytes.toByteArray()), "x", ExportReadOptions.defaults())) {
      assertThat(users.stream().count()).isEqualTo(2);
    }
  }

  @Test
  void anEmptySegmentYieldsNoUsers() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new ZipOutputStream(bytes).close();
    server.enqueue(
        new MockResponse.Builder().body(new Buffer().write(bytes.toByteArray())).build());
    try (BrazeClient braze = client();
        ExportUserStream users = started(braze).openUsers()) {
      assertThat(users.hasNext()).isFalse();
      assertThat(users.usersRead()).isZero();
    }
  }

  @Test
  void aMalformedLineFailsWithFileAndLineOrIsSkippedAndCounted() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("f0.txt"));
      zip.write(
          (userLine(0) + "\n{\"external_id\": oops\n" + userLine(2) + "\n")
              .getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    byte[] archive = bytes.toByteArray();

    try (ExportUserStream users =
        ExportUserStream.open(
            new ByteArrayInputStream(archive), "x", ExportReadOptions.defaults())) {
      assertThat(users.next().externalId()).isEqualTo("u0");
      assertThatThrownBy(users::next)
          .isInstanceOfSatisfying(
              ExportParseException.class,
              e -> {
                assertThat(e.fileName()).isEqualTo("f0.txt");
                assertThat(e.line()).isEqualTo(2);
                assertThat(e.getMessage()).startsWith("f0.txt:2: ");
              });
    }

    List<ExportParseException> skipped = new ArrayList<>();
    try (ExportUserStream users =
        ExportUserStream.open(
            new ByteArrayInputStream(archive),
            "x",
            ExportReadOptions.defaults().skipMalformed(skipped::add))) {
      assertThat(users.stream().map(ExportedUser::externalId)).containsExactly("u0", "u2");
      assertThat(users.malformedLines()).isEqualTo(1);
    }
    assertThat(skipped).extracting(ExportParseException::line).containsExactly(2L);
  }

  @Test
  void resumeSkipsEverythingUpToTheCheckpoint() throws Exception {
    byte[] archive = zip(3, 4);
    ExportReadOptions resume =
        ExportReadOptions.defaults()
            .resumeAfter(new ExportPosition(1, "segment-export/part-1.txt", 2));
    try (ExportUserStream users =
        ExportUserStream.open(new ByteArrayInputStream(archive), "x", resume)) {
      assertThat(users.stream().map(ExportedUser::externalId))
          .containsExactly("u6", "u7", "u8", "u9", "u10", "u11");
    }
    ExportReadOptions wrongFile =
        ExportReadOptions.defaults().resumeAfter(new ExportPosition(1, "other.txt", 2));
    try (ExportUserStream users =
        ExportUserStream.open(new ByteArrayInputStream(archive), "x", wrongFile)) {
      assertThatThrownBy(users::hasNext).hasMessageContaining("request a new export");
    }
  }

  @Test
  void aDownloadBrokenMidStreamIsReopenedAndResumed() throws Exception {
    byte[] archive = zip(2, 500);
    // The first response ends abruptly halfway through; the second is whole.
    server.enqueue(
        new MockResponse.Builder()
            .body(new Buffer().write(archive))
            .onResponseBody(mockwebserver3.SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(archive)).build());
    try (BrazeClient braze = client();
        ExportUserStream users = started(braze).openUsers()) {
      List<String> ids = users.stream().map(ExportedUser::externalId).collect(Collectors.toList());
      assertThat(ids).hasSize(1000).doesNotHaveDuplicates();
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void awaitReadyPollsWithBackoffUntilTheArchiveIsThere() throws Exception {
    server.enqueue(
        new MockResponse.Builder().code(403).body("<Error>AccessDenied</Error>").build());
    server.enqueue(new MockResponse.Builder().code(404).build());
    server.enqueue(new MockResponse.Builder().code(206).body("P").build());
    try (BrazeClient braze = client()) {
      started(braze).awaitReady(TestSupport.START.plus(Duration.ofMinutes(10)));
    }
    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(5), Duration.ofMillis(7500));
    assertThat(server.takeRequest().getHeaders().get("Range")).isEqualTo("bytes=0-0");
  }

  @Test
  void awaitReadyGivesUpAtTheDeadline() {
    for (int i = 0; i < 10; i++) {
      server.enqueue(new MockResponse.Builder().code(404).build());
    }
    try (BrazeClient braze = client()) {
      ExportJob job = started(braze);
      assertThatThrownBy(() -> job.awaitReady(TestSupport.START.plusSeconds(20)))
          .isInstanceOfSatisfying(
              BrazeExportException.class, e -> assertThat(e.status()).isEqualTo(404))
          .hasMessageContaining("was not ready by");
    }
    assertThat(clock.instant()).isEqualTo(TestSupport.START.plusSeconds(20));
  }

  @Test
  void ownBucketExportsHaveNoUrlAndSaySo() {
    try (BrazeClient braze = client()) {
      ExportJob job = braze.exports().resume("seg-1", "prefix-1", null);
      assertThat(job.url()).isEmpty();
      assertThatThrownBy(job::openUsers).hasMessageContaining("own storage bucket");
    }
  }

  @Test
  void secondExportOfTheSameSegmentSurfacesAs429AfterRetries() {
    for (int i = 0; i < 2; i++) {
      server.enqueue(
          new MockResponse.Builder()
              .code(429)
              .body("{\"message\":\"An export for this segment is already in progress\"}")
              .build());
    }
    try (BrazeClient braze =
        TestSupport.client(server, clock, sleeper)
            .retry(RetrySettings.builder().maxAttempts(2).build())
            .build()) {
      assertThatThrownBy(
              () -> braze.exports().segment(ExportSegmentRequest.of("seg-1", List.of("email"))))
          .isInstanceOf(BrazeRateLimitException.class)
          .hasMessageContaining("already in progress");
    }
  }

  @Test
  void cancelAndCallbackParsing() throws Exception {
    server.enqueue(new MockResponse.Builder().body("{\"message\":\"success\"}").build());
    try (BrazeClient braze = client()) {
      braze.exports().cancelSegment("seg-9");
      ExportCallback callback =
          braze
              .exports()
              .parseCallback(
                  "{\"success\":true,\"url\":\"https://bucket/x.zip\",\"segment_id\":\"s\"}");
      assertThat(callback.success()).isTrue();
      assertThat(callback.url()).isEqualTo("https://bucket/x.zip");
      assertThat(callback.other()).containsEntry("segment_id", "s");
    }
    RecordedRequest request = server.takeRequest();
    assertThat(request.getTarget()).isEqualTo("/export/segment/cancel");
    assertThat(json(request.getBody().utf8())).isEqualTo(json("{\"segment_id\":\"seg-9\"}"));
    assertThatThrownBy(() -> ExportCallback.parse("[1]"))
        .isInstanceOf(BrazeDecodingException.class);
  }
}
