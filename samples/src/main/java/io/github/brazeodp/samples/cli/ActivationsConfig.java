package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.AutomationRules;
import io.github.brazeodp.sync.activation.EventFilter;
import io.github.brazeodp.sync.activation.OdpEventSource;
import io.github.brazeodp.sync.activation.Schedule;
import io.github.brazeodp.sync.activation.TargetIdentifier;
import io.github.brazeodp.sync.activation.Touchpoint;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code activations} array of the configuration file strictly: every problem names its
 * key, e.g. {@code activations[1].touchpoint}.
 *
 * <p>The activation's own checks run too (template syntax, at most {@value Activation#MAX_FIELDS}
 * fields, Braze field names); their messages are re-attributed to the key they come from, so a
 * template error reads {@code activations[0].fields.first_name: column 22: unknown filter ...}.
 */
final class ActivationsConfig {
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "segment",
          "event",
          "rules",
          "target",
          "touchpoint",
          "fields",
          "properties",
          "schedule",
          "customEvent");

  private ActivationsConfig() {}

  /**
   * How the host polls ODP for an event-enrolled activation's events ({@code event.pollInterval},
   * {@code event.pollOverlap}).
   *
   * @param interval the poll interval
   * @param overlap how far before the watermark each window reaches for late events
   */
  record EventPolling(Duration interval, Duration overlap) {
    static final EventPolling DEFAULTS =
        new EventPolling(OdpEventSource.DEFAULT_INTERVAL, OdpEventSource.DEFAULT_OVERLAP);
  }

  /** Reads the polling settings of every event-enrolled activation, by name. */
  static Map<String, EventPolling> polling(JsonConfig root) {
    Map<String, EventPolling> out = new LinkedHashMap<>();
    for (JsonConfig a : root.objects("activations")) {
      if (!a.has("event")) {
        continue;
      }
      JsonConfig e = a.object("event");
      Duration interval = duration(e, "pollInterval", OdpEventSource.DEFAULT_INTERVAL, false);
      Duration overlap = duration(e, "pollOverlap", OdpEventSource.DEFAULT_OVERLAP, true);
      out.put(a.requiredString("name"), new EventPolling(interval, overlap));
    }
    return Map.copyOf(out);
  }

  private static Duration duration(JsonConfig c, String key, Duration fallback, boolean zeroOk) {
    if (!c.has(key)) {
      return fallback;
    }
    String text = c.requiredString(key);
    Duration d;
    try {
      d = Duration.parse(text);
    } catch (DateTimeParseException ex) {
      throw new ConfigException(
          c.qualified(key)
              + " must be an ISO-8601 duration such as \"PT5M\", was \""
              + text
              + "\"");
    }
    if (d.isNegative() || (d.isZero() && !zeroOk)) {
      throw new ConfigException(
          c.qualified(key)
              + " must be "
              + (zeroOk ? "zero or more" : "positive")
              + ", was "
              + text);
    }
    return d;
  }

  static List<Activation> read(JsonConfig root) {
    List<Activation> out = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (JsonConfig a : root.objects("activations")) {
      a.allow(KEYS);
      String name = a.requiredString("name");
      String earlier = names.putIfAbsent(name, a.qualified("name"));
      if (earlier != null) {
        throw new ConfigException(
            a.qualified("name") + ": \"" + name + "\" is already the name of " + earlier);
      }
      out.add(activation(a, name));
    }
    return List.copyOf(out);
  }

  private static Activation activation(JsonConfig a, String name) {
    Activation.Builder b = Activation.builder(name);
    boolean segment = a.has("segment");
    if (segment == a.has("event")) {
      throw new ConfigException(
          a.where() + " needs exactly one enrollment: \"segment\" (an ODP segment) or \"event\"");
    }
    if (segment) {
      b.segment(a.requiredString("segment"));
    } else {
      b.event(eventFilter(a.object("event")));
    }
    Touchpoint touchpoint = touchpoint(a);
    b.touchpoint(touchpoint).target(target(a));
    if (a.has("rules")) {
      if (segment) {
        throw new ConfigException(
            a.qualified("rules") + " applies to event enrollment only; remove it or use \"event\"");
      }
      AutomationRules rules = rules(a.object("rules"));
      if (!touchpoint.sendsMessages()
          && (rules.perCustomerPerHour() > 0 || rules.totalPerHour() > 0)) {
        throw new ConfigException(
            a.qualified("rules")
                + ": per-hour caps count messages, and a profileUpdateOnly touchpoint sends none");
      }
      b.rules(rules);
    }
    if (a.has("schedule")) {
      if (!segment) {
        throw new ConfigException(
            a.qualified("schedule")
                + " applies to segment enrollment only; event enrollment runs"
                + " as events arrive");
      }
      b.schedule(schedule(a.object("schedule")));
    }
    Map<String, String> fields = templates(a, "fields");
    if (fields.size() > Activation.MAX_FIELDS) {
      throw new ConfigException(
          a.qualified("fields")
              + " has "
              + fields.size()
              + " entries, over the limit of "
              + Activation.MAX_FIELDS);
    }
    Map<String, String> properties = templates(a, "properties");
    if (!touchpoint.sendsMessages()) {
      if (!properties.isEmpty()) {
        throw new ConfigException(
            a.qualified("properties")
                + " apply to campaigns and Canvases, not to profileUpdateOnly");
      }
      if (fields.isEmpty() && !a.has("customEvent")) {
        throw new ConfigException(
            a.qualified("fields")
                + ": a profileUpdateOnly touchpoint needs at least one field or a customEvent");
      }
    }
    if (a.has("customEvent")) {
      JsonConfig ce = a.object("customEvent").allow(Set.of("name", "properties"));
      String eventName = ce.requiredString("name");
      probe(ce.qualified("name"), "custom event name: ", p -> p.customEvent(eventName), !segment);
      b.customEvent(eventName);
      templates(ce, "properties")
          .forEach(
              (k, v) -> {
                probe(
                    ce.qualified("properties") + "." + k,
                    "custom event property \"" + k + "\": ",
                    p -> p.customEvent("probe").customEventProperty(k, v),
                    !segment);
                b.customEventProperty(k, v);
              });
    }
    fields.forEach(
        (k, v) -> {
          probe(
              a.qualified("fields") + "." + k,
              "field #1 (" + k + "): ",
              p -> p.field(k, v),
              !segment);
          b.field(k, v);
        });
    properties.forEach(
        (k, v) -> {
          probe(
              a.qualified("properties") + "." + k,
              "property \"" + k + "\": ",
              p -> p.property(k, v),
              !segment);
          b.property(k, v);
        });
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // Every check that can be tied to a key ran above; this is the activation's own wording.
      throw new ConfigException(a.where() + " (" + name + "): " + e.getMessage());
    }
  }

  /**
   * Checks one field or property template alone, so that its error names the key; the activation
   * itself would only say "field #3".
   */
  private static void probe(
      String key,
      String label,
      java.util.function.Consumer<Activation.Builder> add,
      boolean eventEnrolled) {
    Activation.Builder p =
        Activation.builder("probe")
            .target(TargetIdentifier.externalId("probe"))
            .touchpoint(Touchpoint.campaign("probe"));
    // Probe with the activation's own enrollment: event.* values are allowed for events only.
    if (eventEnrolled) {
      p.event(EventFilter.type("probe"));
    } else {
      p.segment("probe");
    }
    add.accept(p);
    try {
      p.build();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (message.startsWith(label)) {
        message = message.substring(label.length());
      }
      throw new ConfigException(key + ": " + message);
    }
  }

  private static EventFilter eventFilter(JsonConfig e) {
    e.allow(Set.of("type", "action", "data", "pollInterval", "pollOverlap"));
    EventFilter filter = EventFilter.type(e.requiredString("type"));
    if (e.has("action")) {
      filter = filter.action(e.requiredString("action"));
    }
    JsonConfig data = e.object("data");
    for (Map.Entry<String, Object> entry : data.entries().entrySet()) {
      Object v = entry.getValue();
      if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
        // JSON numbers arrive as doubles; 3 must match an event's 3, not "3.0".
        v = d.longValue();
      }
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw new ConfigException(
            data.qualified(entry.getKey()) + " must be a string, number or boolean, was " + v);
      }
      filter = filter.dataEquals(entry.getKey(), v);
    }
    return filter;
  }

  private static AutomationRules rules(JsonConfig r) {
    r.allow(Set.of("perCustomerPerHour", "totalPerHour", "ignoreEventsOlderThan"));
    int perCustomer = nonNegative(r, "perCustomerPerHour");
    int total = nonNegative(r, "totalPerHour");
    Duration cutOff = null;
    if (r.has("ignoreEventsOlderThan")) {
      String text = r.requiredString("ignoreEventsOlderThan");
      try {
        cutOff = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new ConfigException(
            r.qualified("ignoreEventsOlderThan")
                + " must be an ISO-8601 duration such as \"PT15M\", was \""
                + text
                + "\"");
      }
      if (cutOff.isNegative() || cutOff.isZero()) {
        throw new ConfigException(
            r.qualified("ignoreEventsOlderThan") + " must be positive, was " + text);
      }
    }
    return new AutomationRules(perCustomer, total, cutOff);
  }

  private static TargetIdentifier target(JsonConfig a) {
    if (!a.has("target")) {
      throw new ConfigException("missing config key " + a.qualified("target"));
    }
    JsonConfig t =
        a.object("target").allow(Set.of("externalIdField", "email", "aliasLabel", "aliasField"));
    boolean externalId = t.has("externalIdField");
    boolean email = t.bool("email", false);
    boolean alias = t.has("aliasLabel") || t.has("aliasField");
    int chosen = (externalId ? 1 : 0) + (email ? 1 : 0) + (alias ? 1 : 0);
    if (chosen != 1) {
      throw new ConfigException(
          a.qualified("target")
              + " needs exactly one of \"externalIdField\", \"email\": true, or \"aliasLabel\""
              + " with \"aliasField\"");
    }
    try {
      if (externalId) {
        return TargetIdentifier.externalId(t.requiredString("externalIdField"));
      }
      if (email) {
        return TargetIdentifier.email();
      }
      return TargetIdentifier.userAlias(
          t.requiredString("aliasLabel"), t.requiredString("aliasField"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(a.qualified("target") + ": " + e.getMessage());
    }
  }

  private static Touchpoint touchpoint(JsonConfig a) {
    if (!a.has("touchpoint")) {
      throw new ConfigException("missing config key " + a.qualified("touchpoint"));
    }
    JsonConfig t = a.object("touchpoint").allow(Set.of("campaign", "canvas", "profileUpdateOnly"));
    boolean campaign = t.has("campaign");
    boolean canvas = t.has("canvas");
    boolean profile = t.bool("profileUpdateOnly", false);
    if ((campaign ? 1 : 0) + (canvas ? 1 : 0) + (profile ? 1 : 0) != 1) {
      throw new ConfigException(
          a.qualified("touchpoint")
              + " needs exactly one of \"campaign\": id, \"canvas\": id or \"profileUpdateOnly\":"
              + " true");
    }
    if (campaign) {
      return Touchpoint.campaign(t.requiredString("campaign"));
    }
    if (canvas) {
      return Touchpoint.canvas(t.requiredString("canvas"));
    }
    return Touchpoint.profileUpdateOnly();
  }

  private static Map<String, String> templates(JsonConfig a, String key) {
    JsonConfig o = a.object(key);
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : o.entries().keySet()) {
      String v = o.string(k, null);
      if (v == null) {
        throw new ConfigException(o.qualified(k) + " must be a template string, was null");
      }
      out.put(k, v);
    }
    return out;
  }

  static Schedule schedule(JsonConfig s) {
    if (s.bool("continuous", false)) {
      s.allow(Set.of("continuous"));
      return Schedule.continuous();
    }
    s.allow(Set.of("continuous", "start", "zone", "every", "unit", "daysOfWeek", "end"));
    String startText = s.requiredString("start");
    LocalDateTime start;
    try {
      start = LocalDateTime.parse(startText);
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          s.qualified("start")
              + " must be a local date-time such as \"2026-01-05T09:00\", was \""
              + startText
              + "\"");
    }
    String zoneText = s.requiredString("zone");
    ZoneId zone;
    try {
      zone = ZoneId.of(zoneText);
    } catch (RuntimeException e) {
      throw new ConfigException(
          s.qualified("zone")
              + " must be an IANA time zone such as Europe/Paris, was \""
              + zoneText
              + "\"");
    }
    int every = s.integer("every", 1);
    if (every < 1) {
      throw new ConfigException(s.qualified("every") + " must be at least 1, was " + every);
    }
    String unit = s.requiredString("unit");
    Schedule.Builder b = Schedule.recurring(start, zone);
    switch (unit.toUpperCase(Locale.ROOT)) {
      case "DAYS" -> {
        if (s.has("daysOfWeek")) {
          throw new ConfigException(
              s.qualified("daysOfWeek") + " applies to \"unit\": \"WEEKS\" only");
        }
        b.daily(every);
      }
      case "WEEKS" -> b.weekly(every, days(s).toArray(DayOfWeek[]::new));
      default ->
          throw new ConfigException(
              s.qualified("unit") + " must be DAYS or WEEKS, was \"" + unit + "\"");
    }
    if (s.has("end")) {
      String endText = s.requiredString("end");
      try {
        b.endOn(LocalDate.parse(endText));
      } catch (DateTimeParseException e) {
        throw new ConfigException(
            s.qualified("end") + " must be a date such as \"2026-12-31\", was \"" + endText + "\"");
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(s.qualified("end") + ": " + e.getMessage());
    }
  }

  private static EnumSet<DayOfWeek> days(JsonConfig s) {
    EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    List<String> names = s.strings("daysOfWeek");
    for (int i = 0; i < names.size(); i++) {
      try {
        days.add(DayOfWeek.valueOf(names.get(i).toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            s.qualified("daysOfWeek")
                + "["
                + i
                + "] must be a day such as MONDAY, was \""
                + names.get(i)
                + "\"");
      }
    }
    return days;
  }

  private static int nonNegative(JsonConfig c, String key) {
    int v = c.integer(key, 0);
    if (v < 0) {
      throw new ConfigException(c.qualified(key) + " must be 0 (no cap) or more, was " + v);
    }
    return v;
  }
}
