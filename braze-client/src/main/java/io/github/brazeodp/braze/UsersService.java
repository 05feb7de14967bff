package io.github.brazeodp.braze;

import io.github.brazeodp.braze.internal.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** User data endpoints: {@code /users/track} and {@code /users/export/ids}. */
public final class UsersService {
  private final ClientContext ctx;

  UsersService(ClientContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Records attributes, events and purchases in one request.
   *
   * <p>A partial success comes back as a {@link TrackResponse} whose {@code errors} name the
   * rejected rows. Requests with events or purchases are not repeated once they may have reached
   * Braze, because Braze would record those twice. See <a
   * href="https://www.braze.com/docs/api/endpoints/user_data/post_user_track/">POST
   * /users/track</a>.
   *
   * @throws IllegalArgumentException when the request is empty or exceeds the client's {@link
   *     TrackLimit}; use {@link #trackAll(TrackRequest)} for any size
   */
  public TrackResponse track(TrackRequest request) {
    if (request.isEmpty()) {
      throw new IllegalArgumentException(
          "request has no attributes, events or purchases: nothing to send");
    }
    if (!ctx.trackLimit().fits(request)) {
      throw new IllegalArgumentException(
          "request has "
              + request.attributes().size()
              + " attributes, "
              + request.events().size()
              + " events and "
              + request.purchases().size()
              + " purchases, over the limit of "
              + ctx.trackLimit()
              + " objects per request; use trackAll to split it");
    }
    boolean idempotent = request.events().isEmpty() && request.purchases().isEmpty();
    Map<String, String> headers =
        ctx.trackBulkHeader() == null ? Map.of() : Map.of(ctx.trackBulkHeader(), "true");
    return ctx.transport()
        .execute(
            ClientContext.endpoint(
                "/users/track",
                EndpointFamily.USERS_TRACK,
                idempotent ? Transport.Safety.IDEMPOTENT : Transport.Safety.NOT_IDEMPOTENT),
            attempt -> ctx.api().track(request, headers, attempt));
  }

  /**
   * Sends any number of objects, split under the client's {@link TrackLimit}, and maps every
   * rejected row back to its index in {@code request}.
   *
   * <p>A chunk that fails as a whole (fatal 4xx, or retries exhausted) is reported in {@link
   * TrackBatchResult#failures()} and its rows in {@link TrackBatchResult#rejected()}; the other
   * chunks still go out. An authentication failure stops at once, since every chunk would fail.
   */
  public TrackBatchResult trackAll(TrackRequest request) {
    TrackBatcher batcher = new TrackBatcher(ctx.trackLimit());
    List<TrackBatcher.RowError> rejected = new ArrayList<>();
    List<TrackBatchResult.ChunkFailure> failures = new ArrayList<>();
    int requests = 0;
    for (TrackBatcher.Chunk chunk : batcher.split(request)) {
      requests++;
      try {
        TrackResponse response = track(chunk.request());
        for (BrazeError error : response.errors()) {
          rejected.add(chunk.toCallerRow(error));
        }
      } catch (BrazeAuthException e) {
        throw e;
      } catch (BrazeException e) {
        failures.add(new TrackBatchResult.ChunkFailure(chunk, e));
        rejected.addAll(chunk.allRows(e.getMessage()));
      }
    }
    int accepted = request.objectCount() - rejected.size();
    return new TrackBatchResult(requests, Math.max(accepted, 0), rejected, failures);
  }

  /**
   * Exports up to 50 users by identifier.
   *
   * <p>See <a
   * href="https://www.braze.com/docs/api/endpoints/export/user_data/post_users_identifier/">POST
   * /users/export/ids</a>.
   */
  public ExportIdsResponse exportIds(ExportIdsRequest request) {
    return ctx.transport()
        .execute(
            ClientContext.endpoint(
                "/users/export/ids", EndpointFamily.USERS_EXPORT_IDS, Transport.Safety.IDEMPOTENT),
            attempt -> ctx.api().exportIds(request, attempt));
  }
}
