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

/** Forwards to another gateway; tests override single methods to damage exports, block or fail. */
public class DelegatingBraze implements BrazeGateway {
  private final BrazeGateway delegate;

  public DelegatingBraze(BrazeGateway delegate) {
    this.delegate = delegate;
  }

  @Override
  public Iterable<Segment> segments() {
    return delegate.segments();
  }

  @Override
  public ExportHandle startSegmentExport(ExportSegmentRequest request) {
    return delegate.startSegmentExport(request);
  }

  @Override
  public void awaitExport(ExportHandle export, Instant deadline) {
    delegate.awaitExport(export, deadline);
  }

  @Override
  public ExportUserStream openExport(ExportHandle export, ExportReadOptions options) {
    return delegate.openExport(export, options);
  }

  @Override
  public TrackResponse track(TrackRequest request) {
    return delegate.track(request);
  }

  @Override
  public TrackLimit trackLimit() {
    return delegate.trackLimit();
  }

  @Override
  public TriggerResponse triggerCampaign(TriggerSend send) {
    return delegate.triggerCampaign(send);
  }

  @Override
  public TriggerResponse triggerCanvas(TriggerSend send) {
    return delegate.triggerCanvas(send);
  }
}
