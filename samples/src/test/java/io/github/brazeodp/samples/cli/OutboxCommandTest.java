package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.sync.state.DeadLetterFilter;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code braze-odp-sync outbox}: status, replay and purge over a real state file. */
class OutboxCommandTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;

  private Path seed() {
    Path file = dir.resolve("state.db");
    try (SyncStateStore store = SyncStateStore.sqlite(file)) {
      store.enqueue(
          List.of(
              new OutboxMessage("q1", "{}", T0),
              new OutboxMessage("d1", "{}", T0),
              new OutboxMessage("d2", "{}", T0),
              new OutboxMessage("d3", "{}", T0)));
      store.countAttempts(List.of("q1"));
      store.deadLetter(Map.of("d1", "ODP refused the event: data._x: not allowed"), T0);
      store.deadLetter(Map.of("d2", "gave up after 100 failed delivery attempts"), T0);
      store.deadLetter(
          Map.of("d3", "ODP refused the event: data._y: not allowed"), T0.plusSeconds(5));
    }
    return file;
  }

  @Test
  void statusShowsCountsOldestAgeAndSampleReasons() {
    Path file = seed();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try (SyncStateStore store = SyncStateStore.sqlite(file)) {
      code =
          OutboxCommand.status(
              new PrintStream(bytes, true, StandardCharsets.UTF_8),
              store,
              T0.plus(Duration.ofHours(3)),
              2);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(ExitCodes.PARTIAL);
    assertThat(out)
        .contains("queued:       1 events")
        .contains("oldest:       3h ago (2026-12-01T10:00:00Z, 1 failed attempts)")
        .contains("dead letters: 3")
        .contains("d1  ODP refused the event: data._x: not allowed")
        .contains("d2  gave up after 100")
        .doesNotContain("d3  ")
        .contains("... and 1 more")
        .contains("outbox replay");
  }

  @Test
  void replayByReasonThenPurgeByAge() {
    Path file = seed();
    assertThat(
            Main.run(
                "outbox",
                "replay",
                "--state",
                file.toString(),
                "--reason",
                "not allowed",
                "--until",
                "2026-12-01T10:00:01Z"))
        .isZero();
    try (SyncStateStore store = SyncStateStore.sqlite(file)) {
      assertThat(store.peekOutbox(10)).extracting(OutboxMessage::id).containsExactly("q1", "d1");
      assertThat(store.deadLetters(DeadLetterFilter.all(), 10))
          .extracting(d -> d.id())
          .containsExactly("d2", "d3");
    }

    assertThat(Main.run("outbox", "purge", "--state", file.toString(), "--older-than", "1d"))
        .isZero();
    try (SyncStateStore store = SyncStateStore.sqlite(file)) {
      // They died in 2026-12-01, more than a day before the real clock of this test run.
      assertThat(store.deadLetterCount()).isZero();
      assertThat(store.outboxSize().messages()).isEqualTo(2);
    }
  }

  @Test
  void badArgumentsAreUsageErrorsNamingTheValue() {
    Path file = seed();
    assertThat(Main.run("outbox", "purge", "--state", file.toString(), "--older-than", "soon"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(Main.run("outbox", "replay", "--state", file.toString(), "--since", "yesterday"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(Main.run("outbox", "--state", dir.resolve("missing.db").toString()))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(OutboxCommand.duration("30d", "--older-than")).isEqualTo(Duration.ofDays(30));
    assertThat(OutboxCommand.duration("PT90M", "--older-than")).isEqualTo(Duration.ofMinutes(90));
  }
}
