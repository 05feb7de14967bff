package io.github.brazeodp.sync;

import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of one run of a flow: status, counts, what was rejected and why, and notes for
 * people.
 *
 * <p>The same content is stored as an {@link ActivityRecord} in the state store (unless the run was
 * a dry run), so hosts can show it later.
 *
 * @param activity the activity record of the run
 * @param dryRun whether the run only computed what it would send
 * @param unmatched identifiers of records that had no usable identifier (bounded list)
 * @param notes sentences for people, e.g. "no segments selected: nothing imported"
 */
public record SyncReport(
    ActivityRecord activity, boolean dryRun, List<String> unmatched, List<String> notes) {

  /** Longest list of unmatched identifiers kept in a report; the count stays exact. */
  public static final int MAX_LISTED = 100;

  /** Copies the lists. */
  public SyncReport {
    unmatched =
        List.copyOf(unmatched.size() > MAX_LISTED ? unmatched.subList(0, MAX_LISTED) : unmatched);
    notes = List.copyOf(notes);
  }

  /** Returns the status of the run. */
  public ActivityRecord.Status status() {
    return activity.status();
  }

  /** Returns the counts of the run. */
  public ActivityCounts counts() {
    return activity.counts();
  }

  /** Returns the rejections with reason and location (file:line or braze_id), bounded. */
  public List<ActivityRecord.Rejection> rejections() {
    return activity.rejections();
  }

  /** Returns how long the run took. */
  public Duration duration() {
    return Duration.between(activity.start(), activity.end());
  }

  @Override
  public String toString() {
    ActivityCounts c = counts();
    return activity.flow()
        + " "
        + activity.subject()
        + ": "
        + status()
        + (dryRun ? " (dry run)" : "")
        + " read="
        + c.read()
        + " matched="
        + c.matched()
        + " unmatched="
        + c.unmatched()
        + " unchanged="
        + c.unchanged()
        + " sent="
        + c.sent()
        + " rejected="
        + c.rejected()
        + (activity.reason() == null ? "" : " reason: " + activity.reason())
        + (notes.isEmpty() ? "" : " " + notes);
  }
}
