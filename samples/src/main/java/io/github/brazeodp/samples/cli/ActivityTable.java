package io.github.brazeodp.samples.cli;

import com.squareup.moshi.JsonWriter;
import io.github.brazeodp.sync.activation.ActivationCounts;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import okio.Buffer;

/** Prints activity records as a fixed-width table or as JSON lines, newest first. */
final class ActivityTable {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private ActivityTable() {}

  static void print(PrintStream out, List<ActivityRecord> records) {
    String format = "%-19s  %-12s  %-9s  %-28s %8s %8s %8s %9s %8s %8s %8s %7s %7s%n";
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
        "requests",
        "retried",
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
          c.brazeCalls() + c.odpCalls(),
          c.retried(),
          String.format(
              Locale.ROOT, "%.1f", Duration.between(r.start(), r.end()).toMillis() / 1000.0));
      if (r.reason() != null) {
        out.println("    reason: " + shorten(r.reason(), 200));
      }
      long unknown =
          c.other().getOrDefault(ActivationCounts.UNKNOWN_OUTCOME, 0L)
              + c.other().getOrDefault(ActivationCounts.RECOVERED_AS_UNKNOWN, 0L);
      if (unknown > 0) {
        out.println(
            "    unknown outcome: "
                + unknown
                + " sends may or may not have reached Braze; they are not resent automatically");
      }
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

  /** Writes one JSON object per record, newest first, with every count and the listed samples. */
  static void printJson(PrintStream out, List<ActivityRecord> records) {
    for (ActivityRecord r : records) {
      Buffer buffer = new Buffer();
      try (JsonWriter json = JsonWriter.of(buffer)) {
        json.setSerializeNulls(true);
        json.beginObject();
        json.name("id").value(r.id());
        json.name("flow").value(r.flow().name());
        json.name("subject").value(r.subject());
        json.name("status").value(r.status().name());
        json.name("reason").value(r.reason());
        json.name("start").value(r.start().toString());
        json.name("end").value(r.end().toString());
        ActivityCounts c = r.counts();
        json.name("counts").beginObject();
        json.name("read").value(c.read());
        json.name("matched").value(c.matched());
        json.name("unmatched").value(c.unmatched());
        json.name("unchanged").value(c.unchanged());
        json.name("sent").value(c.sent());
        json.name("rejected").value(c.rejected());
        json.name("retried").value(c.retried());
        json.name("brazeRequests").value(c.brazeCalls());
        json.name("odpRequests").value(c.odpCalls());
        for (Map.Entry<String, Long> e : new TreeMap<>(c.other()).entrySet()) {
          json.name(e.getKey()).value(e.getValue());
        }
        json.endObject();
        json.name("rejections").beginArray();
        for (ActivityRecord.Rejection rejection : r.rejections()) {
          json.beginObject();
          json.name("reason").value(rejection.reason());
          json.name("location").value(rejection.location());
          json.endObject();
        }
        json.endArray();
        json.endObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.println(buffer.readUtf8());
    }
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
