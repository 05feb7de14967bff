package io.github.brazeodp.sync.state;

import java.time.Instant;

/**
 * Selects dead letters to list or replay: by a piece of their reason and by when they died.
 *
 * <pre>{@code
 * store.replayDeadLetters(DeadLetterFilter.reasonContains("_source"), clock.instant());
 * store.replayDeadLetters(DeadLetterFilter.all().since(Instant.parse("2026-12-01T00:00:00Z")), now);
 * }</pre>
 *
 * @param reason text the reason must contain (case-sensitive), or null for any reason
 * @param from the earliest death time included, or null for no lower bound
 * @param until the first death time excluded, or null for no upper bound
 */
public record DeadLetterFilter(String reason, Instant from, Instant until) {

  /**
   * Checks that the time range is not inverted.
   *
   * @param reason text the reason must contain (case-sensitive), or null for any reason
   * @param from the earliest death time included, or null for no lower bound
   * @param until the first death time excluded, or null for no upper bound
   */
  public DeadLetterFilter {
    if (reason != null && reason.isEmpty()) {
      reason = null;
    }
    if (from != null && until != null && until.isBefore(from)) {
      throw new IllegalArgumentException(
          "dead letter filter: until " + until + " is before from " + from);
    }
  }

  /**
   * Selects every dead letter.
   *
   * @return the filter
   */
  public static DeadLetterFilter all() {
    return new DeadLetterFilter(null, null, null);
  }

  /**
   * Selects the dead letters whose reason contains {@code text}.
   *
   * @param text the text to look for
   * @return the filter
   */
  public static DeadLetterFilter reasonContains(String text) {
    return new DeadLetterFilter(text, null, null);
  }

  /**
   * Returns this filter also requiring a death at or after {@code from}.
   *
   * @param from the earliest death time included
   * @return the narrowed filter
   */
  public DeadLetterFilter since(Instant from) {
    return new DeadLetterFilter(reason, from, until);
  }

  /**
   * Returns this filter also requiring a death before {@code until}.
   *
   * @param until the first death time excluded
   * @return the narrowed filter
   */
  public DeadLetterFilter before(Instant until) {
    return new DeadLetterFilter(reason, from, until);
  }

  /**
   * Tells whether a dead letter is selected.
   *
   * @param letter the dead letter
   * @return true when it matches every condition
   */
  public boolean matches(DeadLetter letter) {
    return (reason == null || letter.reason().contains(reason))
        && (from == null || !letter.deadAt().isBefore(from))
        && (until == null || letter.deadAt().isBefore(until));
  }
}
