package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.RunLockedException;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The braze-odp-sync host: runs the flows as commands or as a daemon, and the offline demo.
 *
 * <p>Exit codes: 0 ok, 2 partial (some records rejected), 1 failed, 64 bad usage or configuration,
 * 75 busy (another run holds the flow's run lock; try later).
 */
@Command(
    name = "braze-odp-sync",
    mixinStandardHelpOptions = true,
    version = "braze-odp-sync 0.1.0-SNAPSHOT",
    description = "Syncs Braze and Optimizely Data Platform (ODP) in both directions.",
    subcommands = {
      DemoCommand.class,
      SyncSegmentsCommand.class,
      ActivateCommand.class,
      CurrentsReceiverCommand.class,
      CurrentsForwarderCommand.class,
      DaemonCommand.class,
      ActivityCommand.class,
      OutboxCommand.class,
      LedgerCommand.class,
      CheckCommand.class,
      UiCommand.class
    },
    exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ok",
      "1:failed",
      "2:partial (some records rejected; see the activity log)",
      "64:bad usage or configuration",
      "75:busy: another run holds the run lock; try later (or use --wait)"
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Where the commands read the secrets the configuration names; tests pass their own. */
  final Function<String, String> env;

  private Main(Function<String, String> env) {
    this.env = env;
  }

  /**
   * Where {@link #configureLogging} reads it; declared here and inherited so that it may come
   * before or after the command name.
   */
  @CommandLine.Option(
      names = "--log-format",
      scope = CommandLine.ScopeType.INHERIT,
      paramLabel = "text|json",
      description =
          "Log line format on standard error: text (timestamped lines, the default) or json (one"
              + " object per line). Overrides the config key log.format.")
  HostLogging.Format logFormat;

  /** Runs the host and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the host without exiting, for tests and embedding; returns the exit code. */
  public static int run(String... args) {
    return run(System::getenv, args);
  }

  /** Runs the host with secrets from {@code env} instead of the process environment. */
  static int run(Function<String, String> env, String... args) {
    return commandLine(env).execute(args);
  }

  static CommandLine commandLine() {
    return commandLine(System::getenv);
  }

  static CommandLine commandLine(Function<String, String> env) {
    CommandLine cli = new CommandLine(new Main(env));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionStrategy(
        parseResult -> {
          configureLogging(parseResult);
          return new CommandLine.RunLast().execute(parseResult);
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          PrintWriter err = e.getCommandLine().getErr();
          err.println(e.getMessage());
          e.getCommandLine().usage(err);
          return ExitCodes.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof RunLockedException) {
            err.println("busy: " + e.getMessage());
            return ExitCodes.BUSY;
          }
          if (Errors.isConfiguration(e)) {
            err.println("configuration error: " + e.getMessage());
            return ExitCodes.USAGE;
          }
          err.println("failed: " + e);
          return ExitCodes.FAILED;
        });
    return cli;
  }

  /**
   * Switches the log format when {@code --log-format} or the config's {@code log.format} asks for
   * one; otherwise the default text format set up by {@link HostLogging} stays.
   */
  static void configureLogging(CommandLine.ParseResult parseResult) {
    HostLogging.Format format = null;
    java.nio.file.Path config = null;
    for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
      HostLogging.Format f = r.matchedOptionValue("--log-format", null);
      format = f != null ? f : format;
      if (r.hasMatchedOption("--config")) {
        config = r.matchedOptionValue("--config", null);
      }
    }
    if (format == null && config != null) {
      try {
        format = HostConfig.logFormatOf(config);
      } catch (ConfigException e) {
        // The command loads the whole file next and reports this with exit code 64.
        return;
      }
    }
    if (format != null) {
      HostLogging.use(format);
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose a command");
  }
}
