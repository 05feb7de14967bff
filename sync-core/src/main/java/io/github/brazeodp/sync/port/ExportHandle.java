package io.github.brazeodp.sync.port;

import java.time.Instant;
import java.util.Objects;

/**
 * A segment export that was started: enough to wait for it, stream it, or resume it after a restart
 * while its URL is valid.
 *
 * @param segmentId the exported segment
 * @param objectPrefix Braze's object prefix
 * @param url the download URL, or null when the export goes to the account's own bucket
 * @param requestedAt when the export was requested
 */
public record ExportHandle(String segmentId, String objectPrefix, String url, Instant requestedAt) {
  /** Validates the handle. */
  public ExportHandle {
    Objects.requireNonNull(segmentId, "segmentId");
    Objects.requireNonNull(objectPrefix, "objectPrefix");
    Objects.requireNonNull(requestedAt, "requestedAt");
  }
}
