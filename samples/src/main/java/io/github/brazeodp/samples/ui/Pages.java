package io.github.brazeodp.samples.ui;

import static io.github.brazeodp.samples.ui.Html.esc;
import static io.github.brazeodp.samples.ui.Html.query;

import io.github.brazeodp.sync.inspect.InspectedExchange;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.DeadLetter;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.OutboxSize;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Server-side rendering of the page's views; every value passes through {@link Html#esc}. */
final class Pages {
  /** The runs the chart draws at most, newest kept. */
  static final int CHART_RUNS = 60;

  /** Times in lists: to the second, so a row stays one line. */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private Pages() {}

  /** What the activity section is filtered by; null fields do not filter. */
  record Filter(
      ActivityRecord.Flow flow, ActivityRecord.Status status, Instant since, Instant until) {
    boolean accepts(ActivityRecord r) {
      return (flow == null || r.flow() == flow)
          && (status == null || r.status() == status)
          && (since == null || !r.start().isBefore(since))
          && (until == null || r.start().isBefore(until));
    }
  }

  /** The outbox section's figures. */
  record Outbox(
      OutboxSize size, List<OutboxMessage> oldest, long deadLetters, List<DeadLetter> dead) {}

  static String page(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + esc(title)
        + "</title><link rel=\"stylesheet\" href=\"/assets/page.css\"></head><body>"
        + "<header><a href=\"/\">braze-odp-sync</a> troubleshooting</header><main>"
        + body
        + "</main><script src=\"/assets/page.js\"></script></body></html>\n";
  }

  static String activity(List<ActivityRecord> runs, Filter f, String filterError) {
    StringBuilder b = new StringBuilder("<section id=\"activity\"><h2>Activity log</h2>");
    b.append("<form method=\"get\" action=\"/\" class=\"filter\">");
    b.append("<label>Flow <select name=\"flow\"><option value=\"\">all</option>");
    for (ActivityRecord.Flow fl : ActivityRecord.Flow.values()) {
      option(b, fl.name(), f.flow() == fl);
    }
    b.append(
        "</select></label> <label>Status <select name=\"status\"><option value=\"\">all</option>");
    for (ActivityRecord.Status st : ActivityRecord.Status.values()) {
      option(b, st.name(), f.status() == st);
    }
    b.append("</select></label> <label>Since (UTC) <input name=\"since\" size=\"22\" value=\"")
        .append(esc(f.since() == null ? "" : f.since().toString()))
        .append("\" placeholder=\"2026-12-01T00:00:00Z\"></label>")
        .append(" <label>Until <input name=\"until\" size=\"22\" value=\"")
        .append(esc(f.until() == null ? "" : f.until().toString()))
        .append("\"></label> <button type=\"submit\">Filter</button></form>");
    if (filterError != null) {
      b.append("<p class=\"error\">").append(esc(filterError)).append("</p>");
    }
    b.append(chart(runs));
    b.append("<table class=\"runs\"><thead><tr><th>Started (UTC)</th><th>Flow</th><th>Status</th>")
        .append("<th>Subject</th><th>Read</th><th>Sent</th><th>Rejected</th><th>Unmatched</th>")
        .append("<th>Unchanged</th><th>Secs</th><th></th></tr></thead><tbody>");
    for (ActivityRecord r : runs) {
      ActivityCounts c = r.counts();
      b.append("<tr class=\"").append(r.status().name().toLowerCase(Locale.ROOT)).append("\">");
      cell(b, TIME.format(r.start()));
      cell(b, r.flow().name());
      cell(b, r.status().name());
      cell(b, r.subject());
      num(b, c.read());
      num(b, c.sent());
      num(b, c.rejected());
      num(b, c.unmatched());
      num(b, c.unchanged());
      cell(b, seconds(r));
      b.append("<td><a href=\"/run?id=")
          .append(esc(query(r.id())))
          .append("\">Show details</a></td></tr>");
      if (r.reason() != null) {
        b.append("<tr class=\"reason\"><td colspan=\"11\">reason: ")
            .append(esc(r.reason()))
            .append("</td></tr>");
      }
    }
    if (runs.isEmpty()) {
      b.append("<tr><td colspan=\"11\">No runs match.</td></tr>");
    }
    return b.append("</tbody></table></section>").toString();
  }

  /** Grouped bars per run, oldest left: sent, rejected and unmatched on one linear scale. */
  static String chart(List<ActivityRecord> newestFirst) {
    List<ActivityRecord> runs =
        new ArrayList<>(newestFirst.subList(0, Math.min(CHART_RUNS, newestFirst.size())));
    Collections.reverse(runs);
    int width = 900;
    int height = 180;
    int left = 50;
    int bottom = 20;
    long max = 1;
    for (ActivityRecord r : runs) {
      max =
          Math.max(
              max,
              Math.max(r.counts().sent(), Math.max(r.counts().rejected(), r.counts().unmatched())));
    }
    StringBuilder b = new StringBuilder();
    b.append(
            "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(width)
        .append(' ')
        .append(height)
        .append("\"><title>Runs over time: sent, rejected and unmatched per run</title>");
    int plot = height - bottom - 10;
    b.append("<line x1=\"")
        .append(left)
        .append("\" y1=\"")
        .append(10 + plot)
        .append("\" x2=\"")
        .append(width)
        .append("\" y2=\"")
        .append(10 + plot)
        .append("\" class=\"axis\"/>");
    b.append("<text x=\"")
        .append(left - 4)
        .append("\" y=\"18\" class=\"tick\">")
        .append(max)
        .append("</text>");
    b.append("<text x=\"")
        .append(left - 4)
        .append("\" y=\"")
        .append(10 + plot)
        .append("\" class=\"tick\">0</text>");
    if (!runs.isEmpty()) {
      double slot = (double) (width - left) / runs.size();
      double bar = Math.max(1, Math.min(12, slot / 4));
      for (int i = 0; i < runs.size(); i++) {
        ActivityRecord r = runs.get(i);
        double x = left + i * slot + (slot - 3 * bar) / 2;
        long[] values = {r.counts().sent(), r.counts().rejected(), r.counts().unmatched()};
        String[] kinds = {"sent", "rejected", "unmatched"};
        for (int k = 0; k < 3; k++) {
          double h = (double) values[k] * plot / max;
          b.append(
              String.format(
                  Locale.ROOT,
                  "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s %s: %s %d</title></rect>",
                  kinds[k],
                  x + k * bar,
                  10 + plot - h,
                  bar,
                  h,
                  esc(r.start().toString()),
                  esc(r.subject()),
                  kinds[k],
                  values[k]));
        }
      }
      b.append("<text x=\"")
          .append(left)
          .append("\" y=\"")
          .append(height - 4)
          .append("\" class=\"when\">")
          .append(esc(TIME.format(runs.get(0).start())))
          .append("</text>");
      b.append("<text x=\"")
          .append(width)
          .append("\" y=\"")
          .append(height - 4)
          .append("\" class=\"when end\">")
          .append(esc(TIME.format(runs.get(runs.size() - 1).start())))
          .append("</text>");
    }
    b.append(
            "</svg><figcaption><span class=\"key-sent\">sent</span> <span class=\"key-rejected\">"
                + "rejected</span> <span class=\"key-unmatched\">unmatched</span> per run, oldest left (")
        .append(runs.size())
        .append(" runs)</figcaption></figure>");
    return b.toString();
  }

  static String run(ActivityRecord r) {
    StringBuilder b =
        new StringBuilder("<section id=\"run\"><h2>Run ").append(esc(r.id())).append("</h2>");
    b.append("<dl class=\"facts\">");
    fact(b, "Flow", r.flow().name());
    fact(b, "Subject", r.subject());
    fact(b, "Status", r.status().name());
    fact(b, "Started", r.start().toString());
    fact(b, "Ended", r.end().toString());
    fact(b, "Duration", seconds(r) + " s");
    if (r.reason() != null) {
      b.append("<dt>Reason</dt><dd class=\"reason\">").append(esc(r.reason())).append("</dd>");
    }
    b.append("</dl><h3>Counts</h3><table class=\"counts\"><tbody>");
    ActivityCounts c = r.counts();
    Map<String, Long> all = new java.util.LinkedHashMap<>();
    all.put("read", c.read());
    all.put("matched", c.matched());
    all.put("unmatched", c.unmatched());
    all.put("unchanged", c.unchanged());
    all.put("sent", c.sent());
    all.put("rejected", c.rejected());
    all.put("retried", c.retried());
    all.put("Braze requests", c.brazeCalls());
    all.put("ODP requests", c.odpCalls());
    all.putAll(new TreeMap<>(c.other()));
    all.forEach(
        (k, v) -> {
          b.append("<tr><th>").append(esc(k)).append("</th>");
          num(b, v);
          b.append("</tr>");
        });
    b.append("</tbody></table><h3>Rejections</h3>");
    if (r.rejections().isEmpty()) {
      b.append("<p>None listed.</p>");
    } else {
      b.append("<p>")
          .append(r.rejections().size())
          .append(" listed of ")
          .append(c.rejected())
          .append(" rejected.</p><table class=\"rejections\"><thead><tr><th>Reason</th>")
          .append("<th>Location</th></tr></thead><tbody>");
      for (ActivityRecord.Rejection j : r.rejections()) {
        b.append("<tr>");
        cell(b, j.reason());
        cell(b, j.location() == null ? "-" : j.location());
        b.append("</tr>");
      }
      b.append("</tbody></table>");
    }
    return b.append("</section>").toString();
  }

  static String outbox(Outbox o, Instant now) {
    StringBuilder b =
        new StringBuilder("<section id=\"outbox\"><h2>Currents outbox</h2><dl class=\"facts\">");
    fact(b, "Queued", o.size().messages() + " events, " + o.size().bytes() + " bytes");
    fact(
        b,
        "Oldest",
        o.oldest().isEmpty()
            ? "-"
            : Age.format(Duration.between(o.oldest().get(0).enqueuedAt(), now))
                + " ago ("
                + o.oldest().get(0).enqueuedAt()
                + ", "
                + o.oldest().get(0).attempts()
                + " failed attempts)");
    fact(b, "Dead letters", Long.toString(o.deadLetters()));
    b.append("</dl>");
    if (!o.dead().isEmpty()) {
      b.append("<table class=\"dead\"><thead><tr><th>Died (UTC)</th><th>Age</th><th>Id</th>")
          .append("<th>Attempts</th><th>Reason</th></tr></thead><tbody>");
      for (DeadLetter d : o.dead()) {
        b.append("<tr>");
        cell(b, TIME.format(d.deadAt()));
        cell(b, Age.format(Duration.between(d.deadAt(), now)));
        cell(b, d.id());
        num(b, d.attempts());
        cell(b, d.reason());
        b.append("</tr>");
      }
      b.append("</tbody></table>");
      if (o.deadLetters() > o.dead().size()) {
        b.append("<p>... and ").append(o.deadLetters() - o.dead().size()).append(" more.</p>");
      }
      b.append("<p>Replay them with <code>outbox replay</code> once the cause is fixed.</p>");
    }
    return b.append("</section>").toString();
  }

  static String inspector(UiInspector inspector) {
    boolean running = inspector.running();
    StringBuilder b = new StringBuilder("<section id=\"inspector\"><h2>Event inspector</h2>");
    b.append("<form method=\"post\" action=\"/inspector/")
        .append(running ? "stop" : "start")
        .append("\" class=\"inline\"><button type=\"submit\" id=\"inspector-toggle\">")
        .append(running ? "Stop inspector" : "Start inspector")
        .append("</button></form> <form method=\"get\" action=\"/\" class=\"inline\">")
        .append("<button type=\"submit\" id=\"refresh\">Refresh</button></form>")
        .append(" <span id=\"inspector-count\" data-shown=\"")
        .append(inspector.seen())
        .append("\">")
        .append(running ? "recording" : "stopped")
        .append(", ")
        .append(inspector.seen())
        .append(" seen</span>");
    List<UiInspector.Numbered> list = inspector.list();
    b.append("<table class=\"exchanges\"><thead><tr><th>#</th><th>Time (UTC)</th><th>Source</th>")
        .append(
            "<th>Method</th><th>Endpoint</th><th>Attempt</th><th>Status</th><th>ms</th><th></th>")
        .append("</tr></thead><tbody>");
    for (UiInspector.Numbered n : list) {
      InspectedExchange e = n.exchange();
      b.append("<tr class=\"").append(e.failed() ? "failed" : "ok").append("\">");
      num(b, n.number());
      cell(b, TIME.format(e.time()));
      cell(b, e.source().name());
      cell(b, e.method());
      cell(b, e.endpoint());
      num(b, e.attempt());
      cell(b, e.status() == -1 ? "no response" : Integer.toString(e.status()));
      num(b, e.duration().toMillis());
      b.append("<td><a href=\"/inspector/exchange?n=")
          .append(n.number())
          .append("\">Show details</a></td></tr>");
    }
    if (list.isEmpty()) {
      b.append("<tr><td colspan=\"9\">")
          .append(running ? "No exchange yet." : "Start the inspector to record exchanges.")
          .append("</td></tr>");
    }
    return b.append("</tbody></table></section>").toString();
  }

  static String exchange(long number, InspectedExchange e, String prefix) {
    StringBuilder b =
        new StringBuilder("<section id=\"exchange\"><h2>Exchange ").append(number).append("</h2>");
    b.append("<dl class=\"facts\">");
    fact(b, "Source", e.source().name());
    fact(b, "Time", e.time().toString());
    fact(b, "Endpoint", e.endpoint());
    fact(b, "Request", e.method() + " " + e.url());
    fact(b, "Attempt", Integer.toString(e.attempt()));
    fact(b, "Status", e.status() == -1 ? "no response" : Integer.toString(e.status()));
    fact(b, "Duration", e.duration().toMillis() + " ms");
    if (e.error() != null) {
      fact(b, "Error", e.error());
    }
    b.append("</dl><h3>Formatted request body</h3>");
    b.append(
        JsonView.render(e.requestBody(), prefix)
            .map(v -> "<pre class=\"formatted\" id=\"formatted-request\">" + v + "</pre>")
            .orElse("<p>Not JSON; see the raw payload.</p>"));
    b.append("<p class=\"legend\">Fields starting with <span class=\"braze\">")
        .append(esc(prefix))
        .append("</span> are highlighted.</p>");
    b.append("<h3>Raw request (redacted)</h3><pre class=\"raw\" id=\"raw-request\">");
    headers(b, e.requestHeaders());
    b.append('\n').append(esc(e.requestBody())).append("</pre>");
    b.append("<h3>Raw response (redacted)</h3><pre class=\"raw\" id=\"raw-response\">");
    headers(b, e.responseHeaders());
    b.append('\n').append(esc(e.responseBody())).append("</pre>");
    return b.append("</section>").toString();
  }

  private static void headers(StringBuilder b, Map<String, List<String>> headers) {
    headers.forEach(
        (name, values) -> {
          for (String v : values) {
            b.append(esc(name)).append(": ").append(esc(v)).append('\n');
          }
        });
  }

  private static String seconds(ActivityRecord r) {
    return String.format(
        Locale.ROOT, "%.1f", Duration.between(r.start(), r.end()).toMillis() / 1000.0);
  }

  private static void option(StringBuilder b, String value, boolean selected) {
    b.append("<option value=\"")
        .append(esc(value))
        .append('"')
        .append(selected ? " selected" : "")
        .append('>')
        .append(esc(value))
        .append("</option>");
  }

  private static void fact(StringBuilder b, String name, String value) {
    b.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd>");
  }

  private static void cell(StringBuilder b, String text) {
    b.append("<td>").append(esc(text)).append("</td>");
  }

  private static void num(StringBuilder b, long n) {
    b.append("<td class=\"num\">").append(n).append("</td>");
  }
}
