package io.github.brazeodp.braze;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits any number of {@code /users/track} objects into requests under a {@link TrackLimit}, and
 * maps Braze's per-row errors back to the caller's rows.
 *
 * <p>Objects keep their order; attributes go out before events and purchases, as Braze itself
 * processes them within one request.
 */
public final class TrackBatcher {
  private final TrackLimit limit;

  /** Creates a batcher for {@code limit}. */
  public TrackBatcher(TrackLimit limit) {
    this.limit = Objects.requireNonNull(limit, "limit");
  }

  /** Returns the limit this batcher packs under. */
  public TrackLimit limit() {
    return limit;
  }

  /** Splits {@code request} into chunks that each fit the limit. */
  public List<Chunk> split(TrackRequest request) {
    List<Chunk> chunks = new ArrayList<>();
    int a = 0;
    int e = 0;
    int p = 0;
    int na = request.attributes().size();
    int ne = request.events().size();
    int np = request.purchases().size();
    while (a < na || e < ne || p < np) {
      int takeA;
      int takeE;
      int takeP;
      if (limit.perArray()) {
        takeA = Math.min(limit.max(), na - a);
        takeE = Math.min(limit.max(), ne - e);
        takeP = Math.min(limit.max(), np - p);
      } else {
        int room = limit.max();
        takeA = Math.min(room, na - a);
        room -= takeA;
        takeE = Math.min(room, ne - e);
        room -= takeE;
        takeP = Math.min(room, np - p);
      }
      TrackRequest part =
          new TrackRequest(
              request.attributes().subList(a, a + takeA),
              request.events().subList(e, e + takeE),
              request.purchases().subList(p, p + takeP));
      chunks.add(new Chunk(chunks.size(), part, a, e, p));
      a += takeA;
      e += takeE;
      p += takeP;
    }
    return chunks;
  }

  /**
   * One request's worth of objects and where they came from in the caller's request.
   *
   * @param number position of the chunk, from 0
   * @param request the objects to send
   * @param attributesFrom caller index of the chunk's first attributes object
   * @param eventsFrom caller index of the chunk's first event
   * @param purchasesFrom caller index of the chunk's first purchase
   */
  public record Chunk(
      int number, TrackRequest request, int attributesFrom, int eventsFrom, int purchasesFrom) {

    /** Translates an error of this chunk's request into the caller's row, when it names one. */
    public RowError toCallerRow(BrazeError error) {
      if (error.inputArray() == null || error.index() == null) {
        return new RowError(error.inputArray(), -1, error.message());
      }
      int offset =
          switch (error.inputArray()) {
            case "attributes" -> attributesFrom;
            case "events" -> eventsFrom;
            case "purchases" -> purchasesFrom;
            default -> -1;
          };
      return new RowError(
          error.inputArray(), offset < 0 ? -1 : offset + error.index(), error.message());
    }

    /** Returns every caller row of this chunk, for reporting a chunk that failed as a whole. */
    public List<RowError> allRows(String reason) {
      List<RowError> rows = new ArrayList<>();
      for (int i = 0; i < request.attributes().size(); i++) {
        rows.add(new RowError("attributes", attributesFrom + i, reason));
      }
      for (int i = 0; i < request.events().size(); i++) {
        rows.add(new RowError("events", eventsFrom + i, reason));
      }
      for (int i = 0; i < request.purchases().size(); i++) {
        rows.add(new RowError("purchases", purchasesFrom + i, reason));
      }
      return rows;
    }
  }

  /**
   * A row of the caller's request that Braze did not accept.
   *
   * @param inputArray {@code attributes}, {@code events} or {@code purchases}, or null
   * @param index the index in the caller's array, or -1 when Braze named no row
   * @param reason Braze's reason
   */
  public record RowError(String inputArray, int index, String reason) {}
}
