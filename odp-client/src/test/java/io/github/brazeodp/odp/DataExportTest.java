package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class DataExportTest {
  private static final String BUSY =
      "{\"title\":\"Unprocessable Entity\",\"status\":422,\"timestamp\":\"2018-09-11T02:07:10.000Z\","
          + "\"detail\":{\"message\":\"Unable to process request.  The following object(s) are"
          + " currently being exported: events.\"}}";

  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  private static String job(String state, String url, String errors) {
    return "{\"id\":\"job-7\",\"path\":\"s3://zaius-outgoing/t/data-exports/job-7\",\"state\":\""
        + state
        + "\",\"exportType\":\"data\",\"requestedAt\":\"2018-09-11T02:07:10.000Z\","
        + "\"presignedUrls\":"
        + (url == null ? "[]" : "[\"" + url + "\"]")
        + ",\"format\":\"csv\",\"delimiter\":\"comma\",\"childErrors\":"
        + errors
        + "}";
  }

  private static ExportFilter purchases() {
    return ExportFilter.and(
        ExportFilter.clause("event_type", ExportFilter.Operator.EQUALS, "order"),
        ExportFilter.or(
            ExportFilter.clause("action", ExportFilter.Operator.EQUALS, "purchase"),
            ExportFilter.clause("action", ExportFilter.Operator.EQUALS, "refund")),
        ExportFilter.clause("ts", ExportFilter.Operator.GREATER_THAN_OR_EQUAL, 1733500000));
  }

  @Test
  void dataExportSendsTypedFilterAndSortsThenStreamsRows() throws Exception {
    String file = server.url("/files/events_0.csv").toString();
    server.enqueue(json(200, job("pending", null, "[]")));
    server.enqueue(json(200, job("completed", file, "[]")));
    server.enqueue(
        new MockResponse.Builder()
            .body("event_type,action,ts,order_id\norder,purchase,1733500001,o-1\n")
            .build());

    List<ExportRow> rows;
    try (ExportRows export =
        t.client()
            .exports()
            .data(
                DataExportRequest.of("events", List.of("*"), purchases())
                    .sortedBy(ExportSort.ascending("ts")))) {
      rows = export.stream().collect(Collectors.toList());
    }

    assertThat(rows).extracting(r -> r.get("order_id")).containsExactly("o-1");
    RecordedRequest start = t.take();
    assertThat(start.getMethod()).isEqualTo("POST");
    assertThat(start.getTarget()).isEqualTo("/v3/exports");
    assertThat(start.getBody().utf8())
        .isEqualTo(
            "{\"format\":\"csv\",\"delimiter\":\"comma\",\"select\":{\"object\":\"events\","
                + "\"fields\":[\"*\"],\"filter\":{\"and\":["
                + "{\"field\":\"event_type\",\"operator\":\"=\",\"value\":\"order\"},"
                + "{\"or\":[{\"field\":\"action\",\"operator\":\"=\",\"value\":\"purchase\"},"
                + "{\"field\":\"action\",\"operator\":\"=\",\"value\":\"refund\"}]},"
                + "{\"field\":\"ts\",\"operator\":\">=\",\"value\":1733500000}]},"
                + "\"sorts\":[{\"field\":\"ts\",\"order\":\"asc\"}]}}");
    RecordedRequest poll = t.take();
    assertThat(poll.getMethod()).isEqualTo("GET");
    assertThat(poll.getTarget()).isEqualTo("/v3/exports/job-7");
  }

  @Test
  void busyObjectAnswer422WaitsAndAsksAgain() throws Exception {
    String file = server.url("/files/events_0.csv").toString();
    server.enqueue(json(422, BUSY));
    server.enqueue(json(422, BUSY));
    server.enqueue(json(200, job("completed", file, "[]")));
    server.enqueue(new MockResponse.Builder().body("event_type\norder\n").build());

    try (ExportRows export =
        t.client().exports().data(DataExportRequest.of("events", List.of("event_type"), null))) {
      assertThat(export.stream().count()).isEqualTo(1);
    }

    assertThat(t.take().getTarget()).isEqualTo("/v3/exports");
    assertThat(t.take().getTarget()).isEqualTo("/v3/exports");
    RecordedRequest third = t.take();
    assertThat(third.getTarget()).isEqualTo("/v3/exports");
    assertThat(third.getBody().utf8()).doesNotContain("\"filter\"");
    assertThat(t.sleeper.sleeps()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @Test
  void busyBeyondThePollingTimeoutIsAnExportError() {
    for (int i = 0; i < 4; i++) {
      server.enqueue(json(422, BUSY));
    }
    OdpClient client =
        t.builder()
            .exportPolling(
                new ExportPolling(
                    Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(12)))
            .build();

    assertThatThrownBy(
            () -> client.exports().startData(DataExportRequest.of("events", List.of("*"), null)))
        .isInstanceOf(OdpExportException.class)
        .hasMessageContaining("422")
        .hasMessageContaining("currently being exported: events");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void other4xxIsNotRetried() {
    server.enqueue(
        json(
            404,
            "{\"title\":\"Not Found\",\"status\":404,\"detail\":{\"message\":\"Unable to locate"
                + " field events.nope.\"}}"));

    assertThatThrownBy(
            () ->
                t.client()
                    .exports()
                    .startData(DataExportRequest.of("events", List.of("nope"), null)))
        .isInstanceOf(OdpNotFoundException.class)
        .hasMessageContaining("events.nope");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void completedWithErrorsIsSurfacedWithTheChildErrors() {
    server.enqueue(json(200, job("running", null, "[]")));
    server.enqueue(json(200, job("completed_with_errors", null, "[\"part 3: S3 write failed\"]")));

    assertThatThrownBy(
            () -> t.client().exports().data(DataExportRequest.of("events", List.of("*"), null)))
        .isInstanceOfSatisfying(
            OdpExportException.class,
            e -> assertThat(e.job().childErrors()).containsExactly("part 3: S3 write failed"))
        .hasMessageContaining("completed with errors: part 3: S3 write failed");
  }

  @Test
  void badFilterInputNamesTheField() {
    assertThatThrownBy(() -> ExportFilter.clause("ts", ExportFilter.Operator.EQUALS, List.of(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("filter.value of ts");
    assertThatThrownBy(() -> ExportFilter.and())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("filter.and");
    assertThatThrownBy(() -> DataExportRequest.of("events", List.of(" "), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fields[0]");
  }
}
