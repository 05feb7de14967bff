package io.github.brazeodp.sync.currents;

import io.github.brazeodp.sync.state.ActivityRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared, thread-safe counters of one receiver and its forwarder, plus a bounded sample of
 * recent problems for the next activity record.
 */
final class Counters {
  final AtomicLong received = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong queued = new AtomicLong();
  final AtomicLong forwarded = new AtomicLong();
  final AtomicLong unmatched = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong odpRejected = new AtomicLong();
  final AtomicLong truncatedFields = new AtomicLong();
  final AtomicLong refusedBatches = new AtomicLong();
  final AtomicLong unauthorized = new AtomicLong();
  final AtomicLong odpCalls = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong parked = new AtomicLong();
  final AtomicLong unparked = new AtomicLong();
  final AtomicLong parkedDropped = new AtomicLong();
  private final List<ActivityRecord.Rejection> problems = new ArrayList<>();

  CurrentsCounts snapshot() {
    return new CurrentsCounts(
        received.get(),
        duplicates.get(),
        queued.get(),
        forwarded.get(),
        unmatched.get(),
        rejected.get(),
        odpRejected.get(),
        truncatedFields.get(),
        refusedBatches.get(),
        unauthorized.get(),
        deadLettered.get(),
        parked.get(),
        unparked.get(),
        parkedDropped.get());
  }

  /** Remembers a problem for the next activity record; only the first ones of a window are kept. */
  void problem(String reason, String location) {
    synchronized (problems) {
      if (problems.size() < ActivityRecord.MAX_REJECTIONS) {
        problems.add(new ActivityRecord.Rejection(reason, location));
      }
    }
  }

  /** Returns and forgets the problems remembered so far. */
  List<ActivityRecord.Rejection> takeProblems() {
    synchronized (problems) {
      List<ActivityRecord.Rejection> out = List.copyOf(problems);
      problems.clear();
      return out;
    }
  }
}
