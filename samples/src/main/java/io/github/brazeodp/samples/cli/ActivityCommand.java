package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Shows recent runs from the state store. */
@Command(
    name = "activity",
    mixinStandardHelpOptions = true,
    description = "Shows recent runs (the activity log) from the state store.")
final class ActivityCommand implements Callable<Integer> {
  @Option(names = "--state", description = "State file (default: from --config).")
  Path state;

  @Option(names = "--config", description = "JSON configuration file naming the state file.")
  Path config;

  @Option(names = "--limit", defaultValue = "20", description = "How many runs (default 20).")
  int limit;

  @Option(
      names = "--json",
      description = "One JSON object per run (every count, the reason, the listed rejections).")
  boolean json;

  // Accepted like on every command, so scripts can pass it uniformly; reading the activity log
  // makes no API calls, so nothing is written.
  @Option(
      names = "--inspect",
      description = "Accepted for uniformity; this command makes no API calls.")
  Path inspect;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new ConfigException("--limit must be at least 1, was " + limit);
    }
    try (SyncStateStore store = HostConfig.openStateOf(state, config, System::getenv)) {
      if (json) {
        ActivityTable.printJson(System.out, store.recentActivity(limit));
      } else {
        ActivityTable.print(System.out, store.recentActivity(limit));
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return ExitCodes.OK;
  }
}
