package io.github.brazeodp.braze;

import java.util.List;

/**
 * What happened to every row of a {@link UsersService#trackAll(TrackRequest)}.
 *
 * @param requests number of requests made
 * @param accepted rows Braze accepted
 * @param rejected rows Braze rejected, in the caller's indexes, with the reason
 * @param failures chunks that failed as a whole (fatal error or retries exhausted), with the cause
 */
public record TrackBatchResult(
    int requests, int accepted, List<TrackBatcher.RowError> rejected, List<ChunkFailure> failures) {

  /** Copies the lists. */
  public TrackBatchResult {
    rejected = List.copyOf(rejected);
    failures = List.copyOf(failures);
  }

  /** Returns whether every row was accepted. */
  public boolean fullySucceeded() {
    return rejected.isEmpty() && failures.isEmpty();
  }

  /**
   * A chunk Braze did not process.
   *
   * @param chunk the chunk, with its caller offsets
   * @param error why
   */
  public record ChunkFailure(TrackBatcher.Chunk chunk, BrazeException error) {}
}
