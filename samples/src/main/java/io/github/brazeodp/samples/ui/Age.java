package io.github.brazeodp.samples.ui;

import java.time.Duration;

/** Formats ages for people, as the page and the {@code outbox} command show them. */
public final class Age {
  private Age() {}

  /**
   * Formats {@code d} as whole seconds under two minutes, minutes under two hours, hours under two
   * days, else days: {@code 90s}, {@code 12m}, {@code 5h}, {@code 3d}. Negative ages show as 0s.
   *
   * @param d the age
   * @return the short form
   */
  public static String format(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    if (s < 172_800) {
      return s / 3600 + "h";
    }
    return s / 86_400 + "d";
  }
}
