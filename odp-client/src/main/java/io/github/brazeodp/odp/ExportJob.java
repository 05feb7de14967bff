package io.github.brazeodp.odp;

import java.time.Instant;
import java.util.List;

/**
 * The status of an ODP export job ({@code ExportJobStatus}).
 *
 * <p>{@code toString()} omits the presigned URLs: they grant access to the data for an hour.
 *
 * @param id the job id, for status polls
 * @param path the S3 location ODP writes to
 * @param state the job state
 * @param exportRowCount rows exported so far, or null
 * @param requestedAt when the job was requested, or null
 * @param startedAt when it started, or null
 * @param endedAt when it ended, or null
 * @param presignedUrls one download URL per file, valid for one hour; empty until completed
 * @param format {@code csv} or {@code parquet}
 * @param delimiter the CSV delimiter, or null
 * @param childErrors errors of failed parts, for {@code completed_with_errors}
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/get-export-job-status">ODP
 *     export job status</a>
 */
public record ExportJob(
    String id,
    String path,
    ExportState state,
    Long exportRowCount,
    Instant requestedAt,
    Instant startedAt,
    Instant endedAt,
    List<String> presignedUrls,
    String format,
    ExportDelimiter delimiter,
    List<String> childErrors) {
  /** Copies the lists (null becomes empty) and maps a missing state to {@code UNKNOWN}. */
  public ExportJob {
    presignedUrls = presignedUrls == null ? List.of() : List.copyOf(presignedUrls);
    childErrors = childErrors == null ? List.of() : List.copyOf(childErrors);
    state = state == null ? ExportState.UNKNOWN : state;
  }

  @Override
  public String toString() {
    return "ExportJob{id="
        + id
        + ", state="
        + state
        + ", exportRowCount="
        + exportRowCount
        + ", files="
        + presignedUrls.size()
        + ", format="
        + format
        + ", delimiter="
        + delimiter
        + ", childErrors="
        + childErrors
        + "}";
  }
}
