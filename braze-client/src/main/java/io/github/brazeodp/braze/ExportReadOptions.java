package io.github.brazeodp.braze;

import java.util.function.Consumer;

/**
 * How to read an export archive: where to resume and what to do with malformed lines.
 *
 * <p>By default a malformed line fails the read with an {@link ExportParseException} naming file
 * and line. {@link #skipMalformed(Consumer)} instead reports each such line to a consumer and
 * carries on; the stream also counts them. A line longer than {@link ExportLimits#maxLineBytes()}
 * or not valid UTF-8 is malformed too. {@link #limits(ExportLimits)} bounds the reading; without it
 * the client's {@link BrazeClient.Builder#exportLimits(ExportLimits)} apply, or {@link
 * ExportLimits#defaults()} for {@link ExportUserStream#open}.
 */
public final class ExportReadOptions {
  private final ExportPosition resumeAfter;
  private final Consumer<ExportParseException> onMalformed;
  private final int maxReopens;
  private final ExportLimits limits;

  private ExportReadOptions(
      ExportPosition resumeAfter,
      Consumer<ExportParseException> onMalformed,
      int maxReopens,
      ExportLimits limits) {
    this.resumeAfter = resumeAfter;
    this.onMalformed = onMalformed;
    this.maxReopens = maxReopens;
    this.limits = limits;
  }

  /** Returns the defaults: read from the start, fail on a malformed line, reopen up to 3 times. */
  public static ExportReadOptions defaults() {
    return new ExportReadOptions(null, null, 3, null);
  }

  /** Returns a copy that skips every user up to and including {@code position}. */
  public ExportReadOptions resumeAfter(ExportPosition position) {
    return new ExportReadOptions(position, onMalformed, maxReopens, limits);
  }

  /** Returns a copy that skips malformed lines, reporting each to {@code listener}. */
  public ExportReadOptions skipMalformed(Consumer<ExportParseException> listener) {
    return new ExportReadOptions(
        resumeAfter, java.util.Objects.requireNonNull(listener, "listener"), maxReopens, limits);
  }

  /**
   * Returns a copy that reopens a download broken mid-stream at most {@code times} times, resuming
   * after the last user read.
   */
  public ExportReadOptions maxReopens(int times) {
    if (times < 0) {
      throw new IllegalArgumentException("maxReopens must not be negative, was " + times);
    }
    return new ExportReadOptions(resumeAfter, onMalformed, times, limits);
  }

  /** Returns a copy that reads within {@code limits} instead of the client's. */
  public ExportReadOptions limits(ExportLimits limits) {
    return new ExportReadOptions(
        resumeAfter, onMalformed, maxReopens, java.util.Objects.requireNonNull(limits, "limits"));
  }

  /** Returns the limits set on these options, or null to use the client's (or the defaults). */
  public ExportLimits limits() {
    return limits;
  }

  /** Returns where to resume, or null to read from the start. */
  public ExportPosition resumeAfter() {
    return resumeAfter;
  }

  /** Returns the malformed-line listener, or null when malformed lines fail the read. */
  public Consumer<ExportParseException> onMalformed() {
    return onMalformed;
  }

  /** Returns how often a broken download is reopened. */
  public int maxReopens() {
    return maxReopens;
  }
}
