package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.segments.ProgressListener;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shows segment sync progress: a single redrawn line on a terminal, a plain log line every few
 * seconds otherwise (so CI logs and cron mail stay readable).
 */
final class Progress implements ProgressListener {
  private final PrintStream out;
  private final boolean terminal;
  private final Map<String, long[]> bySegment = new ConcurrentHashMap<>();
  private long lastPrint;

  Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  // On the Java 17 this targets, System.console() is null exactly when stdin/stdout are not a
  // terminal (a pipe, a file, cron), which is the distinction wanted here.
  @SuppressWarnings("SystemConsoleNull")
  static Progress forConsole(PrintStream out) {
    return new Progress(out, System.console() != null);
  }

  @Override
  public synchronized void onProgress(String segmentId, long usersRead, long usersSent) {
    bySegment.put(segmentId, new long[] {usersRead, usersSent});
    long now = System.nanoTime();
    long interval = terminal ? 200_000_000L : 5_000_000_000L;
    if (now - lastPrint < interval) {
      return;
    }
    lastPrint = now;
    long read = 0;
    long sent = 0;
    for (long[] v : bySegment.values()) {
      read += v[0];
      sent += v[1];
    }
    String line = String.format("segments %d  read %,d  sent %,d", bySegment.size(), read, sent);
    if (terminal) {
      out.print("\r" + line + "   ");
    } else {
      out.println(line);
    }
    out.flush();
  }

  synchronized void done() {
    if (terminal && lastPrint != 0) {
      out.println();
    }
  }
}
