package io.github.brazeodp.odp;

/**
 * An export job ended as {@code completed_with_errors}, did not finish in time, or its files could
 * not be read; {@link #job()} holds the last status seen.
 */
public final class OdpExportException extends OdpException {
  private final ExportJob job;

  /**
   * Creates an exception.
   *
   * @param message the message
   * @param job the last job status seen
   * @param cause the cause, may be null
   */
  public OdpExportException(String message, ExportJob job, Throwable cause) {
    super(OdpApi.EXPORTS.endpoint(), message, cause);
    this.job = job;
  }

  /** Returns the last job status seen, with its {@code childErrors}; null when no job started. */
  public ExportJob job() {
    return job;
  }
}
