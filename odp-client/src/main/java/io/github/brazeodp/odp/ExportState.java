package io.github.brazeodp.odp;

import com.squareup.moshi.Json;

/**
 * The state of an ODP export job.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/get-export-job-status">ODP
 *     export job status</a>
 */
public enum ExportState {
  /** Queued. */
  PENDING,
  /** Running. */
  RUNNING,
  /** Done; files are at the presigned URLs. */
  COMPLETED,
  /** Done, but some parts failed; see {@link ExportJob#childErrors()}. */
  @Json(name = "completed_with_errors")
  COMPLETED_WITH_ERRORS,
  /** A state this client does not know yet. */
  UNKNOWN;

  /** Returns true for the two completed states. */
  public boolean isTerminal() {
    return this == COMPLETED || this == COMPLETED_WITH_ERRORS;
  }
}
