package io.github.brazeodp.odp;

import java.time.Duration;
import java.util.Objects;

/**
 * How the client waits for an export job: the first poll interval, doubling up to a ceiling, and
 * the longest total wait.
 *
 * @param initialInterval wait before the first status poll
 * @param maxInterval ceiling of the doubling interval
 * @param timeout give up (with {@link OdpExportException}) after this much waiting
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/get-export-job-status">ODP
 *     export job status</a>
 */
public record ExportPolling(Duration initialInterval, Duration maxInterval, Duration timeout) {
  /** Validates the durations: all positive, {@code maxInterval >= initialInterval}. */
  public ExportPolling {
    Objects.requireNonNull(initialInterval, "initialInterval");
    Objects.requireNonNull(maxInterval, "maxInterval");
    Objects.requireNonNull(timeout, "timeout");
    if (initialInterval.isNegative()
        || initialInterval.isZero()
        || maxInterval.compareTo(initialInterval) < 0
        || timeout.isNegative()
        || timeout.isZero()) {
      throw new IllegalArgumentException(
          "exportPolling: intervals and timeout must be positive and maxInterval >= initialInterval");
    }
  }

  /** Returns the defaults: 5 s, doubling to 60 s, for up to 2 hours. */
  public static ExportPolling defaults() {
    return new ExportPolling(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofHours(2));
  }
}
