package io.github.brazeodp.sync.port;

import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.TrackResponse;
import io.github.brazeodp.braze.TriggerResponse;
import io.github.brazeodp.braze.TriggerSend;
import java.time.Instant;

/**
 * The Braze operations the flows need, and nothing more.
 *
 * <p>Two implementations keep each other honest: {@link
 * io.github.brazeodp.sync.adapter.BrazeClientGateway} over the real client, and {@link
 * io.github.brazeodp.sync.fake.InMemoryBraze} for tests; both pass the same contract test. Failures
 * are braze-client's exceptions ({@code BrazeRateLimitException}, {@code BrazeIoException}, ...),
 * already retried where retrying is safe.
 */
public interface BrazeGateway {
  /** Lists every segment, oldest first, paging lazily. */
  Iterable<Segment> segments();

  /** Starts an export; a second export of a segment that is still running fails with 429. */
  ExportHandle startSegmentExport(ExportSegmentRequest request);

  /**
   * Blocks until the export can be downloaded.
   *
   * @throws io.github.brazeodp.braze.BrazeExportException when {@code deadline} passes first
   */
  void awaitExport(ExportHandle export, Instant deadline);

  /** Streams the users of a ready export. */
  ExportUserStream openExport(ExportHandle export, ExportReadOptions options);

  /** Sends one {@code /users/track} request within {@link #trackLimit()}. */
  TrackResponse track(TrackRequest request);

  /** Returns how many objects one track request may carry. */
  TrackLimit trackLimit();

  /** Triggers an API-triggered campaign; never repeated once it may have reached Braze. */
  TriggerResponse triggerCampaign(TriggerSend send);

  /** Triggers an API-triggered Canvas; never repeated once it may have reached Braze. */
  TriggerResponse triggerCanvas(TriggerSend send);
}
