package io.github.brazeodp.sync;

import io.github.brazeodp.sync.adapter.RequestCounter;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe counters of one run, turned into {@link ActivityCounts} at the end. Lists of
 * rejections and unmatched ids are bounded; the counts stay exact.
 */
public final class RunStats {
  /**
   * The name under {@link ActivityCounts#other()} of the count of problems that rejected no record
   * (fields left out, events refused); the listed samples are bounded, this count is exact.
   */
  public static final String PROBLEMS = "problems";

  private final AtomicLong read = new AtomicLong();
  private final AtomicLong matched = new AtomicLong();
  private final AtomicLong unmatched = new AtomicLong();
  private final AtomicLong unchanged = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong brazeCalls = new AtomicLong();
  private final AtomicLong odpCalls = new AtomicLong();
  private final AtomicLong problems = new AtomicLong();
  private volatile RequestCounter.Counts requests;
  private final Map<String, AtomicLong> other = new ConcurrentHashMap<>();
  private final List<ActivityRecord.Rejection> rejections = new ArrayList<>();
  private final List<String> unmatchedIds = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** Counts records read. */
  public void read(long n) {
    read.addAndGet(n);
  }

  /** Counts records with a usable identifier. */
  public void matched(long n) {
    matched.addAndGet(n);
  }

  /** Counts a record without a usable identifier, remembering its id. */
  public void unmatched(String id) {
    unmatched.incrementAndGet();
    synchronized (unmatchedIds) {
      if (unmatchedIds.size() < SyncReport.MAX_LISTED) {
        unmatchedIds.add(id);
      }
    }
  }

  /** Counts records skipped as unchanged. */
  public void unchanged(long n) {
    unchanged.addAndGet(n);
  }

  /** Counts records written. */
  public void sent(long n) {
    sent.addAndGet(n);
  }

  /** Counts a rejected record with its reason and location. */
  public void rejected(String reason, String location) {
    rejected.incrementAndGet();
    sample(reason, location);
  }

  /**
   * Counts and lists a problem that rejected no record (e.g. one field left out, a custom event
   * refused); the count is exact, the list bounded.
   */
  public void problem(String reason, String location) {
    problems.incrementAndGet();
    sample(reason, location);
  }

  private void sample(String reason, String location) {
    synchronized (rejections) {
      if (rejections.size() < ActivityRecord.MAX_REJECTIONS) {
        rejections.add(new ActivityRecord.Rejection(reason, location));
      }
    }
  }

  /** Counts retried requests. */
  public void retried(long n) {
    retried.addAndGet(n);
  }

  /** Counts calls to Braze. */
  public void brazeCall() {
    brazeCalls.incrementAndGet();
  }

  /** Counts calls to ODP. */
  public void odpCall() {
    odpCalls.incrementAndGet();
  }

  /**
   * Reports the HTTP attempts the clients made during the run, as counted by their listeners; they
   * replace the operation counts of {@link #brazeCall()} and {@link #odpCall()} and the retries.
   */
  public void requests(RequestCounter.Counts counts) {
    this.requests = counts;
  }

  /** Adds to a flow-specific count. */
  public void count(String name, long n) {
    other.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(n);
  }

  /** Adds a note for people. */
  public void note(String note) {
    synchronized (notes) {
      notes.add(note);
    }
  }

  /** Returns whether any record was rejected or any problem counted. */
  public boolean hasProblems() {
    return rejected.get() > 0 || problems.get() > 0;
  }

  /** Returns the number of records rejected so far. */
  public long rejectedCount() {
    return rejected.get();
  }

  /** Returns the number of problems counted so far (see {@link #problem}). */
  public long problemCount() {
    return problems.get();
  }

  /** Returns the number of records read so far. */
  public long readCount() {
    return read.get();
  }

  /** Returns the number of records sent so far. */
  public long sentCount() {
    return sent.get();
  }

  /** Returns the counts so far. */
  public ActivityCounts counts() {
    RequestCounter.Counts http = requests;
    ActivityCounts.Builder b =
        ActivityCounts.builder()
            .read(read.get())
            .matched(matched.get())
            .unmatched(unmatched.get())
            .unchanged(unchanged.get())
            .sent(sent.get())
            .rejected(rejected.get())
            .retried(http == null ? retried.get() : http.brazeRetries() + http.odpRetries())
            .brazeCalls(http == null ? brazeCalls.get() : http.brazeRequests())
            .odpCalls(http == null ? odpCalls.get() : http.odpRequests());
    other.forEach((k, v) -> b.other(k, v.get()));
    if (problems.get() > 0) {
      b.other(PROBLEMS, problems.get());
    }
    return b.build();
  }

  /** Returns the listed rejections. */
  public List<ActivityRecord.Rejection> rejections() {
    synchronized (rejections) {
      return List.copyOf(rejections);
    }
  }

  /** Returns the listed unmatched ids. */
  public List<String> unmatchedIds() {
    synchronized (unmatchedIds) {
      return List.copyOf(unmatchedIds);
    }
  }

  /** Returns the notes. */
  public List<String> notes() {
    synchronized (notes) {
      return List.copyOf(notes);
    }
  }
}
