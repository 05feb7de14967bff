package io.github.brazeodp.odp;

import com.squareup.moshi.JsonAdapter;
import io.github.brazeodp.odp.internal.ExchangeTag;
import io.github.brazeodp.odp.internal.OdpHttpApi;
import io.github.brazeodp.odp.internal.Wire;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Exports data from ODP: segment members ({@code /v3/export-segment-members}) and objects such as
 * events ({@code /v3/exports}, with a typed {@link ExportFilter}). Either way it starts the job,
 * polls it with backoff, then streams the rows of its CSV files; obtained from {@link
 * OdpClient#exports()}.
 *
 * <p>ODP runs one data export per object at a time and answers a second one with 422 "currently
 * being exported"; {@link #startData} then waits (same backoff as the polls) and asks again, for at
 * most {@link ExportPolling#timeout()}. Nothing was started by a 422, so asking again is safe.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/start-export-job">ODP
 *     start export job</a>
 */
public final class ExportsService {
  private final Transport transport;
  private final OdpHttpApi http;
  private final OkHttpClient downloads;
  private final JsonAdapter<ExportJob> jobAdapter;
  private final ExportPolling polling;

  ExportsService(
      Transport transport,
      OdpHttpApi http,
      OkHttpClient downloads,
      JsonAdapter<ExportJob> jobAdapter,
      ExportPolling polling) {
    this.transport = transport;
    this.http = http;
    this.downloads = downloads;
    this.jobAdapter = jobAdapter;
    this.polling = polling;
  }

  /**
   * Exports the members of {@code segments} with {@code fields} and streams the rows; the one-call
   * form of {@link #start}, {@link #await(ExportJob)} and {@link #open}.
   *
   * @param segments segment names, e.g. {@code has_email}
   * @param fields fields, e.g. {@code customer.email}; {@code ["*"]} for all
   * @return the rows, streamed file by file; close it when done
   * @throws OdpExportException if the job ends {@code completed_with_errors} or times out
   */
  public ExportRows segmentMembers(List<String> segments, List<String> fields) {
    return segmentMembers(SegmentExportRequest.of(segments, fields));
  }

  /**
   * Exports segment members as {@code request} says and streams the rows.
   *
   * @param request what to export
   * @return the rows, streamed file by file; close it when done
   * @throws OdpExportException if the job ends {@code completed_with_errors} or times out
   */
  public ExportRows segmentMembers(SegmentExportRequest request) {
    return open(await(start(request)));
  }

  /**
   * Starts an export job. Not retried once the request may have reached ODP, since a repeat would
   * start a second job.
   */
  public ExportJob start(SegmentExportRequest request) {
    Objects.requireNonNull(request, "request");
    Wire.SegmentExportBody body =
        new Wire.SegmentExportBody(
            "csv",
            request.delimiter().name().toLowerCase(Locale.ROOT),
            new Wire.Select(
                request.segments(),
                request.fields(),
                request.maxDelay() == null ? null : request.maxDelay().toString()));
    return transport.execute(
        OdpApi.EXPORTS,
        false,
        Transport.retrofit(tag -> http.startSegmentExport(body, tag)),
        r -> Transport.decode(OdpApi.EXPORTS, jobAdapter, r));
  }

  /**
   * Exports rows of an object (e.g. {@code events}) as {@code request} says and streams them; the
   * one-call form of {@link #startData}, {@link #awaitData} and {@link #open}.
   *
   * @param request what to export
   * @return the rows, streamed file by file; close it when done
   * @throws OdpExportException if the job ends {@code completed_with_errors}, times out, or ODP
   *     stays busy with another export of the object past the polling timeout
   */
  public ExportRows data(DataExportRequest request) {
    return open(awaitData(startData(request)));
  }

  /**
   * Starts a data export job ({@code POST /v3/exports}). A 422 "currently being exported" answer
   * waits and asks again; other failures are not retried once the request may have reached ODP.
   *
   * @param request what to export
   * @return the started job
   * @throws OdpExportException when ODP is still busy with the object after the polling timeout
   */
  public ExportJob startData(DataExportRequest request) {
    Objects.requireNonNull(request, "request");
    List<Map<String, String>> sorts = new ArrayList<>();
    for (ExportSort sort : request.sorts()) {
      Map<String, String> json = new LinkedHashMap<>();
      json.put("field", sort.field());
      json.put("order", sort.order());
      sorts.add(json);
    }
    Wire.DataExportBody body =
        new Wire.DataExportBody(
            "csv",
            request.delimiter().name().toLowerCase(Locale.ROOT),
            new Wire.DataSelect(
                request.object(),
                request.fields(),
                request.filter() == null ? null : request.filter().toJson(),
                sorts.isEmpty() ? null : sorts));
    Instant deadline = transport.clock().instant().plus(polling.timeout());
    Duration interval = polling.initialInterval();
    while (true) {
      try {
        return transport.execute(
            OdpApi.EXPORTS,
            false,
            Transport.retrofit(tag -> http.startDataExport(body, tag)),
            r -> Transport.decode(OdpApi.EXPORTS, jobAdapter, r));
      } catch (OdpApiException e) {
        if (!isBusy(e)) {
          throw e;
        }
        if (transport.clock().instant().plus(interval).isAfter(deadline)) {
          throw new OdpExportException(
              "ODP kept answering 422 for the "
                  + request.object()
                  + " export for "
                  + polling.timeout()
                  + " (another export of "
                  + request.object()
                  + " is running): "
                  + e.detail(),
              null,
              e);
        }
        transport.sleepFor(OdpApi.EXPORTS, interval);
        interval = min(interval.multipliedBy(2), polling.maxInterval());
      }
    }
  }

  /** ODP's answer while another export of the same object runs. */
  private static boolean isBusy(OdpApiException e) {
    if (e.status() != 422) {
      return false;
    }
    String text = (e.detail() == null ? "" : e.detail()) + " " + (e.body() == null ? "" : e.body());
    return text.toLowerCase(Locale.ROOT).contains("currently being exported");
  }

  /**
   * Returns the current status of a data export job ({@code GET /v3/exports/{id}}).
   *
   * @param jobId the id returned by {@link #startData}
   * @return the job
   */
  public ExportJob dataStatus(String jobId) {
    RowEncoder.requireText("jobId", jobId);
    return transport.execute(
        OdpApi.EXPORTS,
        true,
        Transport.retrofit(tag -> http.dataExportStatus(jobId, tag)),
        r -> Transport.decode(OdpApi.EXPORTS, jobAdapter, r));
  }

  /**
   * Polls a data export job until it completes, like {@link #await(ExportJob)} does for segment
   * exports.
   *
   * @param job the job as returned by {@link #startData}
   * @return the completed job, with its file URLs
   * @throws OdpExportException on {@code completed_with_errors} (with the child errors) or timeout
   */
  public ExportJob awaitData(ExportJob job) {
    return await(job, this::dataStatus);
  }

  /** Returns the current status of a job, with fresh presigned URLs once it has completed. */
  public ExportJob status(String jobId) {
    RowEncoder.requireText("jobId", jobId);
    return transport.execute(
        OdpApi.EXPORTS,
        true,
        Transport.retrofit(tag -> http.segmentExportStatus(jobId, tag)),
        r -> Transport.decode(OdpApi.EXPORTS, jobAdapter, r));
  }

  /**
   * Polls a job until it completes: waits {@link ExportPolling#initialInterval()}, doubling up to
   * {@link ExportPolling#maxInterval()}, for at most {@link ExportPolling#timeout()}.
   *
   * @param job the job as returned by {@link #start}; returned at once if already completed
   * @return the completed job, with its presigned URLs
   * @throws OdpExportException on {@code completed_with_errors} (with the child errors) or timeout
   */
  public ExportJob await(ExportJob job) {
    return await(job, this::status);
  }

  private ExportJob await(ExportJob job, Function<String, ExportJob> status) {
    Objects.requireNonNull(job, "job");
    RowEncoder.requireText("job.id", job.id());
    Instant deadline = transport.clock().instant().plus(polling.timeout());
    Duration interval = polling.initialInterval();
    ExportJob current = job;
    while (!current.state().isTerminal()) {
      Instant now = transport.clock().instant();
      if (now.plus(interval).isAfter(deadline)) {
        throw new OdpExportException(
            "ODP export job "
                + job.id()
                + " did not complete within "
                + polling.timeout()
                + " (last state "
                + current.state()
                + ")",
            current,
            null);
      }
      transport.sleepFor(OdpApi.EXPORTS, interval);
      interval = min(interval.multipliedBy(2), polling.maxInterval());
      current = status.apply(job.id());
    }
    if (current.state() == ExportState.COMPLETED_WITH_ERRORS) {
      List<String> errors = current.childErrors();
      throw new OdpExportException(
          "ODP export job "
              + job.id()
              + " completed with errors: "
              + (errors.isEmpty()
                  ? "(none listed)"
                  : String.join("; ", errors.subList(0, Math.min(3, errors.size()))))
              + (errors.size() > 3 ? " (and " + (errors.size() - 3) + " more)" : ""),
          current,
          null);
    }
    return current;
  }

  /**
   * Streams the rows of a completed job's CSV files (gzipped or not), one file at a time, without
   * holding them in memory. The presigned URLs are fetched without the API key and expire an hour
   * after the status call that produced them.
   *
   * @param job a job whose state is completed
   * @return the rows; close it when done
   * @throws OdpExportException if the job is not completed or is not CSV
   */
  public ExportRows open(ExportJob job) {
    Objects.requireNonNull(job, "job");
    if (!job.state().isTerminal()) {
      throw new OdpExportException(
          "ODP export job " + job.id() + " is not completed (state " + job.state() + ")",
          job,
          null);
    }
    if (job.format() != null && !job.format().equalsIgnoreCase("csv")) {
      throw new OdpExportException(
          "ODP export job " + job.id() + " is " + job.format() + "; only csv can be streamed",
          job,
          null);
    }
    for (String url : job.presignedUrls()) {
      HttpUrl parsed = HttpUrl.parse(url);
      if (parsed == null || !OdpClient.isSecureOrLoopback(parsed)) {
        throw new OdpExportException(
            "ODP export job " + job.id() + " has a file URL that is not https", job, null);
      }
    }
    char delimiter =
        (job.delimiter() == null ? ExportDelimiter.COMMA : job.delimiter()).character();
    return new ExportRows(job, delimiter, this::download);
  }

  private ResponseBody download(String url) {
    return transport.execute(
        OdpApi.EXPORT_FILES,
        true,
        tag -> {
          Request request =
              new Request.Builder().url(url).get().tag(ExchangeTag.class, tag).build();
          Response response = downloads.newCall(request).execute();
          return new Transport.HttpResult(
              response.code(), response.headers(), response.body(), response.request());
        },
        Transport.HttpResult::body,
        true);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public String toString() {
    return "ExportsService";
  }
}
