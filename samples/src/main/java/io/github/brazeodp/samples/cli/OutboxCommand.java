package io.github.brazeodp.samples.cli;

import io.github.brazeodp.samples.ui.Age;
import io.github.brazeodp.sync.state.DeadLetter;
import io.github.brazeodp.sync.state.DeadLetterFilter;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.OutboxSize;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Shows the Currents outbox and its dead letters, and replays or purges dead letters.
 *
 * <p>It opens the state file itself, so run it while the receiver is stopped or alongside it (the
 * SQLite store lets two processes share the file; a replay is picked up by the running forwarder's
 * next cycle).
 */
@Command(
    name = "outbox",
    mixinStandardHelpOptions = true,
    description =
        "Shows the Currents outbox: queued and dead-letter counts, the oldest queued event's age"
            + " and samples of the dead letters with their reasons.",
    subcommands = {OutboxCommand.Replay.class, OutboxCommand.Purge.class})
final class OutboxCommand implements Callable<Integer> {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)([smhd])");

  /** Where the state file is: --state, or the one --config names. */
  static final class StateOption {
    @Option(names = "--state", description = "State file (default: from --config).")
    Path state;

    @Option(names = "--config", description = "JSON configuration file naming the state file.")
    Path config;

    <T> T withStore(Function<SyncStateStore, T> work) {
      try (SyncStateStore store = HostConfig.openStateOf(state, config, System::getenv)) {
        return work.apply(store);
      }
    }
  }

  @Mixin StateOption where;

  @Option(
      names = "--limit",
      defaultValue = "10",
      description = "How many dead letters to show (default 10).")
  int limit;

  Clock clock = Clock.systemUTC();
  PrintStream out = System.out;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new ConfigException("--limit must be at least 1, was " + limit);
    }
    return where.withStore(store -> status(out, store, clock.instant(), limit));
  }

  /** Prints the outbox's state; returns 2 (partial) when dead letters wait for a person. */
  static int status(PrintStream out, SyncStateStore store, Instant now, int limit) {
    OutboxSize size = store.outboxSize();
    List<OutboxMessage> oldest = store.peekOutbox(1);
    out.printf(Locale.ROOT, "queued:       %d events, %d bytes%n", size.messages(), size.bytes());
    out.printf(
        Locale.ROOT,
        "oldest:       %s%n",
        oldest.isEmpty()
            ? "-"
            : age(Duration.between(oldest.get(0).enqueuedAt(), now))
                + " ago ("
                + oldest.get(0).enqueuedAt()
                + ", "
                + oldest.get(0).attempts()
                + " failed attempts)");
    long dead = store.deadLetterCount();
    out.printf(Locale.ROOT, "dead letters: %d%n", dead);
    for (DeadLetter d : store.deadLetters(DeadLetterFilter.all(), limit)) {
      out.printf(Locale.ROOT, "  %s  %s  %s%n", d.deadAt(), d.id(), d.reason());
    }
    if (dead > limit) {
      out.printf(Locale.ROOT, "  ... and %d more%n", dead - limit);
    }
    if (dead > 0) {
      out.println(
          "replay them with `outbox replay [--reason TEXT] [--since TIME] [--until TIME]`"
              + " once the cause is fixed");
    }
    return dead > 0 ? ExitCodes.PARTIAL : ExitCodes.OK;
  }

  static String age(Duration d) {
    return Age.format(d);
  }

  /** Parses {@code 30d}, {@code 12h}, {@code 45m}, {@code 90s} or ISO-8601 ({@code PT1H}). */
  static Duration duration(String text, String option) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    Matcher m = SHORT_DURATION.matcher(t);
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      return Duration.parse(text.strip());
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      throw new ConfigException(
          option + " " + text + " is not a duration; use e.g. 30d, 12h, 45m, 90s or PT1H");
    }
  }

  static Instant instant(String text, String option) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          option + " " + text + " is not a UTC time; use e.g. 2026-12-01T00:00:00Z");
    }
  }

  /** Moves dead letters back into the outbox. */
  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description =
          "Moves dead letters back to the outbox (all, or those matching every option given);"
              + " the forwarder sends them on its next cycle. ODP keeps one copy per Currents id.")
  static final class Replay implements Callable<Integer> {
    @Mixin StateOption where;

    @Option(names = "--reason", description = "Only those whose reason contains this text.")
    String reason;

    @Option(names = "--since", description = "Only those that died at or after this UTC time.")
    String since;

    @Option(names = "--until", description = "Only those that died before this UTC time.")
    String until;

    Clock clock = Clock.systemUTC();
    PrintStream out = System.out;

    @Override
    public Integer call() {
      DeadLetterFilter filter =
          new DeadLetterFilter(reason, instant(since, "--since"), instant(until, "--until"));
      long n = where.withStore(store -> store.replayDeadLetters(filter, clock.instant()));
      out.printf(Locale.ROOT, "replayed %d dead letters into the outbox%n", n);
      return ExitCodes.OK;
    }
  }

  /** Deletes old dead letters for good. */
  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = "Deletes, for good, the dead letters older than the given age.")
  static final class Purge implements Callable<Integer> {
    @Mixin StateOption where;

    @Option(
        names = "--older-than",
        required = true,
        description = "Age of the dead letters to delete: 30d, 12h, 45m, 90s or PT1H.")
    String olderThan;

    Clock clock = Clock.systemUTC();
    PrintStream out = System.out;

    @Override
    public Integer call() {
      Duration age = duration(olderThan, "--older-than");
      if (age.isNegative()) {
        throw new ConfigException("--older-than must not be negative, was " + olderThan);
      }
      Instant cutoff = clock.instant().minus(age);
      long n = where.withStore(store -> store.purgeDeadLetters(cutoff));
      out.printf(Locale.ROOT, "purged %d dead letters that died before %s%n", n, cutoff);
      return ExitCodes.OK;
    }
  }
}
