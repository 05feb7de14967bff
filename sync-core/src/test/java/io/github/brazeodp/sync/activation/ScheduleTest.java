package io.github.brazeodp.sync.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScheduleTest {
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  private static final ZoneId SAO_PAULO = ZoneId.of("America/Sao_Paulo");
  private static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe");
  private static final ZoneId UTC = ZoneId.of("UTC");

  private static Schedule daily(String start, ZoneId zone) {
    return Schedule.recurring(LocalDateTime.parse(start), zone).daily(1).build();
  }

  static Stream<Arguments> runs() {
    Schedule paris9 = daily("2025-03-01T09:00", PARIS);
    Schedule paris0230 = daily("2025-03-01T02:30", PARIS);
    Schedule every3 =
        Schedule.recurring(LocalDateTime.parse("2025-01-01T10:00"), UTC).daily(3).build();
    Schedule biweekly =
        Schedule.recurring(LocalDateTime.parse("2025-01-06T08:00"), PARIS)
            .weekly(2, DayOfWeek.MONDAY, DayOfWeek.THURSDAY)
            .build();
    Schedule weeklyStartDay =
        Schedule.recurring(LocalDateTime.parse("2025-01-08T08:00"), UTC).weekly(1).build();
    Schedule mondaysFromWednesday =
        Schedule.recurring(LocalDateTime.parse("2025-01-08T08:00"), UTC)
            .weekly(1, DayOfWeek.MONDAY)
            .build();
    Schedule ending =
        Schedule.recurring(LocalDateTime.parse("2025-01-01T09:00"), UTC)
            .daily(1)
            .endOn(LocalDate.parse("2025-01-03"))
            .build();
    Schedule future = daily("2030-01-01T09:00", PARIS);
    Schedule sp0030 = daily("2018-11-01T00:30", SAO_PAULO);
    Schedule sp2330 = daily("2019-02-10T23:30", SAO_PAULO);
    Schedule sp9 = daily("2025-01-01T09:00", SAO_PAULO);
    Schedule lh0215 = daily("2024-10-01T02:15", LORD_HOWE);
    Schedule lh0145 = daily("2024-04-01T01:45", LORD_HOWE);
    return Stream.of(
        // Europe/Paris, 09:00 across spring forward (+01 -> +02) and fall back (+02 -> +01).
        Arguments.of("paris 09:00 winter", paris9, "2025-03-28T00:00:00Z", "2025-03-28T08:00:00Z"),
        Arguments.of("paris 09:00 spring", paris9, "2025-03-29T08:00:00Z", "2025-03-30T07:00:00Z"),
        Arguments.of("paris 09:00 fall", paris9, "2025-10-25T07:00:00Z", "2025-10-26T08:00:00Z"),
        // 02:30 does not exist on 2025-03-30: runs once at 03:00 local.
        Arguments.of("paris gap", paris0230, "2025-03-29T01:30:00Z", "2025-03-30T01:00:00Z"),
        Arguments.of("paris after gap", paris0230, "2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z"),
        // 02:30 happens twice on 2025-10-26: runs once, at the earlier (+02) instant.
        Arguments.of("paris overlap", paris0230, "2025-10-25T00:30:00Z", "2025-10-26T00:30:00Z"),
        Arguments.of(
            "paris overlap once", paris0230, "2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"),
        Arguments.of("paris in overlap", paris0230, "2025-10-26T00:45:00Z", "2025-10-27T01:30:00Z"),
        Arguments.of("every 3 days", every3, "2025-01-01T10:00:00Z", "2025-01-04T10:00:00Z"),
        Arguments.of("every 3 days skip", every3, "2025-01-05T00:00:00Z", "2025-01-07T10:00:00Z"),
        Arguments.of("every 3 days before", every3, "2024-12-01T00:00:00Z", "2025-01-01T10:00:00Z"),
        Arguments.of("biweekly thu", biweekly, "2025-01-06T07:00:00Z", "2025-01-09T07:00:00Z"),
        Arguments.of("biweekly gap week", biweekly, "2025-01-09T07:00:00Z", "2025-01-20T07:00:00Z"),
        Arguments.of(
            "weekly start day", weeklyStartDay, "2025-01-08T08:00:00Z", "2025-01-15T08:00:00Z"),
        Arguments.of(
            "weekly monday", mondaysFromWednesday, "2025-01-01T00:00:00Z", "2025-01-13T08:00:00Z"),
        Arguments.of("end date inclusive", ending, "2025-01-02T09:00:00Z", "2025-01-03T09:00:00Z"),
        Arguments.of("after end date", ending, "2025-01-03T09:00:00Z", null),
        Arguments.of("start in the future", future, "2025-06-01T00:00:00Z", "2030-01-01T08:00:00Z"),
        // Sao Paulo 2018: clocks jumped 00:00 -> 01:00 on 2018-11-04; 00:30 runs at 01:00 (-02).
        Arguments.of("sao paulo gap", sp0030, "2018-11-03T03:30:00Z", "2018-11-04T03:00:00Z"),
        Arguments.of("sao paulo after gap", sp0030, "2018-11-04T03:00:00Z", "2018-11-05T02:30:00Z"),
        // 2019-02-16 23:00-24:00 happened twice; 23:30 runs at the earlier (-02) instant.
        Arguments.of("sao paulo overlap", sp2330, "2019-02-16T01:30:00Z", "2019-02-17T01:30:00Z"),
        Arguments.of(
            "sao paulo overlap once", sp2330, "2019-02-17T01:30:00Z", "2019-02-18T02:30:00Z"),
        Arguments.of(
            "sao paulo today (no DST)", sp9, "2025-11-02T00:00:00Z", "2025-11-02T12:00:00Z"),
        // Lord Howe shifts by 30 minutes: 02:00 -> 02:30 on 2024-10-06, 02:00 -> 01:30 on
        // 2024-04-07.
        Arguments.of("lord howe gap", lh0215, "2024-10-05T00:00:00Z", "2024-10-05T15:30:00Z"),
        Arguments.of("lord howe after gap", lh0215, "2024-10-05T15:30:00Z", "2024-10-06T15:15:00Z"),
        Arguments.of("lord howe overlap", lh0145, "2024-04-06T00:00:00Z", "2024-04-06T14:45:00Z"),
        Arguments.of(
            "lord howe overlap once", lh0145, "2024-04-06T14:45:00Z", "2024-04-07T15:15:00Z"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void nextRunAfter(String name, Schedule schedule, String after, String expected) {
    assertThat(schedule.nextRunAfter(Instant.parse(after)))
        .isEqualTo(Optional.ofNullable(expected).map(Instant::parse));
  }

  @Test
  void springForwardRunsOnceAtThreeLocal() {
    Schedule s = daily("2025-03-01T02:30", PARIS);
    Instant run = s.nextRunAfter(Instant.parse("2025-03-29T12:00:00Z")).orElseThrow();
    assertThat(run.atZone(PARIS).toLocalTime()).hasToString("03:00");
    assertThat(s.nextRunAfter(run).orElseThrow()).isEqualTo(Instant.parse("2025-03-31T00:30:00Z"));
  }

  @Test
  void everyRunOfAYearIsOnePerDay() {
    Schedule s = daily("2025-01-01T02:30", PARIS);
    Instant t = Instant.parse("2024-12-31T00:00:00Z");
    int runs = 0;
    LocalDate previous = null;
    for (Optional<Instant> r = s.nextRunAfter(t);
        r.isPresent() && r.get().isBefore(Instant.parse("2026-01-01T00:00:00Z"));
        r = s.nextRunAfter(r.get())) {
      LocalDate day = r.get().atZone(PARIS).toLocalDate();
      assertThat(day).isNotEqualTo(previous);
      previous = day;
      runs++;
    }
    assertThat(runs).isEqualTo(365);
  }

  @Test
  void continuousRunsHourly() {
    Schedule s = Schedule.continuous();
    assertThat(s.nextRunAfter(Instant.parse("2025-01-01T10:15:00Z")))
        .contains(Instant.parse("2025-01-01T11:00:00Z"));
    assertThat(s.nextRunAfter(Instant.parse("2025-01-01T11:00:00Z")))
        .contains(Instant.parse("2025-01-01T12:00:00Z"));
    Schedule from = Schedule.continuous(Instant.parse("2025-01-01T10:20:00Z"));
    assertThat(from.nextRunAfter(Instant.parse("2024-01-01T00:00:00Z")))
        .contains(Instant.parse("2025-01-01T10:20:00Z"));
    assertThat(from.nextRunAfter(Instant.parse("2025-01-01T10:20:00Z")))
        .contains(Instant.parse("2025-01-01T11:20:00Z"));
  }

  @Test
  void badSchedulesAreRefused() {
    LocalDateTime start = LocalDateTime.parse("2025-01-10T09:00");
    assertThatThrownBy(() -> Schedule.recurring(start, UTC).build())
        .hasMessageContaining("daily(n) or weekly(n");
    assertThatThrownBy(() -> Schedule.recurring(start, UTC).daily(0))
        .hasMessageContaining("at least 1, was 0");
    assertThatThrownBy(
            () ->
                Schedule.recurring(start, UTC)
                    .daily(1)
                    .endOn(LocalDate.parse("2025-01-09"))
                    .build())
        .hasMessageContaining("end date 2025-01-09 is before the start date 2025-01-10");
  }
}
