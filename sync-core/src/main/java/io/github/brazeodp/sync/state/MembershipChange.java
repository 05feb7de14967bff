package io.github.brazeodp.sync.state;

/**
 * What a membership commit changed for one segment.
 *
 * @param entered members of the new export that were not members before
 * @param exited former members absent from the new export
 */
public record MembershipChange(long entered, long exited) {

  /**
   * Checks that the counts are not negative.
   *
   * @param entered members of the new export that were not members before
   * @param exited former members absent from the new export
   */
  public MembershipChange {
    if (entered < 0 || exited < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }
}
