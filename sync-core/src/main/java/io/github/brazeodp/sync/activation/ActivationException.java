package io.github.brazeodp.sync.activation;

import io.github.brazeodp.sync.SyncReport;
import java.util.Objects;

/**
 * An activation run stopped: Braze does not know the campaign or Canvas ("Invalid Campaign ID"),
 * refused the API key, or the run crashed on something else. The report of the stopped run, also
 * written to the activity log, says what was sent before it stopped.
 */
public class ActivationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial")
  private final SyncReport report;

  /**
   * Creates the exception.
   *
   * @param message what stopped the run
   * @param report the report of the stopped run
   * @param cause the underlying failure, or null
   */
  public ActivationException(String message, SyncReport report, Throwable cause) {
    super(message, cause);
    this.report = Objects.requireNonNull(report, "report");
  }

  /**
   * Returns the report of the stopped run.
   *
   * @return the report, status {@code FAILED}
   */
  public SyncReport report() {
    return report;
  }
}
