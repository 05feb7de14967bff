package io.github.brazeodp.sync.adapter;

import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.ExportJob;
import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.TrackResponse;
import io.github.brazeodp.braze.TriggerResponse;
import io.github.brazeodp.braze.TriggerSend;
import io.github.brazeodp.sync.port.BrazeGateway;
import io.github.brazeodp.sync.port.ExportHandle;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/** {@link BrazeGateway} over a real {@link BrazeClient}; the client owns retries and pacing. */
public final class BrazeClientGateway implements BrazeGateway {
  private final BrazeClient client;
  private final TrackLimit trackLimit;
  private final Clock clock;

  /** Wraps {@code client}; {@code clock} stamps export handles. */
  public BrazeClientGateway(BrazeClient client, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.trackLimit = client.trackLimit();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Iterable<Segment> segments() {
    return client.segments().list();
  }

  @Override
  public ExportHandle startSegmentExport(ExportSegmentRequest request) {
    Instant requestedAt = clock.instant();
    ExportJob job = client.exports().segment(request);
    return new ExportHandle(
        job.segmentId(), job.objectPrefix(), job.url().orElse(null), requestedAt);
  }

  @Override
  public void awaitExport(ExportHandle export, Instant deadline) {
    job(export).awaitReady(deadline);
  }

  @Override
  public ExportUserStream openExport(ExportHandle export, ExportReadOptions options) {
    return job(export).openUsers(options);
  }

  private ExportJob job(ExportHandle export) {
    return client.exports().resume(export.segmentId(), export.objectPrefix(), export.url());
  }

  @Override
  public TrackResponse track(TrackRequest request) {
    return client.users().track(request);
  }

  @Override
  public TrackLimit trackLimit() {
    return trackLimit;
  }

  @Override
  public TriggerResponse triggerCampaign(TriggerSend send) {
    return client.messaging().triggerCampaign(send);
  }

  @Override
  public TriggerResponse triggerCanvas(TriggerSend send) {
    return client.messaging().triggerCanvas(send);
  }
}
