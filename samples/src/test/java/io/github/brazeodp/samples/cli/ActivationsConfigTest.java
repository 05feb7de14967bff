package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.Schedule;
import io.github.brazeodp.sync.activation.TargetIdentifier;
import io.github.brazeodp.sync.activation.Touchpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivationsConfigTest {
  @TempDir Path dir;

  private static final Map<String, String> ENV =
      Map.of("BRAZE_KEY", "braze-secret-123", "ODP_KEY", "odp-secret-456");

  private HostConfig load(String activations) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\"}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"},"
            + " \"activations\": "
            + activations
            + "}");
    return HostConfig.load(file, ENV::get);
  }

  private static final String TARGET_AND_TOUCHPOINT =
      "\"target\": {\"externalIdField\": \"ext\"}, \"touchpoint\": {\"campaign\": \"c-1\"}";

  private void assertError(String activation, String message) {
    assertThatThrownBy(() -> load("[" + activation + "]"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void eventPollingAndCustomEventsAreReadAndChecked() throws Exception {
    HostConfig cfg =
        load(
            "[{\"name\": \"buy\", \"event\": {\"type\": \"order\", \"pollInterval\": \"PT1M\","
                + " \"pollOverlap\": \"PT0S\"}, \"target\": {\"email\": true},"
                + " \"touchpoint\": {\"profileUpdateOnly\": true},"
                + " \"customEvent\": {\"name\": \"odp_{{ event.action }}\","
                + " \"properties\": {\"id\": \"{{ event.data.order_id }}\"}}}]");
    assertThat(cfg.polling("buy").interval()).isEqualTo(java.time.Duration.ofMinutes(1));
    assertThat(cfg.polling("buy").overlap()).isZero();
    assertThat(cfg.activation("buy").customEventName()).contains("odp_{{ event.action }}");
    assertThat(cfg.activation("buy").customEventProperties())
        .containsEntry("id", "{{ event.data.order_id }}");

    assertError(
        "{\"name\": \"buy\", \"event\": {\"type\": \"order\", \"pollInterval\": \"5m\"}, "
            + TARGET_AND_TOUCHPOINT
            + "}",
        "activations[0].event.pollInterval must be an ISO-8601 duration such as \"PT5M\", was"
            + " \"5m\"");
    assertError(
        "{\"name\": \"seg\", \"segment\": \"s\", "
            + TARGET_AND_TOUCHPOINT
            + ", \"customEvent\": {\"name\": \"x\", \"properties\": {\"o\":"
            + " \"{{ event.data.order_id }}\"}}}",
        "activations[0].customEvent.properties.o: event.* values exist only for event enrollment,"
            + " not for a segment");
  }

  @Test
  void everyKindOfActivationIsRead() throws Exception {
    HostConfig cfg =
        load(
            """
            [
              {"name": "weekly", "segment": "lapsed",
               "schedule": {"start": "2026-01-05T09:00", "zone": "Europe/Paris", "every": 2,
                            "unit": "weeks", "daysOfWeek": ["monday", "THURSDAY"],
                            "end": "2026-06-30"},
               "target": {"externalIdField": "braze_external_id"},
               "touchpoint": {"campaign": "camp-1"},
               "fields": {"first_name": "{{ customer.first_name | default: \\"there\\" }}"},
               "properties": {"offer": "TEN"}},
              {"name": "hourly", "segment": "gold", "schedule": {"continuous": true},
               "target": {"aliasLabel": "odp_id", "aliasField": "vuid"},
               "touchpoint": {"profileUpdateOnly": true},
               "fields": {"tier": "gold"}},
              {"name": "on-demand", "segment": "vip", "target": {"email": true},
               "touchpoint": {"canvas": "canvas-1"}},
              {"name": "paid", "event": {"type": "order", "action": "purchase",
                                         "data": {"status": "paid", "items": 3}},
               "rules": {"perCustomerPerHour": 1, "totalPerHour": 100,
                         "ignoreEventsOlderThan": "PT15M"},
               "target": {"email": true}, "touchpoint": {"canvas": "canvas-2"}}
            ]
            """);
    assertThat(cfg.activations())
        .extracting(Activation::name)
        .containsExactly("weekly", "hourly", "on-demand", "paid");

    Activation weekly = cfg.activation("weekly");
    assertThat(weekly.segment()).contains("lapsed");
    assertThat(weekly.target()).isEqualTo(TargetIdentifier.externalId("braze_external_id"));
    assertThat(weekly.touchpoint()).isEqualTo(Touchpoint.campaign("camp-1"));
    assertThat(weekly.fields()).containsKey("first_name");
    assertThat(weekly.properties()).containsEntry("offer", "TEN");
    Schedule s = weekly.schedule().orElseThrow();
    assertThat(s.repeat()).isEqualTo(Schedule.Repeat.WEEKLY);
    assertThat(s.endDate()).contains(LocalDate.of(2026, 6, 30));
    // Every second week on Monday and Thursday from the week of 2026-01-05 (a Monday), 09:00 CET.
    assertThat(s.nextRunAfter(Instant.parse("2026-01-05T09:00:00Z")))
        .contains(Instant.parse("2026-01-08T08:00:00Z"));
    assertThat(s.nextRunAfter(Instant.parse("2026-01-08T09:00:00Z")))
        .contains(Instant.parse("2026-01-19T08:00:00Z"));

    Activation hourly = cfg.activation("hourly");
    assertThat(hourly.schedule().orElseThrow().repeat()).isEqualTo(Schedule.Repeat.HOURLY);
    assertThat(hourly.target()).isEqualTo(TargetIdentifier.userAlias("odp_id", "vuid"));
    assertThat(hourly.touchpoint().sendsMessages()).isFalse();

    Activation onDemand = cfg.activation("on-demand");
    assertThat(onDemand.schedule()).isEmpty();
    assertThat(onDemand.target()).isEqualTo(TargetIdentifier.email());

    Activation paid = cfg.activation("paid");
    assertThat(paid.rules().perCustomerPerHour()).isEqualTo(1);
    assertThat(paid.rules().totalPerHour()).isEqualTo(100);
    assertThat(paid.rules().latencyCutOff()).contains(Duration.ofMinutes(15));
    // JSON's 3 is read as a double; it must still match an event whose data holds 3.
    assertThat(paid.eventFilter().orElseThrow().test(order("paid", 3))).isTrue();
    assertThat(paid.eventFilter().orElseThrow().test(order("paid", 4))).isFalse();
    assertThat(paid.eventFilter().orElseThrow().test(order("refunded", 3))).isFalse();

    assertThatThrownBy(() -> cfg.activation("nope"))
        .hasMessageContaining("no activation named \"nope\"")
        .hasMessageContaining("[weekly, hourly, on-demand, paid]");
  }

  private static OdpEvent order(String status, int items) {
    return OdpEvent.builder("order", "purchase")
        .identifier("email", "a@example.com")
        .data("status", status)
        .data("items", items)
        .build();
  }

  @Test
  void unknownKeysAndMissingKeysAreNamed() {
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", \"tagret\": {}, " + TARGET_AND_TOUCHPOINT + "}",
        "unknown config key activations[0].tagret (did you mean activations[0].target?)");
    assertError(
        "{\"segment\": \"s\", " + TARGET_AND_TOUCHPOINT + "}",
        "missing config key activations[0].name");
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", \"touchpoint\": {\"campaign\": \"c\"}}",
        "missing config key activations[0].target");
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", \"target\": {\"email\": true},"
            + " \"touchpoint\": {\"campaign\": \"c\", \"canvas\": \"v\"}}",
        "activations[0].touchpoint needs exactly one of \"campaign\": id, \"canvas\": id or"
            + " \"profileUpdateOnly\": true");
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", \"target\": {\"aliasLabel\": \"l\"},"
            + " \"touchpoint\": {\"campaign\": \"c\"}}",
        "missing config key activations[0].target.aliasField");
    assertError(
        "{\"name\": \"a\", " + TARGET_AND_TOUCHPOINT + "}",
        "activations[0] needs exactly one enrollment: \"segment\" (an ODP segment) or \"event\"");
    assertError(
        "{\"name\": \"a\", \"event\": {\"type\": \"order\", \"data\": {\"x\": [1]}}, "
            + TARGET_AND_TOUCHPOINT
            + "}",
        "activations[0].event.data.x must be a string, number or boolean, was [1.0]");
  }

  @Test
  void theSecondActivationIsNamedByItsIndex() {
    assertThatThrownBy(
            () ->
                load(
                    "[{\"name\": \"a\", \"segment\": \"s\", "
                        + TARGET_AND_TOUCHPOINT
                        + "}, {\"name\": \"a\", \"segment\": \"t\", "
                        + TARGET_AND_TOUCHPOINT
                        + "}]"))
        .hasMessage("activations[1].name: \"a\" is already the name of activations[0].name");
    assertThatThrownBy(
            () ->
                load(
                    "[{\"name\": \"a\", \"segment\": \"s\", "
                        + TARGET_AND_TOUCHPOINT
                        + "}, {\"name\": \"b\", \"segment\": \"t\", \"target\": {\"email\": true},"
                        + " \"touchpoint\": {}}]"))
        .hasMessageStartingWith("activations[1].touchpoint needs exactly one of");
  }

  @Test
  void fieldsAreLimitedAndTheirTemplatesChecked() {
    String many =
        IntStream.rangeClosed(1, 21)
            .mapToObj(i -> "\"f" + i + "\": \"x\"")
            .collect(Collectors.joining(", ", "{", "}"));
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", "
            + TARGET_AND_TOUCHPOINT
            + ", \"fields\": "
            + many
            + "}",
        "activations[0].fields has 21 entries, over the limit of 20");
    assertThatThrownBy(
            () ->
                load(
                    "[{\"name\": \"a\", \"segment\": \"s\", "
                        + TARGET_AND_TOUCHPOINT
                        + ", \"fields\": {\"ok\": \"{{ customer.a }}\","
                        + " \"company\": \"{{ customer.company | capitalize }}\"}}]"))
        .hasMessageStartingWith("activations[0].fields.company: ")
        .hasMessageContaining("capitalize");
    assertThatThrownBy(
            () ->
                load(
                    "[{\"name\": \"a\", \"segment\": \"s\", "
                        + TARGET_AND_TOUCHPOINT
                        + ", \"properties\": {\"$bad\": \"x\"}}]"))
        .hasMessageStartingWith("activations[0].properties.$bad: ");
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", "
            + TARGET_AND_TOUCHPOINT
            + ", \"fields\": {\"x\": 3}}",
        "activations[0].fields.x must be a string, found number 3");
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", \"target\": {\"email\": true},"
            + " \"touchpoint\": {\"profileUpdateOnly\": true}}",
        "activations[0].fields: a profileUpdateOnly touchpoint needs at least one field or a customEvent");
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", \"target\": {\"email\": true},"
            + " \"touchpoint\": {\"profileUpdateOnly\": true}, \"fields\": {\"a\": \"b\"},"
            + " \"properties\": {\"p\": \"q\"}}",
        "activations[0].properties apply to campaigns and Canvases, not to profileUpdateOnly");
  }

  @Test
  void rulesAndSchedulesAreCheckedAgainstTheEnrollment() {
    assertError(
        "{\"name\": \"a\", \"segment\": \"s\", \"rules\": {\"totalPerHour\": 5}, "
            + TARGET_AND_TOUCHPOINT
            + "}",
        "activations[0].rules applies to event enrollment only; remove it or use \"event\"");
    assertError(
        "{\"name\": \"a\", \"event\": {\"type\": \"order\"}, \"schedule\": {\"continuous\": true}, "
            + TARGET_AND_TOUCHPOINT
            + "}",
        "activations[0].schedule applies to segment enrollment only; event enrollment runs as"
            + " events arrive");
    assertError(
        "{\"name\": \"a\", \"event\": {\"type\": \"order\"},"
            + " \"rules\": {\"ignoreEventsOlderThan\": \"15 minutes\"}, "
            + TARGET_AND_TOUCHPOINT
            + "}",
        "activations[0].rules.ignoreEventsOlderThan must be an ISO-8601 duration such as"
            + " \"PT15M\", was \"15 minutes\"");
    assertError(
        "{\"name\": \"a\", \"event\": {\"type\": \"order\"},"
            + " \"rules\": {\"perCustomerPerHour\": -1}, "
            + TARGET_AND_TOUCHPOINT
            + "}",
        "activations[0].rules.perCustomerPerHour must be 0 (no cap) or more, was -1");
    assertError(
        "{\"name\": \"a\", \"event\": {\"type\": \"order\"}, \"rules\": {\"totalPerHour\": 5},"
            + " \"target\": {\"email\": true}, \"touchpoint\": {\"profileUpdateOnly\": true},"
            + " \"fields\": {\"a\": \"b\"}}",
        "activations[0].rules: per-hour caps count messages, and a profileUpdateOnly touchpoint"
            + " sends none");
  }

  @Test
  void scheduleErrorsNameTheirKey() {
    String head =
        "{\"name\": \"a\", \"segment\": \"s\", " + TARGET_AND_TOUCHPOINT + ", \"schedule\": ";
    assertError(
        head + "{\"start\": \"2026-01-05 09:00\", \"zone\": \"UTC\", \"unit\": \"DAYS\"}}",
        "activations[0].schedule.start must be a local date-time such as \"2026-01-05T09:00\","
            + " was \"2026-01-05 09:00\"");
    assertError(
        head + "{\"start\": \"2026-01-05T09:00\", \"zone\": \"Mars/Olympus\", \"unit\": \"DAYS\"}}",
        "activations[0].schedule.zone must be an IANA time zone such as Europe/Paris, was"
            + " \"Mars/Olympus\"");
    assertError(
        head + "{\"start\": \"2026-01-05T09:00\", \"zone\": \"UTC\", \"unit\": \"MONTHS\"}}",
        "activations[0].schedule.unit must be DAYS or WEEKS, was \"MONTHS\"");
    assertError(
        head
            + "{\"start\": \"2026-01-05T09:00\", \"zone\": \"UTC\", \"every\": 0, \"unit\": \"DAYS\"}}",
        "activations[0].schedule.every must be at least 1, was 0");
    assertError(
        head
            + "{\"start\": \"2026-01-05T09:00\", \"zone\": \"UTC\", \"unit\": \"WEEKS\","
            + " \"daysOfWeek\": [\"MONDAY\", \"Funday\"]}}",
        "activations[0].schedule.daysOfWeek[1] must be a day such as MONDAY, was \"Funday\"");
    assertError(
        head
            + "{\"start\": \"2026-01-05T09:00\", \"zone\": \"UTC\", \"unit\": \"DAYS\","
            + " \"daysOfWeek\": [\"MONDAY\"]}}",
        "activations[0].schedule.daysOfWeek applies to \"unit\": \"WEEKS\" only");
    assertError(
        head
            + "{\"start\": \"2026-01-05T09:00\", \"zone\": \"UTC\", \"unit\": \"DAYS\", \"end\": \"2025-12-31\"}}",
        "activations[0].schedule.end: schedule: end date 2025-12-31 is before the start date"
            + " 2026-01-05");
    assertError(
        head + "{\"continuous\": true, \"zone\": \"UTC\"}}",
        "unknown config key activations[0].schedule.zone");
    assertError(
        head + "{\"zone\": \"UTC\", \"unit\": \"DAYS\"}}",
        "missing config key activations[0].schedule.start");
  }

  @Test
  void theDefaultOccurrenceIsTheLatestDueRunOrTheTime() {
    Activation daily =
        Activation.builder("d")
            .segment("s")
            .schedule(
                Schedule.recurring(LocalDateTime.of(2026, 1, 1, 9, 0), ZoneId.of("Europe/Paris"))
                    .daily(1)
                    .build())
            .target(TargetIdentifier.email())
            .touchpoint(Touchpoint.campaign("c"))
            .build();
    assertThat(ActivateCommand.defaultOccurrence(daily, Instant.parse("2026-03-10T07:59:00Z")))
        .isEqualTo("2026-03-09T08:00:00Z");
    assertThat(ActivateCommand.defaultOccurrence(daily, Instant.parse("2026-03-10T08:00:00Z")))
        .isEqualTo("2026-03-10T08:00:00Z");
    // Before the first run: nothing is due, so the occurrence is the time itself.
    assertThat(ActivateCommand.defaultOccurrence(daily, Instant.parse("2025-12-31T10:15:30.5Z")))
        .isEqualTo("manual-2025-12-31T10:15:30Z");

    Activation hourly =
        Activation.builder("h")
            .segment("s")
            .schedule(Schedule.continuous())
            .target(TargetIdentifier.email())
            .touchpoint(Touchpoint.campaign("c"))
            .build();
    assertThat(ActivateCommand.defaultOccurrence(hourly, Instant.parse("2026-03-10T07:59:00Z")))
        .isEqualTo("2026-03-10T07:00:00Z");

    Activation ended =
        Activation.builder("e")
            .segment("s")
            .schedule(
                Schedule.recurring(LocalDateTime.of(2026, 1, 1, 9, 0), ZoneId.of("UTC"))
                    .weekly(2)
                    .endOn(LocalDate.of(2026, 2, 1))
                    .build())
            .target(TargetIdentifier.email())
            .touchpoint(Touchpoint.campaign("c"))
            .build();
    assertThat(ActivateCommand.defaultOccurrence(ended, Instant.parse("2027-06-01T00:00:00Z")))
        .isEqualTo("2026-01-29T09:00:00Z");
  }
}
