package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Prints activity records as a fixed-width table, newest first. */
final class ActivityTable {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private ActivityTable() {}

  static void print(PrintStream out, List<ActivityRecord> records) {
    String format = "%-19s  %-12s  %-9s  %-28s %8s %8s %8s %9s %8s %8s %7s%n";
    out.printf(
        format,
        "started (UTC)",
        "flow",
        "status",
        "subject",
        "read",
        "matched",
        "unmatch",
        "unchanged",
        "sent",
        "rejected",
        "secs");
    for (ActivityRecord r : records) {
      ActivityCounts c = r.counts();
      out.printf(
          format,
          TIME.format(r.start()),
          r.flow(),
          r.status(),
          shorten(r.subject(), 28),
          c.read(),
          c.matched(),
          c.unmatched(),
          c.unchanged(),
          c.sent(),
          c.rejected(),
          String.format("%.1f", Duration.between(r.start(), r.end()).toMillis() / 1000.0));
      for (ActivityRecord.Rejection rejection :
          r.rejections().subList(0, Math.min(3, r.rejections().size()))) {
        out.println(
            "    rejected: "
                + shorten(rejection.reason(), 100)
                + (rejection.location() == null ? "" : " @ " + rejection.location()));
      }
    }
    if (records.isEmpty()) {
      out.println("(no runs recorded yet)");
    }
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
