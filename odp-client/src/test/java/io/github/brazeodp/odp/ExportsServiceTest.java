package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import okio.BufferedSink;
import okio.GzipSink;
import okio.Okio;
import org.junit.jupiter.api.Test;

class ExportsServiceTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  private String job(String state, String... urls) {
    String list =
        Stream.of(urls).map(u -> "\"" + u + "\"").collect(Collectors.joining(",", "[", "]"));
    return "{\"id\":\"job-1\",\"path\":\"s3://zaius-outgoing/t/data-exports/job-1\","
        + "\"state\":\""
        + state
        + "\",\"exportRowCount\":3,\"requestedAt\":\"2018-09-11T02:07:10.000Z\","
        + "\"presignedUrls\":"
        + list
        + ",\"format\":\"csv\",\"delimiter\":\"comma\",\"childErrors\":[],\"trackerId\":\"t\"}";
  }

  private static Buffer gzip(String text) throws IOException {
    Buffer out = new Buffer();
    try (BufferedSink sink = Okio.buffer(new GzipSink(out))) {
      sink.writeUtf8(text);
    }
    return out;
  }

  @Test
  void segmentMembersStartsPollsAndStreamsGzippedAndPlainFiles() throws Exception {
    String gz = server.url("/files/has_email_0_0_0.csv.gz?X-Amz-Signature=abc").toString();
    String plain = server.url("/files/has_email_0_0_1.csv").toString();
    server.enqueue(json(200, job("pending")));
    server.enqueue(json(200, job("running")));
    server.enqueue(json(200, job("completed", gz, plain)));
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", "application/x-gzip")
            .body(
                gzip(
                    "customer.email,customer.zaius_id,qualifications\r\n"
                        + "a@b.c,z1,has_email\r\n"
                        + "\"d,\"\"quoted\"\"@e.f\",z2,\"line\nbreak\"\r\n"))
            .build());
    server.enqueue(
        new MockResponse.Builder()
            .body("customer.email,customer.zaius_id,qualifications\ng@h.i,z3,has_email\n")
            .build());

    List<ExportRow> rows;
    try (ExportRows export =
        t.client()
            .exports()
            .segmentMembers(
                List.of("has_email"),
                List.of("customer.email", "customer.zaius_id", "qualifications"))) {
      assertThat(export.job().state()).isEqualTo(ExportState.COMPLETED);
      rows = export.stream().collect(Collectors.toList());
    }

    assertThat(rows)
        .extracting(r -> r.get("customer.email"))
        .containsExactly("a@b.c", "d,\"quoted\"@e.f", "g@h.i");
    assertThat(rows.get(1).get("qualifications")).isEqualTo("line\nbreak");
    assertThat(rows).extracting(ExportRow::fileIndex).containsExactly(0, 0, 1);
    assertThat(rows).extracting(ExportRow::rowNumber).containsExactly(1L, 2L, 1L);
    assertThatThrownBy(() -> rows.get(0).get("email"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No column 'email'");

    RecordedRequest start = t.take();
    assertThat(start.getMethod()).isEqualTo("POST");
    assertThat(start.getTarget()).isEqualTo("/v3/export-segment-members");
    assertThat(start.getHeaders().get("x-api-key")).isEqualTo(TestSupport.KEY);
    assertThat(start.getBody().utf8())
        .isEqualTo(
            "{\"format\":\"csv\",\"delimiter\":\"comma\",\"select\":{\"segments\":[\"has_email\"],"
                + "\"fields\":[\"customer.email\",\"customer.zaius_id\",\"qualifications\"]}}");
    RecordedRequest poll = t.take();
    assertThat(poll.getMethod()).isEqualTo("GET");
    assertThat(poll.getTarget()).isEqualTo("/v3/export-segment-members/job-1");
    t.take();
    RecordedRequest download = t.take();
    assertThat(download.getTarget()).startsWith("/files/has_email_0_0_0.csv.gz");
    // Presigned URLs are not ODP: the key must never travel there.
    assertThat(download.getHeaders().get("x-api-key")).isNull();
    assertThat(t.take().getHeaders().get("x-api-key")).isNull();
    // Poll waits double from 5 s: 5 s before the first poll, 10 s before the second.
    assertThat(t.sleeper.sleeps()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10));
    OdpExchange fileExchange =
        t.exchanges.stream()
            .filter(e -> e.endpoint().equals("export-files"))
            .findFirst()
            .orElseThrow();
    assertThat(fileExchange.url()).doesNotContain("X-Amz-Signature").endsWith("?[REDACTED]");
    assertThat(fileExchange.responseBody()).isNull();
  }

  @Test
  void rowsAreReadLazilyOneFileAtATime() throws Exception {
    String a = server.url("/files/a.csv").toString();
    String b = server.url("/files/b.csv").toString();
    server.enqueue(json(200, job("completed", a, b)));
    server.enqueue(new MockResponse.Builder().body("x\n1\n2\n").build());
    server.enqueue(new MockResponse.Builder().body("x\n3\n").build());

    ExportJob done = t.client().exports().status("job-1");
    try (ExportRows rows = t.client().exports().open(done)) {
      Iterator<ExportRow> it = rows.iterator();
      assertThat(server.getRequestCount()).isEqualTo(1);
      assertThat(it.next().get("x")).isEqualTo("1");
      assertThat(server.getRequestCount()).isEqualTo(2);
      assertThat(it.next().get("x")).isEqualTo("2");
      assertThat(it.next().get("x")).isEqualTo("3");
      assertThat(server.getRequestCount()).isEqualTo(3);
      assertThat(it.hasNext()).isFalse();
      assertThatThrownBy(rows::iterator).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void completedWithErrorsSurfacesChildErrors() {
    server.enqueue(
        json(
            200,
            job("completed_with_errors")
                .replace("\"childErrors\":[]", "\"childErrors\":[\"segment vip failed\"]")));

    assertThatThrownBy(() -> t.client().exports().await(t.client().exports().status("job-1")))
        .isInstanceOfSatisfying(
            OdpExportException.class,
            e -> {
              assertThat(e.getMessage()).contains("job-1", "segment vip failed");
              assertThat(e.job().childErrors()).containsExactly("segment vip failed");
            });
  }

  @Test
  void awaitGivesUpAfterTheTimeout() {
    for (int i = 0; i < 10; i++) {
      server.enqueue(json(200, job("running")));
    }
    OdpClient client =
        t.builder()
            .exportPolling(
                new ExportPolling(
                    Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)))
            .build();
    ExportJob running = client.exports().status("job-1");

    assertThatThrownBy(() -> client.exports().await(running))
        .isInstanceOf(OdpExportException.class)
        .hasMessageContaining("did not complete within PT30S");
    // 5 + 10 + 10 = 25 s; one more 10 s wait would pass 30 s.
    assertThat(t.sleeper.sleeps())
        .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10));
  }

  @Test
  void unknownStatesAreReadAsUnknownAndNonHttpsFileUrlsAreRefused() {
    server.enqueue(json(200, job("archived")));
    assertThat(t.client().exports().status("job-1").state()).isEqualTo(ExportState.UNKNOWN);

    ExportJob insecure =
        new ExportJob(
            "j",
            null,
            ExportState.COMPLETED,
            null,
            null,
            null,
            null,
            List.of("http://s3.example.com/f.csv"),
            "csv",
            ExportDelimiter.COMMA,
            null);
    assertThatThrownBy(() -> t.client().exports().open(insecure))
        .isInstanceOf(OdpExportException.class)
        .hasMessageContaining("not https");
    assertThat(insecure.toString()).doesNotContain("s3.example.com");
  }

  @Test
  void exportRequestsAreValidated() {
    assertThatThrownBy(() -> SegmentExportRequest.of(List.of(), List.of("*")))
        .hasMessage("segments: at least one is required");
    assertThatThrownBy(
            () ->
                new SegmentExportRequest(
                    List.of("s"), List.of("*"), ExportDelimiter.TAB, Duration.ofMinutes(5)))
        .hasMessageStartingWith("maxDelay: must be at least PT1H");
  }
}
