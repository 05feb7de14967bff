package io.github.brazeodp.sync.segments;

/** Receives progress of a segment sync, for progress bars and logs; called from worker threads. */
@FunctionalInterface
public interface ProgressListener {
  /**
   * Reports that {@code usersRead} users of {@code segmentId} were read and {@code usersSent} sent.
   */
  void onProgress(String segmentId, long usersRead, long usersSent);

  /** Returns a listener that ignores progress. */
  static ProgressListener none() {
    return (segment, read, sent) -> {};
  }
}
