package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.state.LedgerEntry;
import io.github.brazeodp.sync.state.LedgerState;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Lists the activation ledger's unknown outcomes and lets a person resolve them: after checking in
 * Braze whether a customer got the message, mark it sent (never resent) or not sent (a rerun of the
 * occurrence sends it).
 */
@Command(
    name = "ledger",
    mixinStandardHelpOptions = true,
    description = {
      "Lists an activation's ledger entries with an unknown outcome (a timeout or 5xx after the"
          + " send left) and resolves them.",
      "Without --mark-*: lists, over all occurrences or the one given. With --mark-sent or"
          + " --mark-not-sent: records the outcome for the --customer keys of --occurrence; not"
          + " sent lets a rerun of the occurrence send them again."
    })
final class LedgerCommand implements Callable<Integer> {
  @Option(names = "--state", description = "State file (default: from --config).")
  Path state;

  @Option(names = "--config", description = "JSON configuration file naming the state file.")
  Path config;

  @Option(names = "--name", required = true, description = "The activation's name.")
  String name;

  @Option(
      names = "--custom-events",
      description =
          "Use the ledger of the activation's Braze custom events instead of its messages.")
  boolean customEvents;

  @Option(
      names = "--occurrence",
      description = "One occurrence (for event enrollment: event:<ODP event id>).")
  String occurrence;

  @Option(
      names = "--states",
      split = ",",
      defaultValue = "UNKNOWN",
      description =
          "States to list, comma-separated (default UNKNOWN; also PENDING, SENT, FAILED).")
  List<String> states;

  @Option(names = "--limit", defaultValue = "100", description = "Most entries listed (100).")
  int limit;

  @ArgGroup(exclusive = true)
  Mark mark;

  @Option(names = "--customer", split = ",", description = "Customer keys to mark, as listed.")
  List<String> customers;

  static final class Mark {
    @Option(names = "--mark-sent", description = "The customers got the message: never resend.")
    boolean sent;

    @Option(
        names = "--mark-not-sent",
        description = "The customers did not get it: a rerun of the occurrence may send them.")
    boolean notSent;
  }

  Clock clock = Clock.systemUTC();
  PrintStream out = System.out;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new ConfigException("--limit must be at least 1, was " + limit);
    }
    String ledger = customEvents ? name + Activation.CUSTOM_EVENT_LEDGER_SUFFIX : name;
    try (SyncStateStore store = HostConfig.openStateOf(state, config, System::getenv)) {
      if (mark != null) {
        return mark(store, ledger);
      }
      Set<LedgerState> wanted = states();
      List<LedgerEntry> entries =
          occurrence == null
              ? store.ledgerEntries(ledger, wanted, limit)
              : store.ledgerEntries(ledger, occurrence, wanted).stream().limit(limit).toList();
      print(entries);
      return ExitCodes.OK;
    }
  }

  private int mark(SyncStateStore store, String ledger) {
    if (occurrence == null || customers == null || customers.isEmpty()) {
      throw new ConfigException(
          "--mark-sent and --mark-not-sent need --occurrence and --customer (as listed)");
    }
    LedgerState outcome = mark.sent ? LedgerState.SENT : LedgerState.FAILED;
    String reason = mark.sent ? null : "marked not sent by a person after checking Braze";
    try {
      store.transaction(
          tx ->
              tx.markOutcome(
                  ledger, occurrence, customers, outcome, null, reason, clock.instant()));
    } catch (IllegalStateException e) {
      throw new ConfigException(
          "activation " + name + ", occurrence " + occurrence + ": " + e.getMessage());
    }
    out.println(
        "activation "
            + ledger
            + ", occurrence "
            + occurrence
            + ": "
            + customers.size()
            + " marked "
            + (mark.sent ? "sent" : "not sent (a rerun of the occurrence may send them)"));
    return ExitCodes.OK;
  }

  private Set<LedgerState> states() {
    Set<LedgerState> out = EnumSet.noneOf(LedgerState.class);
    for (String s : states) {
      try {
        out.add(LedgerState.valueOf(s.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "--states: unknown state \"" + s + "\"; use UNKNOWN, PENDING, SENT or FAILED");
      }
    }
    return out;
  }

  private void print(List<LedgerEntry> entries) {
    if (entries.isEmpty()) {
      out.println("no entries");
      return;
    }
    out.println("occurrence\tcustomer\tstate\tattempted\treason");
    for (LedgerEntry e : entries) {
      out.println(
          e.occurrence()
              + "\t"
              + e.customer()
              + "\t"
              + e.state()
              + "\t"
              + e.attemptedAt()
              + "\t"
              + (e.reason() == null ? "" : e.reason()));
    }
    if (entries.size() == limit) {
      out.println("(first " + limit + " shown; raise --limit for more)");
    }
  }
}
