package io.github.brazeodp.samples.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Plain log lines for the long-running commands: a UTC timestamp and a message, one line each, so
 * that container logs and journald need no parsing rules.
 */
final class Log {
  private final PrintStream out;

  Log(PrintStream out) {
    this.out = out;
  }

  void line(String message) {
    synchronized (out) {
      out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + message);
      out.flush();
    }
  }
}
