package io.github.brazeodp.samples.cli;

import io.github.brazeodp.braze.BrazeApiException;
import io.github.brazeodp.braze.BrazeAuthException;
import io.github.brazeodp.braze.BrazeBadRequestException;
import io.github.brazeodp.braze.BrazeException;
import io.github.brazeodp.braze.BrazeNotFoundException;
import io.github.brazeodp.braze.KeyVerification;
import io.github.brazeodp.braze.MessageDetails;
import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.odp.OdpAuthException;
import io.github.brazeodp.odp.OdpRegion;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.Touchpoint;
import io.github.brazeodp.sync.mapping.MappingException;
import io.github.brazeodp.sync.mapping.ValidationResult;
import io.github.brazeodp.sync.segments.SegmentSync;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Preflight: checks a configuration against the real APIs before the first run and prints one
 * verdict per check. Reads only, except that the state file is created when absent, as any run
 * does.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Checks the configuration against Braze and ODP: key permissions and instance, ODP key and"
            + " region, mapping rules and identifiers against ODP's schema, the segment selection,"
            + " activations, Currents tokens and the state file. Exit 0 all pass, 2 some warn, 1"
            + " something fails.")
final class CheckCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, description = "JSON configuration file.")
  Path config;

  enum Verdict {
    PASS,
    WARN,
    FAIL
  }

  record Row(String check, Verdict verdict, String detail) {}

  /** Widest usual check name ("braze permission campaigns.trigger.send"), for aligned columns. */
  private static final int CHECK_WIDTH = 40;

  /**
   * One attempt per call: a run retries for minutes, which is right for a nightly job and wrong for
   * a command someone waits on; an unanswered check says "run check again" instead.
   */
  private static final int CHECK_ATTEMPTS = 1;

  @Override
  public Integer call() {
    HostConfig cfg = HostConfig.load(config, main.env);
    PrintWriter out = spec.commandLine().getOut();
    List<String> secrets = secrets(cfg);
    out.printf(Locale.ROOT, FORMAT, "CHECK", "VERDICT", "DETAIL");
    out.flush();
    // Rows are printed as they come, so a slow API shows which check is waiting.
    List<Row> rows =
        run(
            cfg,
            row -> {
              out.print(line(row, secrets));
              out.flush();
            });
    out.println(summary(rows));
    out.flush();
    return exitCode(rows);
  }

  static int exitCode(List<Row> rows) {
    if (rows.stream().anyMatch(r -> r.verdict() == Verdict.FAIL)) {
      return ExitCodes.FAILED;
    }
    if (rows.stream().anyMatch(r -> r.verdict() == Verdict.WARN)) {
      return ExitCodes.PARTIAL;
    }
    return ExitCodes.OK;
  }

  /** Runs every check, passing each row to {@code sink} as soon as it is known. */
  static List<Row> run(HostConfig cfg, Consumer<Row> sink) {
    List<Row> rows = new ArrayList<>();
    Consumer<Row> add =
        row -> {
          rows.add(row);
          sink.accept(row);
        };
    Row state = cfg.postgres() != null ? postgres(cfg.postgres()) : stateFile(cfg.stateFile());
    add.accept(state);
    add.accept(currentsTokens(cfg.currents()));
    if (state.verdict() == Verdict.FAIL) {
      // Opening the host opens the state store; without it nothing else can be checked here.
      add.accept(new Row("API checks", Verdict.WARN, "not run: fix the state file first"));
      return List.copyOf(rows);
    }
    try (Host host =
        Host.open(
            cfg,
            null,
            b ->
                b.retry(
                    io.github.brazeodp.braze.RetrySettings.builder()
                        .maxAttempts(CHECK_ATTEMPTS)
                        .build()),
            o ->
                o.retry(
                    io.github.brazeodp.odp.RetrySettings.builder()
                        .maxAttempts(CHECK_ATTEMPTS)
                        .build()))) {
      braze(host, cfg).forEach(add);
      List<SchemaField> schema = odp(host, cfg, add);
      schemaRules(host, cfg, schema).forEach(add);
      add.accept(selection(host, cfg));
      activations(host, cfg, schema).forEach(add);
    }
    return List.copyOf(rows);
  }

  // ---- checks ----------------------------------------------------------------------------------

  /** Opens the PostgreSQL store, which also creates or migrates its schema, and closes it. */
  static Row postgres(HostConfig.Postgres postgres) {
    String check = "state store";
    String where = "PostgreSQL " + postgres.url() + " as " + postgres.user();
    try (io.github.brazeodp.sync.state.SyncStateStore store = postgres.open()) {
      return new Row(
          check,
          Verdict.PASS,
          where
              + ": connected, schema current; outbox holds "
              + store.outboxSize().messages()
              + " events");
    } catch (RuntimeException e) {
      return new Row(check, Verdict.FAIL, where + ": " + e.getMessage());
    }
  }

  static Row stateFile(Path file) {
    String check = "state file";
    Path absolute = file.toAbsolutePath();
    if (Files.exists(absolute)) {
      if (!Files.isRegularFile(absolute)) {
        return new Row(check, Verdict.FAIL, absolute + " exists but is not a regular file");
      }
      return Files.isWritable(absolute)
          ? new Row(check, Verdict.PASS, absolute + " is writable")
          : new Row(check, Verdict.FAIL, absolute + " is not writable by this user");
    }
    Path dir = absolute.getParent();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
      return new Row(
          check,
          Verdict.FAIL,
          absolute + " does not exist and " + dir + " is not a writable directory");
    }
    return new Row(check, Verdict.PASS, absolute + " will be created (" + dir + " is writable)");
  }

  static Row currentsTokens(HostConfig.Currents currents) {
    String check = "currents tokens";
    if (!currents.enabled()) {
      return new Row(
          check, Verdict.PASS, "receiver not configured (no currents.tokensEnv): nothing to check");
    }
    if (currents.tokens().isEmpty()) {
      return new Row(
          check,
          Verdict.FAIL,
          "none of the variables named by currents.tokensEnv "
              + currents.variables()
              + " is set: currents-receiver and daemon will refuse to start");
    }
    return new Row(
        check,
        Verdict.PASS,
        currents.tokens().size() + " of " + currents.variables().size() + " token variables set");
  }

  private static List<Row> braze(Host host, HostConfig cfg) {
    List<Row> rows = new ArrayList<>();
    KeyVerification v;
    try {
      v = host.braze.verifyKey();
    } catch (RuntimeException e) {
      rows.add(new Row("braze key", Verdict.FAIL, "the key check failed: " + describe(e)));
      return rows;
    }
    if (v.wrongInstanceOrInvalidKey()) {
      rows.add(new Row("braze instance", Verdict.FAIL, v.summary()));
      return rows;
    }
    if (v.verdicts().values().stream().allMatch(x -> x == KeyVerification.Verdict.UNKNOWN)) {
      rows.add(
          new Row(
              "braze instance",
              Verdict.FAIL,
              "no answer from "
                  + v.baseUrl()
                  + " (network error or 5xx on every probe): check braze.instance / braze.baseUrl"
                  + " and the network"));
      return rows;
    }
    rows.add(new Row("braze instance", Verdict.PASS, "the key is valid at " + v.baseUrl()));
    Set<String> needed = neededPermissions(cfg);
    v.verdicts()
        .forEach(
            (permission, verdict) -> {
              String check = "braze permission " + permission;
              boolean need = needed.contains(permission);
              rows.add(
                  switch (verdict) {
                    case GRANTED -> new Row(check, Verdict.PASS, "granted");
                    case DENIED ->
                        need
                            ? new Row(
                                check,
                                Verdict.FAIL,
                                "denied (403): the key lacks "
                                    + permission
                                    + ", which this configuration needs; add it to the key in"
                                    + " Braze (Settings > APIs and Identifiers)")
                            : new Row(
                                check,
                                Verdict.WARN,
                                "denied (403); not needed by this configuration");
                    case KEY_REJECTED ->
                        new Row(check, Verdict.FAIL, "401: the key was rejected on this endpoint");
                    case UNKNOWN ->
                        new Row(
                            check,
                            need ? Verdict.FAIL : Verdict.WARN,
                            "could not be verified (network error or 5xx); run check again");
                  });
            });
    return rows;
  }

  /** The permissions the configured flows use; a missing one that nothing uses only warns. */
  static Set<String> neededPermissions(HostConfig cfg) {
    Set<String> needed = new LinkedHashSet<>();
    if (!cfg.segmentSync().selection().isNone()) {
      needed.add("segments.list");
      needed.add("users.export.segment");
    }
    for (Activation a : cfg.activations()) {
      needed.add("users.track");
      if (a.touchpoint().kind() == Touchpoint.Kind.CAMPAIGN) {
        needed.add("campaigns.trigger.send");
      } else if (a.touchpoint().kind() == Touchpoint.Kind.CANVAS) {
        needed.add("canvas.trigger.send");
      }
    }
    return needed;
  }

  /** Adds the ODP row and returns the customer schema, or null when ODP could not be read. */
  private static List<SchemaField> odp(Host host, HostConfig cfg, Consumer<Row> rows) {
    String where = odpTarget(cfg);
    try {
      List<SchemaField> fields = host.odpGateway.customerFields();
      rows.accept(
          new Row(
              "odp key and region",
              Verdict.PASS,
              "the key reads the customers schema at "
                  + where
                  + " ("
                  + fields.size()
                  + " fields)"));
      return fields;
    } catch (OdpAuthException e) {
      rows.accept(
          new Row(
              "odp key and region",
              Verdict.FAIL,
              "ODP refused the key ("
                  + e.status()
                  + ") at "
                  + where
                  + ": a wrong or revoked private key, or a key of another region"));
    } catch (RuntimeException e) {
      rows.accept(new Row("odp key and region", Verdict.FAIL, "at " + where + ": " + describe(e)));
    }
    return null;
  }

  private static String odpTarget(HostConfig cfg) {
    if (cfg.odp().baseUrl() != null) {
      return cfg.odp().baseUrl();
    }
    OdpRegion region = cfg.odp().region();
    return region != null ? "region " + region + " (" + region.baseUrl() + ")" : "the key's region";
  }

  private static List<Row> schemaRules(Host host, HostConfig cfg, List<SchemaField> schema) {
    if (schema == null) {
      return List.of(
          new Row("identifiers", Verdict.WARN, "not checked: ODP's schema could not be read"),
          new Row("mapping rules", Verdict.WARN, "not checked: ODP's schema could not be read"));
    }
    HostConfig.SegmentSync s = cfg.segmentSync();
    SegmentSync sync =
        SegmentSync.builder()
            .braze(host.brazeGateway)
            .odp(host.odpGateway)
            .state(host.state)
            .selection(s.selection())
            .mappings(s.mappings())
            .identity(s.identity())
            .createMissingFields(s.createMissingFields())
            .build();
    String identifiers = "ODP identifiers " + s.identity().odpIdentifiers() + " exist";
    try {
      ValidationResult result = sync.checkSchema();
      String detail =
          s.mappings().rules().size()
              + " rules fit ODP's customer fields"
              + (result.fieldsToCreate().isEmpty()
                  ? ""
                  : "; the first run creates " + result.fieldsToCreate().keySet());
      return List.of(
          new Row("identifiers", Verdict.PASS, identifiers),
          new Row("mapping rules", Verdict.PASS, detail));
    } catch (MappingException e) {
      return List.of(
          new Row("identifiers", Verdict.PASS, identifiers),
          new Row("mapping rules", Verdict.FAIL, oneLine(e.getMessage())));
    } catch (IllegalArgumentException e) {
      return List.of(
          new Row("identifiers", Verdict.FAIL, oneLine(e.getMessage())),
          new Row("mapping rules", Verdict.WARN, "not checked: fix the identity rule first"));
    } catch (RuntimeException e) {
      return List.of(new Row("mapping rules", Verdict.FAIL, describe(e)));
    }
  }

  private static Row selection(Host host, HostConfig cfg) {
    String check = "segment selection";
    var selection = cfg.segmentSync().selection();
    if (selection.isNone()) {
      return new Row(
          check, Verdict.WARN, "no segments selected: sync-segments would import nothing");
    }
    try {
      List<Segment> resolved = selection.resolve(host.brazeGateway.segments());
      List<String> names =
          resolved.stream().limit(5).map(g -> "\"" + g.name() + "\" (" + g.id() + ")").toList();
      return new Row(
          check,
          Verdict.PASS,
          resolved.size()
              + " segment(s): "
              + String.join(", ", names)
              + (resolved.size() > names.size() ? ", ..." : ""));
    } catch (RuntimeException e) {
      return new Row(check, Verdict.FAIL, oneLine(describe(e)));
    }
  }

  private static List<Row> activations(Host host, HostConfig cfg, List<SchemaField> schema) {
    if (cfg.activations().isEmpty()) {
      return List.of(new Row("activations", Verdict.PASS, "none configured"));
    }
    List<Row> rows = new ArrayList<>();
    for (Activation a : cfg.activations()) {
      String check = "activation " + a.name();
      if (schema != null) {
        try {
          a.validate(schema);
        } catch (IllegalArgumentException e) {
          rows.add(new Row(check, Verdict.FAIL, oneLine(e.getMessage())));
          continue;
        }
      }
      String fields = schema == null ? "fields not checked" : "fields exist in ODP";
      Verdict fieldsVerdict = schema == null ? Verdict.WARN : Verdict.PASS;
      Touchpoint t = a.touchpoint();
      if (!t.sendsMessages()) {
        rows.add(new Row(check, fieldsVerdict, fields + "; profile update only"));
        continue;
      }
      Row touchpoint = touchpoint(host, t);
      // The touchpoint row is PASS or FAIL; a FAIL wins over unchecked fields.
      Verdict verdict = touchpoint.verdict() == Verdict.FAIL ? Verdict.FAIL : fieldsVerdict;
      rows.add(new Row(check, verdict, fields + "; " + touchpoint.detail()));
    }
    return rows;
  }

  /**
   * Whether the activation's campaign or Canvas exists and is active, from Braze's details
   * endpoints: a stopped campaign or a paused Canvas answers a trigger send with success and sends
   * nothing, so only this check finds it before the first run.
   */
  private static Row touchpoint(Host host, Touchpoint t) {
    boolean canvas = t.kind() == Touchpoint.Kind.CANVAS;
    String what = (canvas ? "canvas " : "campaign ") + t.id();
    String permission = canvas ? "canvas.details" : "campaigns.details";
    try {
      MessageDetails d =
          canvas
              ? host.braze.messaging().canvasDetails(t.id())
              : host.braze.messaging().campaignDetails(t.id());
      String named = what + (d.name() == null ? "" : " (\"" + d.name() + "\")");
      if (d.active()) {
        return new Row("", Verdict.PASS, named + " exists and is active");
      }
      return new Row(
          "",
          Verdict.FAIL,
          named
              + " is "
              + d.state()
              + ": trigger sends to it deliver nothing; activate it in Braze");
    } catch (BrazeAuthException e) {
      return new Row(
          "",
          Verdict.FAIL,
          what
              + " not checked: denied ("
              + e.status()
              + "): the key lacks "
              + permission
              + ", which check needs to see whether it exists and is active; add it to the key");
    } catch (BrazeBadRequestException | BrazeNotFoundException e) {
      return new Row(
          "",
          Verdict.FAIL,
          what
              + " does not exist in this workspace (Braze answered "
              + e.status()
              + (e.brazeMessage() == null ? "" : ": " + oneLine(e.brazeMessage()))
              + ")");
    } catch (BrazeApiException e) {
      return new Row(
          "",
          Verdict.FAIL,
          what + " not checked: Braze answered " + e.status() + "; run check again");
    } catch (BrazeException e) {
      return new Row("", Verdict.FAIL, what + " not checked: " + describe(e) + "; run check again");
    }
  }

  // ---- output ----------------------------------------------------------------------------------

  private static List<String> secrets(HostConfig cfg) {
    List<String> secrets = new ArrayList<>();
    secrets.add(cfg.braze().apiKey());
    secrets.add(cfg.odp().apiKey());
    secrets.addAll(cfg.currents().tokens());
    secrets.removeIf(s -> s == null || s.isEmpty());
    return secrets;
  }

  private static final String FORMAT = "%-" + CHECK_WIDTH + "s %-7s  %s%n";

  /** Formats one row; its detail is scrubbed of the secrets, whatever an API echoed. */
  static String line(Row r, List<String> secrets) {
    String detail = r.detail();
    for (String secret : secrets) {
      detail = detail.replace(secret, "[REDACTED]");
    }
    return String.format(Locale.ROOT, FORMAT, r.check(), r.verdict(), detail);
  }

  static String summary(List<Row> rows) {
    Map<Verdict, Long> counts = new java.util.EnumMap<>(Verdict.class);
    for (Row r : rows) {
      counts.merge(r.verdict(), 1L, Long::sum);
    }
    return String.format(
        Locale.ROOT,
        "%d passed, %d warned, %d failed",
        counts.getOrDefault(Verdict.PASS, 0L),
        counts.getOrDefault(Verdict.WARN, 0L),
        counts.getOrDefault(Verdict.FAIL, 0L));
  }

  private static String describe(RuntimeException e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : oneLine(message);
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.replace('\n', ' ').replace('\r', ' ');
  }
}
