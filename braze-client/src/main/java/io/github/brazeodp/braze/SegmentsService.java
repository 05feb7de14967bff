package io.github.brazeodp.braze;

import io.github.brazeodp.braze.internal.Transport;

/** Segment endpoints: {@code /segments/list} and {@code /segments/details}. */
public final class SegmentsService {
  /** Braze returns segments in pages of 100. */
  public static final int PAGE_SIZE = 100;

  private static final Transport.Endpoint LIST =
      ClientContext.endpoint("/segments/list", EndpointFamily.DEFAULT, Transport.Safety.IDEMPOTENT);
  private static final Transport.Endpoint DETAILS =
      ClientContext.endpoint(
          "/segments/details", EndpointFamily.DEFAULT, Transport.Safety.IDEMPOTENT);

  private final ClientContext ctx;

  SegmentsService(ClientContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Lists every segment, oldest first, fetching pages of 100 lazily until a short page.
   *
   * <p>Archived segments are not listed. See <a
   * href="https://www.braze.com/docs/api/endpoints/export/segments/get_segment/">GET
   * /segments/list</a>.
   */
  public AutoPager<Segment> list() {
    return new AutoPager<>(n -> page(n, true));
  }

  /** Fetches one page of segments, from page 0, in creation order ({@code ascending}) or not. */
  public Page<Segment> page(int number, boolean ascending) {
    if (number < 0) {
      throw new IllegalArgumentException("page must not be negative, was " + number);
    }
    var response =
        ctx.transport()
            .execute(
                LIST,
                attempt -> ctx.api().listSegments(number, ascending ? "asc" : "desc", attempt));
    return new Page<>(
        number,
        response == null || response.segments() == null ? java.util.List.of() : response.segments(),
        PAGE_SIZE);
  }

  /**
   * Returns the details of one segment.
   *
   * <p>See <a
   * href="https://www.braze.com/docs/api/endpoints/export/segments/get_segment_details/">GET
   * /segments/details</a>.
   */
  public SegmentDetails details(String segmentId) {
    Validation.notBlank("segment_id", segmentId);
    return ctx.transport()
        .execute(DETAILS, attempt -> ctx.api().segmentDetails(segmentId, attempt));
  }
}
