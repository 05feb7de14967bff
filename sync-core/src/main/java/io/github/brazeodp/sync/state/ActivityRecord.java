package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One run of one flow as the activity log keeps it: what ran, when, how it ended and what it did.
 *
 * @param id a unique id chosen by the flow (a second record with the same id replaces the first)
 * @param category the integration's category, {@value #CATEGORY_BRAZE}
 * @param flow which flow ran
 * @param subject the segment or activation the run worked on
 * @param start when the run started
 * @param end when the run ended
 * @param status how the run ended
 * @param counts what the run did
 * @param rejections a sample of rejected records with their reason and location; at most {@value
 *     #MAX_REJECTIONS} are kept (the full number is {@link ActivityCounts#rejected()})
 * @param reason why the run failed or was partial, in one line for people; null when it succeeded
 *     or gave no reason
 */
public record ActivityRecord(
    String id,
    String category,
    Flow flow,
    String subject,
    Instant start,
    Instant end,
    Status status,
    ActivityCounts counts,
    List<Rejection> rejections,
    String reason) {

  /** The category of every record this integration writes. */
  public static final String CATEGORY_BRAZE = "braze";

  /** How many rejections a record keeps; a run with more keeps the first ones. */
  public static final int MAX_REJECTIONS = 100;

  /**
   * Validates the values and keeps at most {@link #MAX_REJECTIONS} rejections.
   *
   * @param id a unique id chosen by the flow (a second record with the same id replaces the first)
   * @param category the integration's category, {@value #CATEGORY_BRAZE}
   * @param flow which flow ran
   * @param subject the segment or activation the run worked on
   * @param start when the run started
   * @param end when the run ended
   * @param status how the run ended
   * @param counts what the run did
   * @param rejections a sample of rejected records; at most {@value #MAX_REJECTIONS} are kept
   * @param reason why the run failed or was partial, or null
   */
  public ActivityRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(flow, "flow");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(counts, "counts");
    List<Rejection> all = rejections == null ? List.of() : rejections;
    // Bounded so that a run rejecting a million rows cannot bloat the log; counts.rejected() is
    // exact.
    rejections = List.copyOf(all.size() > MAX_REJECTIONS ? all.subList(0, MAX_REJECTIONS) : all);
    if (reason != null && reason.isBlank()) {
      reason = null;
    }
  }

  /**
   * Creates a record without a reason.
   *
   * @param id a unique id chosen by the flow
   * @param category the integration's category, {@value #CATEGORY_BRAZE}
   * @param flow which flow ran
   * @param subject the segment or activation the run worked on
   * @param start when the run started
   * @param end when the run ended
   * @param status how the run ended
   * @param counts what the run did
   * @param rejections a sample of rejected records; at most {@value #MAX_REJECTIONS} are kept
   */
  public ActivityRecord(
      String id,
      String category,
      Flow flow,
      String subject,
      Instant start,
      Instant end,
      Status status,
      ActivityCounts counts,
      List<Rejection> rejections) {
    this(id, category, flow, subject, start, end, status, counts, rejections, null);
  }

  /**
   * Returns a copy with the given reason.
   *
   * @param why why the run failed or was partial, or null
   * @return the copy
   */
  public ActivityRecord withReason(String why) {
    return new ActivityRecord(
        id, category, flow, subject, start, end, status, counts, rejections, why);
  }

  /** The flow a record belongs to. */
  public enum Flow {
    /** Braze segment export to ODP profiles and membership events. */
    SEGMENT_SYNC,
    /** Braze Currents events forwarded to ODP. */
    CURRENTS,
    /** ODP segment or event enrollment triggering Braze sends. */
    ACTIVATION
  }

  /** How a run ended. */
  public enum Status {
    /** Everything was processed. */
    SUCCEEDED,
    /** The run finished but some records were rejected or left out. */
    PARTIAL,
    /** The run stopped before finishing. */
    FAILED
  }

  /**
   * One rejected record.
   *
   * @param reason why it was rejected
   * @param location where it came from (file:line, a braze_id, a Currents id), or null
   */
  public record Rejection(String reason, String location) {

    /**
     * Checks the reason.
     *
     * @param reason why it was rejected
     * @param location where it came from (file:line, a braze_id, a Currents id), or null
     */
    public Rejection {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
