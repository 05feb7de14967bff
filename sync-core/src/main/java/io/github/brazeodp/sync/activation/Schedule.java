package io.github.brazeodp.sync.activation;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * When a segment-enrolled activation runs: recurring (daily or weekly, every N units, at a local
 * time in an IANA time zone, from a start date until never or an end date) or continuous (hourly).
 *
 * <p>Run times are computed in the zone's local time and then resolved to an instant with these
 * daylight-saving rules:
 *
 * <ul>
 *   <li><b>Gap</b> (spring forward: the local time does not exist that day): the run happens once,
 *       at the end of the gap, i.e. at the first valid local time. A 02:30 run in Europe/Paris on
 *       the last Sunday of March runs at 03:00 local; a 02:15 run on Australia/Lord_Howe's
 *       30-minute spring-forward day runs at 02:30 local.
 *   <li><b>Overlap</b> (fall back: the local time happens twice): the run happens once, at the
 *       earlier of the two instants (the offset in force before the change).
 * </ul>
 *
 * <p>The end date is inclusive: a run on the end date (local) still happens, none after it. An
 * occurrence is identified by its scheduled instant ({@link #occurrenceId(Instant)}), which is what
 * the activation ledger keys sends by, so a rerun of the same occurrence never sends twice.
 *
 * <pre>{@code
 * Schedule daily = Schedule.recurring(LocalDateTime.of(2025, 3, 1, 9, 0), ZoneId.of("Europe/Paris"))
 *     .daily(1)
 *     .endOn(LocalDate.of(2025, 12, 31))
 *     .build();
 * Optional<Instant> next = daily.nextRunAfter(clock.instant());
 * }</pre>
 */
public final class Schedule {
  private static final Duration HOUR = Duration.ofHours(1);

  /** How a recurring schedule repeats. */
  public enum Repeat {
    /** Every N days. */
    DAILY,
    /** Every N weeks, on chosen days of the week. */
    WEEKLY,
    /** Every hour (continuous). */
    HOURLY
  }

  private final Repeat repeat;
  private final LocalDate startDate;
  private final LocalTime time;
  private final ZoneId zone;
  private final int every;
  private final Set<DayOfWeek> days;
  private final LocalDate endDate;
  private final Instant continuousStart;

  private Schedule(Builder b) {
    this.repeat = b.repeat;
    this.startDate = b.start.toLocalDate();
    this.time = b.start.toLocalTime();
    this.zone = b.zone;
    this.every = b.every;
    this.days =
        b.repeat == Repeat.WEEKLY
            ? Set.copyOf(b.days.isEmpty() ? EnumSet.of(startDate.getDayOfWeek()) : b.days)
            : Set.of();
    this.endDate = b.endDate;
    this.continuousStart = null;
  }

  private Schedule(Instant continuousStart) {
    this.repeat = Repeat.HOURLY;
    this.startDate = null;
    this.time = null;
    this.zone = null;
    this.every = 1;
    this.days = Set.of();
    this.endDate = null;
    this.continuousStart = continuousStart;
  }

  /**
   * Starts a recurring schedule whose first run is {@code start} (local date and time of day) in
   * {@code zone}; choose {@link Builder#daily(int)} or {@link Builder#weekly(int, DayOfWeek...)}.
   *
   * @param start the first run's local date and the time of day of every run
   * @param zone the IANA time zone the local time is in
   * @return a builder
   */
  public static Builder recurring(LocalDateTime start, ZoneId zone) {
    return new Builder(start, zone);
  }

  /**
   * Returns a continuous schedule: every hour on the hour (UTC-aligned), as ODP's "continuous"
   * behavioral campaigns are evaluated hourly.
   *
   * @return the schedule
   */
  public static Schedule continuous() {
    return new Schedule(Instant.EPOCH);
  }

  /**
   * Returns a continuous schedule: every hour from {@code start}.
   *
   * @param start the first run
   * @return the schedule
   */
  public static Schedule continuous(Instant start) {
    return new Schedule(Objects.requireNonNull(start, "start"));
  }

  /**
   * Returns how the schedule repeats.
   *
   * @return daily, weekly or hourly
   */
  public Repeat repeat() {
    return repeat;
  }

  /**
   * Returns the end date (inclusive, local), if any.
   *
   * @return the end date, or empty for "never"
   */
  public Optional<LocalDate> endDate() {
    return Optional.ofNullable(endDate);
  }

  /**
   * Returns the first run strictly after {@code after}.
   *
   * @param after an instant
   * @return the next run, or empty when the schedule has ended
   */
  public Optional<Instant> nextRunAfter(Instant after) {
    Objects.requireNonNull(after, "after");
    if (repeat == Repeat.HOURLY) {
      if (after.isBefore(continuousStart)) {
        return Optional.of(continuousStart);
      }
      long hours = Duration.between(continuousStart, after).dividedBy(HOUR);
      return Optional.of(continuousStart.plus(HOUR.multipliedBy(hours + 1)));
    }
    // A run of local date d always falls on local date d (a gap moves it forward to the end of
    // the gap, an overlap to the earlier instant), so starting one day early cannot miss a run.
    LocalDate d = firstDateOnOrAfter(LocalDate.ofInstant(after, zone).minusDays(1));
    while (true) {
      if (endDate != null && d.isAfter(endDate)) {
        return Optional.empty();
      }
      Instant run = resolve(d.atTime(time));
      if (run.isAfter(after)) {
        return Optional.of(run);
      }
      d = firstDateOnOrAfter(d.plusDays(1));
    }
  }

  /**
   * Returns the id of the occurrence scheduled at {@code run}: its ISO-8601 instant.
   *
   * @param run a run time returned by {@link #nextRunAfter}
   * @return the occurrence id used in the activation ledger
   */
  public String occurrenceId(Instant run) {
    return Objects.requireNonNull(run, "run").toString();
  }

  private LocalDate firstDateOnOrAfter(LocalDate date) {
    LocalDate from = date;
    if (!from.isAfter(startDate)) {
      if (repeat == Repeat.DAILY || days.contains(startDate.getDayOfWeek())) {
        return startDate;
      }
      from = startDate;
    }
    if (repeat == Repeat.DAILY) {
      long days = ChronoUnit.DAYS.between(startDate, from);
      long steps = (days + every - 1) / every;
      return startDate.plusDays(steps * every);
    }
    LocalDate startMonday = startDate.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    LocalDate d = from;
    // Within 7 * every days every chosen weekday of an active week appears once.
    for (int i = 0; i <= 7 * every + 7; i++, d = d.plusDays(1)) {
      LocalDate monday = d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      long weeks = ChronoUnit.WEEKS.between(startMonday, monday);
      if (weeks % every == 0 && days.contains(d.getDayOfWeek())) {
        return d;
      }
    }
    throw new IllegalStateException("no weekly run found after " + from + " in " + this);
  }

  private Instant resolve(LocalDateTime local) {
    ZoneRules rules = zone.getRules();
    ZoneOffsetTransition transition = rules.getTransition(local);
    if (transition == null) {
      return local.atZone(zone).toInstant();
    }
    if (transition.isGap()) {
      // The local time does not exist today: run once, when the clocks jump (end of the gap).
      return transition.getInstant();
    }
    // Overlap: the local time happens twice; run once, at the earlier instant.
    return local.toInstant(transition.getOffsetBefore());
  }

  @Override
  public String toString() {
    if (repeat == Repeat.HOURLY) {
      return "continuous (hourly from " + continuousStart + ")";
    }
    return (repeat == Repeat.DAILY
            ? "every " + every + " day(s)"
            : "every " + every + " week(s) on " + days)
        + " at "
        + time
        + " "
        + zone
        + " from "
        + startDate
        + (endDate == null ? ", never ending" : " until " + endDate);
  }

  /** Builds a recurring {@link Schedule}. */
  public static final class Builder {
    private final LocalDateTime start;
    private final ZoneId zone;
    private Repeat repeat;
    private int every = 1;
    private final Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    private LocalDate endDate;

    private Builder(LocalDateTime start, ZoneId zone) {
      this.start = Objects.requireNonNull(start, "start");
      this.zone = Objects.requireNonNull(zone, "zone");
    }

    /**
     * Repeats every {@code n} days.
     *
     * @param n the interval in days, at least 1
     * @return this builder
     */
    public Builder daily(int n) {
      this.repeat = Repeat.DAILY;
      this.every = positive(n);
      return this;
    }

    /**
     * Repeats every {@code n} weeks on the given days (default: the start date's day of week);
     * weeks start on Monday and are counted from the start date's week.
     *
     * @param n the interval in weeks, at least 1
     * @param on the days of the week to run on
     * @return this builder
     */
    public Builder weekly(int n, DayOfWeek... on) {
      this.repeat = Repeat.WEEKLY;
      this.every = positive(n);
      this.days.clear();
      for (DayOfWeek d : on) {
        days.add(Objects.requireNonNull(d, "day of week"));
      }
      return this;
    }

    /**
     * Ends the schedule after {@code date} (inclusive, local).
     *
     * @param date the last date a run may happen on
     * @return this builder
     */
    public Builder endOn(LocalDate date) {
      this.endDate = Objects.requireNonNull(date, "date");
      return this;
    }

    /**
     * Never ends the schedule (the default).
     *
     * @return this builder
     */
    public Builder endNever() {
      this.endDate = null;
      return this;
    }

    /**
     * Builds the schedule.
     *
     * @return the schedule
     * @throws IllegalArgumentException if no repeat was chosen or the end is before the start
     */
    public Schedule build() {
      if (repeat == null) {
        throw new IllegalArgumentException("schedule: choose daily(n) or weekly(n, days...)");
      }
      if (endDate != null && endDate.isBefore(start.toLocalDate())) {
        throw new IllegalArgumentException(
            "schedule: end date " + endDate + " is before the start date " + start.toLocalDate());
      }
      return new Schedule(this);
    }

    private static int positive(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("schedule: repeat every must be at least 1, was " + n);
      }
      return n;
    }
  }
}
