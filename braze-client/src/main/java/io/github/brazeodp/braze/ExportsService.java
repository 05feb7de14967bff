package io.github.brazeodp.braze;

import io.github.brazeodp.braze.internal.JsonBody;
import io.github.brazeodp.braze.internal.Transport;
import java.util.Map;

/** Segment export endpoints: start, cancel, and the callback Braze posts when ready. */
public final class ExportsService {
  private static final Transport.Endpoint START =
      ClientContext.endpoint(
          "/users/export/segment", EndpointFamily.DEFAULT, Transport.Safety.NOT_IDEMPOTENT);
  private static final Transport.Endpoint CANCEL =
      ClientContext.endpoint(
          "/export/segment/cancel", EndpointFamily.DEFAULT, Transport.Safety.IDEMPOTENT);

  private final ClientContext ctx;

  ExportsService(ClientContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Starts an export of a segment's users.
   *
   * <p>Braze runs at most one export per segment at a time and answers 429 to a second one, which
   * surfaces as {@link BrazeRateLimitException} once retries are spent. The returned job waits for
   * and streams the archive. See <a
   * href="https://www.braze.com/docs/api/endpoints/export/user_data/post_users_segment/">POST
   * /users/export/segment</a>.
   */
  public ExportJob segment(ExportSegmentRequest request) {
    var started =
        ctx.transport().execute(START, attempt -> ctx.api().exportSegment(request, attempt));
    if (started == null || started.objectPrefix() == null) {
      throw new BrazeDecodingException(
          "/users/export/segment answered without object_prefix: " + started, null);
    }
    return new ExportJob(ctx, request.segmentId(), started.objectPrefix(), started.url());
  }

  /**
   * Returns a job for an export started earlier, for example to resume after a restart while its
   * URL is still valid (about four hours).
   */
  public ExportJob resume(String segmentId, String objectPrefix, String url) {
    Validation.notBlank("segment_id", segmentId);
    Validation.notBlank("object_prefix", objectPrefix);
    if (url != null) {
      BrazeClient.checkDownloadUrl("url", url);
    }
    return new ExportJob(ctx, segmentId, objectPrefix, url);
  }

  /**
   * Cancels every running export of a segment.
   *
   * <p>Needs the {@code segments.list} permission. See <a
   * href="https://www.braze.com/docs/api/endpoints/export/segments/post_cancel_export/">POST
   * /export/segment/cancel</a>.
   */
  public void cancelSegment(String segmentId) {
    Validation.notBlank("segment_id", segmentId);
    ctx.transport()
        .execute(
            CANCEL,
            attempt ->
                ctx.api()
                    .cancelSegmentExport(new JsonBody(Map.of("segment_id", segmentId)), attempt));
  }

  /** Parses the body Braze POSTs to {@code callback_endpoint} when an export is ready. */
  public ExportCallback parseCallback(String body) {
    return ExportCallback.parse(body);
  }
}
