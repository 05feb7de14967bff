package io.github.brazeodp.sync.activation;

import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.port.OdpGateway;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One ODP → Braze activation: who is enrolled (an ODP segment, or customers triggering an ODP
 * event), how they are identified in Braze, where they are sent (campaign, Canvas or profile update
 * only), and up to {@value #MAX_FIELDS} extra Braze fields rendered from the ODP customer.
 *
 * <p>Immutable; templates are parsed when it is built, so a syntax error fails {@link
 * Builder#build()} with the field's number, name and column, e.g. {@code field #3 (company): column
 * 22: unknown filter "capitalize"}. Fields unknown to the ODP customer schema are found by {@link
 * #validate(List)}, which {@link ActivationRunner} calls before every run. The template language is
 * a small Liquid subset: {@code {{ customer.field }}} with literal text around it and the filters
 * {@code default: "text"}, {@code upcase} and {@code downcase}, chainable left to right. A field or
 * property over a missing (or empty) ODP value without a {@code default} is left out of the
 * attributes or properties, never sent as {@code ""}, which in Braze would erase the value the
 * profile has. With event enrollment, {@code {{ event.data.<field> }}}, {@code event.type}, {@code
 * event.action}, {@code event.ts} and {@code event.id} read the triggering ODP event.
 *
 * <p>For campaigns and Canvases the fields go in each recipient's {@code attributes} (applied to
 * the profile before the send) and the {@linkplain Builder#property properties} in each recipient's
 * {@code trigger_properties} (campaign) or {@code context} (Canvas); properties are templated like
 * fields, so a constant is simply a template without {@code {{ }}}. For profile-only the fields are
 * the attributes written through {@code /users/track}.
 *
 * <pre>{@code
 * Activation winBack = Activation.builder("win-back")
 *     .segment("lapsed_customers")
 *     .schedule(Schedule.recurring(LocalDateTime.of(2025, 3, 1, 9, 0), ZoneId.of("Europe/Paris"))
 *         .daily(1).build())
 *     .target(TargetIdentifier.externalId("braze_external_id"))
 *     .touchpoint(Touchpoint.campaign("5d3f-campaign-id"))
 *     .field("company_name", "{{ customer.company_name | default: \"your company\" }}")
 *     .field("first_name", "{{ customer.first_name | upcase }}")
 *     .build();
 * }</pre>
 */
public final class Activation {
  /** The most extra fields an activation may carry, as in ODP's Braze touchpoint. */
  public static final int MAX_FIELDS = 20;

  /**
   * The default longest rendered value, in characters: Braze's limit for string event and purchase
   * properties, and a safe bound for custom attribute strings. Longer values reject the customer.
   */
  public static final int DEFAULT_MAX_VALUE_LENGTH = 255;

  /**
   * Appended to the activation's name for the ledger of its custom events, kept apart from the
   * message ledger so custom events do not count towards the per-hour caps.
   */
  public static final String CUSTOM_EVENT_LEDGER_SUFFIX = "#custom_event";

  private static final Set<String> RESERVED =
      Set.of("external_id", "braze_id", "user_alias", "_update_existing_only");

  private final String name;
  private final String segment;
  private final EventFilter eventFilter;
  private final AutomationRules rules;
  private final Schedule schedule;
  private final TargetIdentifier target;
  private final Touchpoint touchpoint;
  private final List<Field> fields;
  private final List<Field> properties;
  private final int maxValueLength;
  private final Set<String> requiredFields;
  private final Field customEventName;
  private final List<Field> customEventProperties;

  private Activation(
      Builder b,
      List<Field> fields,
      List<Field> properties,
      Field customEventName,
      List<Field> customEventProperties) {
    this.name = b.name;
    this.segment = b.segment;
    this.eventFilter = b.eventFilter;
    this.rules = b.rules;
    this.schedule = b.schedule;
    this.target = b.target;
    this.touchpoint = b.touchpoint;
    this.fields = List.copyOf(fields);
    this.properties = List.copyOf(properties);
    this.maxValueLength = b.maxValueLength;
    this.customEventName = customEventName;
    this.customEventProperties = List.copyOf(customEventProperties);
    Set<String> required = new TreeSet<>();
    required.add(target.field());
    for (Field f : this.fields) {
      required.addAll(f.template().fields());
    }
    for (Field p : this.properties) {
      required.addAll(p.template().fields());
    }
    for (Field c : customEventFields()) {
      required.addAll(c.template().fields());
    }
    this.requiredFields = Collections.unmodifiableSet(required);
  }

  private List<Field> customEventFields() {
    List<Field> all = new ArrayList<>();
    if (customEventName != null) {
      all.add(customEventName);
      all.addAll(customEventProperties);
    }
    return all;
  }

  private List<Field> allTemplates() {
    List<Field> all = new ArrayList<>(fields);
    all.addAll(properties);
    all.addAll(customEventFields());
    return all;
  }

  /**
   * Starts an activation.
   *
   * @param name the activation's name; it keys the ledger and the scheduler's state, so keep it
   *     stable
   * @return a builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns the name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the ODP segment of a segment-enrolled activation.
   *
   * @return the segment, or empty for event enrollment
   */
  public Optional<String> segment() {
    return Optional.ofNullable(segment);
  }

  /**
   * Returns the event filter of an event-enrolled activation.
   *
   * @return the filter, or empty for segment enrollment
   */
  public Optional<EventFilter> eventFilter() {
    return Optional.ofNullable(eventFilter);
  }

  /**
   * Returns the automation rules (event enrollment).
   *
   * @return the rules; {@link AutomationRules#none()} when none were set
   */
  public AutomationRules rules() {
    return rules;
  }

  /**
   * Returns the schedule (segment enrollment).
   *
   * @return the schedule, or empty when runs are started by the host
   */
  public Optional<Schedule> schedule() {
    return Optional.ofNullable(schedule);
  }

  /**
   * Returns the target identifier.
   *
   * @return the target identifier
   */
  public TargetIdentifier target() {
    return target;
  }

  /**
   * Returns the touchpoint.
   *
   * @return the touchpoint
   */
  public Touchpoint touchpoint() {
    return touchpoint;
  }

  /**
   * Returns the extra fields, Braze field name to template text, in field-number order.
   *
   * @return the fields
   */
  public Map<String, String> fields() {
    Map<String, String> out = new LinkedHashMap<>();
    fields.forEach(f -> out.put(f.brazeName(), f.template().source()));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Returns the per-recipient trigger properties (campaign) or context (Canvas) as templates.
   *
   * @return property name to template text
   */
  public Map<String, String> properties() {
    Map<String, String> out = new LinkedHashMap<>();
    properties.forEach(f -> out.put(f.brazeName(), f.template().source()));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Returns the Braze custom event's name template, sent through {@code /users/track} for each
   * enrolled customer.
   *
   * @return the name template, or empty when the activation sends no custom event
   */
  public Optional<String> customEventName() {
    return Optional.ofNullable(customEventName).map(f -> f.template().source());
  }

  /**
   * Returns the Braze custom event's properties as templates.
   *
   * @return property name to template text; empty without a custom event
   */
  public Map<String, String> customEventProperties() {
    Map<String, String> out = new LinkedHashMap<>();
    customEventProperties.forEach(f -> out.put(f.brazeName(), f.template().source()));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Returns the data fields of the triggering ODP event that the templates and the filter read.
   *
   * @return data field names without the {@code event.data.} prefix, sorted
   */
  public Set<String> eventDataFields() {
    Set<String> names = new TreeSet<>();
    for (Field f : allTemplates()) {
      for (String used : f.template().eventFields()) {
        if (used.startsWith("data.")) {
          names.add(used.substring("data.".length()));
        }
      }
    }
    if (eventFilter != null) {
      names.addAll(eventFilter.dataFields());
    }
    return Collections.unmodifiableSet(names);
  }

  /**
   * Checks the event filter and the {@code event.data.*} template values against the fields of
   * ODP's {@code events} object.
   *
   * @param eventSchema the fields of ODP's {@code events} object
   * @throws UnknownOdpFieldException naming the activation and every unknown field, e.g. {@code
   *     activation buyers: property "order": unknown ODP event field "order_nr"}
   */
  public void validateEvents(List<SchemaField> eventSchema) {
    Set<String> known = new TreeSet<>();
    for (SchemaField f : eventSchema) {
      known.add(f.name());
    }
    List<String> problems = new ArrayList<>();
    if (eventFilter != null) {
      for (String used : eventFilter.dataFields()) {
        if (!known.contains(used)) {
          problems.add("event filter: unknown ODP event field \"" + used + "\"");
        }
      }
    }
    for (Field f : allTemplates()) {
      for (String used : new TreeSet<>(f.template().eventFields())) {
        if (used.startsWith("data.") && !known.contains(used.substring("data.".length()))) {
          problems.add(
              f.label() + ": unknown ODP event field \"" + used.substring("data.".length()) + "\"");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new UnknownOdpFieldException("activation " + name + ": " + String.join("; ", problems));
    }
  }

  /**
   * Returns the ODP customer fields a run reads: the target identifier's field and every field the
   * templates use.
   *
   * @return field names without the {@code customer.} prefix, sorted
   */
  public Set<String> requiredFields() {
    return requiredFields;
  }

  /**
   * Checks the fields the activation reads against the ODP customer schema.
   *
   * @param schema the fields of ODP's {@code customers} object
   * @throws UnknownOdpFieldException naming every unknown field, e.g. {@code field #2 (company):
   *     unknown ODP customer field "company_nme"}
   */
  public void validate(List<SchemaField> schema) {
    Set<String> known = new TreeSet<>();
    for (SchemaField f : schema) {
      known.add(f.name());
    }
    List<String> problems = new ArrayList<>();
    if (!known.contains(target.field())) {
      problems.add("target identifier: unknown ODP customer field \"" + target.field() + "\"");
    }
    for (Field f : fields) {
      for (String used : new TreeSet<>(f.template().fields())) {
        if (!known.contains(used)) {
          problems.add(f.label() + ": unknown ODP customer field \"" + used + "\"");
        }
      }
    }
    for (Field p : properties) {
      for (String used : new TreeSet<>(p.template().fields())) {
        if (!known.contains(used)) {
          problems.add(p.label() + ": unknown ODP customer field \"" + used + "\"");
        }
      }
    }
    for (Field c : customEventFields()) {
      for (String used : new TreeSet<>(c.template().fields())) {
        if (!known.contains(used)) {
          problems.add(c.label() + ": unknown ODP customer field \"" + used + "\"");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new UnknownOdpFieldException("activation " + name + ": " + String.join("; ", problems));
    }
  }

  /**
   * Checks the activation against the ODP customer schema read through {@code odp}.
   *
   * @param odp the ODP side
   * @throws IllegalArgumentException naming every unknown field
   */
  public void validate(OdpGateway odp) {
    validate(odp.customerFields());
  }

  /** Renders one customer; {@code values} returns a field's value or null. */
  Rendered render(Function<String, String> values) {
    String id = values.apply(target.field());
    if (id == null || id.isBlank()) {
      return new Rendered(null, null, Map.of(), Map.of(), null, null);
    }
    String key = target.key(id);
    Map<String, Object> attributes = new LinkedHashMap<>();
    Map<String, Object> props = new LinkedHashMap<>();
    Map<String, Object> eventProps = new LinkedHashMap<>();
    String rejection = renderInto(fields, values, attributes);
    if (rejection == null) {
      rejection = renderInto(properties, values, props);
    }
    CustomEvent event = null;
    if (rejection == null && customEventName != null) {
      String eventName = customEventName.template().render(values);
      if (eventName == null) {
        rejection = customEventName.label() + ": renders nothing (a value is missing)";
      } else if (eventName.length() > maxValueLength) {
        rejection = tooLong(customEventName, eventName);
      } else {
        rejection = renderInto(customEventProperties, values, eventProps);
        event = new CustomEvent(eventName, eventProps);
      }
    }
    if (rejection != null) {
      return new Rendered(id, key, Map.of(), Map.of(), null, rejection);
    }
    return new Rendered(id, key, attributes, props, event, null);
  }

  /** Renders templates into {@code out}, leaving out those without a value; returns a rejection. */
  private String renderInto(
      List<Field> templates, Function<String, String> values, Map<String, Object> out) {
    for (Field f : templates) {
      String value = f.template().render(values);
      if (value == null) {
        continue;
      }
      if (value.length() > maxValueLength) {
        return tooLong(f, value);
      }
      out.put(f.brazeName(), value);
    }
    return null;
  }

  private String tooLong(Field f, String value) {
    return f.label() + ": " + value.length() + " characters, over the limit of " + maxValueLength;
  }

  @Override
  public String toString() {
    return "Activation{"
        + name
        + ", "
        + (segment != null ? "segment " + segment : "event " + eventFilter)
        + ", "
        + target
        + ", "
        + touchpoint
        + ", "
        + fields.size()
        + " fields}";
  }

  /**
   * One rendered customer.
   *
   * @param targetValue the identifier's value, or null when unmatched
   * @param key the ledger key, or null when unmatched
   * @param attributes rendered fields
   * @param properties rendered trigger properties or context
   * @param customEvent the rendered Braze custom event, or null when the activation has none
   * @param rejection why the customer cannot be sent, or null
   */
  record Rendered(
      String targetValue,
      String key,
      Map<String, Object> attributes,
      Map<String, Object> properties,
      CustomEvent customEvent,
      String rejection) {
    boolean unmatched() {
      return key == null;
    }
  }

  /**
   * A rendered Braze custom event.
   *
   * @param name the event name
   * @param properties the event properties
   */
  record CustomEvent(String name, Map<String, Object> properties) {}

  private record Field(String label, String brazeName, Template template) {}

  /** Builds an {@link Activation}. */
  public static final class Builder {
    private final String name;
    private String segment;
    private EventFilter eventFilter;
    private AutomationRules rules = AutomationRules.none();
    private Schedule schedule;
    private TargetIdentifier target;
    private Touchpoint touchpoint;
    private final Map<String, String> fieldTemplates = new LinkedHashMap<>();
    private final List<String> duplicateFields = new ArrayList<>();
    private final Map<String, String> propertyTemplates = new LinkedHashMap<>();
    private String customEventTemplate;
    private final Map<String, String> customEventPropertyTemplates = new LinkedHashMap<>();
    private int maxValueLength = DEFAULT_MAX_VALUE_LENGTH;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("activation: the name is blank");
      }
      this.name = name;
    }

    /**
     * Enrolls the members of an ODP segment, evaluated on the {@link #schedule(Schedule)} or when
     * the host runs an occurrence.
     *
     * @param odpSegment the segment name as ODP's segment-member export takes it
     * @return this builder
     */
    public Builder segment(String odpSegment) {
      Objects.requireNonNull(odpSegment, "segment");
      if (odpSegment.isBlank()) {
        throw new IllegalArgumentException("activation " + name + ": the segment name is blank");
      }
      this.segment = odpSegment;
      this.eventFilter = null;
      return this;
    }

    /**
     * Enrolls customers who trigger a matching ODP event (see {@link EventActivation}).
     *
     * @param filter the event filter
     * @return this builder
     */
    public Builder event(EventFilter filter) {
      this.eventFilter = Objects.requireNonNull(filter, "filter");
      this.segment = null;
      return this;
    }

    /**
     * Sets the automation rules of an event-enrolled activation.
     *
     * @param rules caps and latency cut-off
     * @return this builder
     */
    public Builder rules(AutomationRules rules) {
      this.rules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /**
     * Sets the schedule of a segment-enrolled activation, used by {@link ActivationScheduler}.
     *
     * @param schedule the schedule
     * @return this builder
     */
    public Builder schedule(Schedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * Sets how customers are identified in Braze (required).
     *
     * @param target the target identifier
     * @return this builder
     */
    public Builder target(TargetIdentifier target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    /**
     * Sets where customers are sent (required).
     *
     * @param touchpoint campaign, Canvas or profile-only
     * @return this builder
     */
    public Builder touchpoint(Touchpoint touchpoint) {
      this.touchpoint = Objects.requireNonNull(touchpoint, "touchpoint");
      return this;
    }

    /**
     * Adds an extra field: a Braze attribute set from a template over the ODP customer. Fields are
     * numbered from 1 in the order they are added.
     *
     * @param brazeField the Braze attribute name
     * @param template the template, e.g. {@code {{ customer.company_name }}}
     * @return this builder
     */
    public Builder field(String brazeField, String template) {
      Objects.requireNonNull(brazeField, "brazeField");
      Objects.requireNonNull(template, "template");
      if (fieldTemplates.containsKey(brazeField)) {
        duplicateFields.add(brazeField);
      }
      fieldTemplates.put(brazeField, template);
      return this;
    }

    /**
     * Adds a per-recipient trigger property (campaign) or Canvas context entry, rendered from a
     * template like the fields; a template without {@code {{ }}} is a constant.
     *
     * @param key the property name
     * @param template the template
     * @return this builder
     */
    public Builder property(String key, String template) {
      Objects.requireNonNull(key, "key");
      propertyTemplates.put(key, Objects.requireNonNull(template, "template"));
      return this;
    }

    /**
     * Also sends a Braze custom event through {@code /users/track} {@code events[]} for each
     * enrolled customer, with any touchpoint (profile-only included). The name is a template like
     * the fields; with event enrollment {@code event.*} values are available and the event's {@code
     * time} is the ODP event's {@code ts} (otherwise the time of the run). Each custom event is
     * recorded in the ledger under {@code <activation>}{@value
     * Activation#CUSTOM_EVENT_LEDGER_SUFFIX}, so it is never sent twice for one ODP event or
     * occurrence.
     *
     * @param nameTemplate the event name, e.g. {@code odp_purchase}
     * @return this builder
     */
    public Builder customEvent(String nameTemplate) {
      this.customEventTemplate = Objects.requireNonNull(nameTemplate, "customEvent");
      return this;
    }

    /**
     * Adds a property of the custom event, templated like the fields, e.g. {@code {{
     * event.data.order_id }}}; a property whose value is missing is left out.
     *
     * @param key the property name
     * @param template the template
     * @return this builder
     */
    public Builder customEventProperty(String key, String template) {
      Objects.requireNonNull(key, "key");
      customEventPropertyTemplates.put(key, Objects.requireNonNull(template, "template"));
      return this;
    }

    /**
     * Sets the longest rendered value in characters (default {@value
     * Activation#DEFAULT_MAX_VALUE_LENGTH}); a customer with a longer value is rejected in the
     * report, not sent.
     *
     * @param characters the limit, at least 1
     * @return this builder
     */
    public Builder maxValueLength(int characters) {
      if (characters < 1) {
        throw new IllegalArgumentException(
            "activation " + name + ": maxValueLength must be at least 1, was " + characters);
      }
      this.maxValueLength = characters;
      return this;
    }

    /**
     * Builds the activation, parsing every template.
     *
     * @return the activation
     * @throws IllegalArgumentException listing every problem: missing enrollment, target or
     *     touchpoint, more than {@value Activation#MAX_FIELDS} fields, bad Braze field names,
     *     template syntax errors with field number and column, rules that do not apply
     */
    public Activation build() {
      List<String> problems = new ArrayList<>();
      if (segment == null && eventFilter == null) {
        problems.add("choose an enrollment: segment(name) or event(filter)");
      }
      if (target == null) {
        problems.add("choose a target identifier");
      }
      if (touchpoint == null) {
        problems.add("choose a touchpoint: campaign(id), canvas(id) or profileUpdateOnly()");
      }
      if (fieldTemplates.size() > MAX_FIELDS) {
        problems.add(
            fieldTemplates.size() + " fields, over the limit of " + MAX_FIELDS + " extra fields");
      }
      for (String d : duplicateFields) {
        problems.add("Braze field \"" + d + "\" is set twice");
      }
      if (segment != null && (rules.hasCaps() || rules.maxLatency() != null)) {
        problems.add("automation rules apply to event enrollment only");
      }
      if (eventFilter != null && schedule != null) {
        problems.add("a schedule applies to segment enrollment only");
      }
      if (touchpoint != null && !touchpoint.sendsMessages()) {
        if (rules.hasCaps()) {
          problems.add(
              "per-hour caps count messages, and a profile-only touchpoint sends none:"
                  + " remove the caps");
        }
        if (!propertyTemplates.isEmpty()) {
          problems.add("trigger properties apply to campaigns and Canvases, not to profile-only");
        }
        if (fieldTemplates.isEmpty() && customEventTemplate == null) {
          problems.add(
              "a profile-only touchpoint needs at least one field to update or a custom event");
        }
      }
      List<Field> fields = new ArrayList<>();
      int number = 0;
      for (Map.Entry<String, String> e : fieldTemplates.entrySet()) {
        number++;
        String label = "field #" + number + " (" + e.getKey() + ")";
        checkBrazeName(label, e.getKey(), problems);
        Template t = parse(label, e.getValue(), problems);
        if (t != null) {
          fields.add(new Field(label, e.getKey(), t));
        }
      }
      List<Field> properties = new ArrayList<>();
      for (Map.Entry<String, String> e : propertyTemplates.entrySet()) {
        String label = "property \"" + e.getKey() + "\"";
        if (e.getKey().isBlank() || e.getKey().startsWith("$")) {
          problems.add(label + ": a property name must not be blank or start with $");
        }
        Template t = parse(label, e.getValue(), problems);
        if (t != null) {
          properties.add(new Field(label, e.getKey(), t));
        }
      }
      Field eventName = null;
      List<Field> eventProperties = new ArrayList<>();
      if (customEventTemplate != null) {
        Template t = parse("custom event name", customEventTemplate, problems);
        if (t != null) {
          eventName = new Field("custom event name", "name", t);
        }
        if (customEventTemplate.isBlank()) {
          problems.add("custom event name: blank");
        }
        for (Map.Entry<String, String> e : customEventPropertyTemplates.entrySet()) {
          String label = "custom event property \"" + e.getKey() + "\"";
          if (e.getKey().isBlank() || e.getKey().startsWith("$")) {
            problems.add(label + ": a property name must not be blank or start with $");
          }
          Template pt = parse(label, e.getValue(), problems);
          if (pt != null) {
            eventProperties.add(new Field(label, e.getKey(), pt));
          }
        }
      } else if (!customEventPropertyTemplates.isEmpty()) {
        problems.add("custom event properties need customEvent(name)");
      }
      if (segment != null) {
        List<Field> all = new ArrayList<>(fields);
        all.addAll(properties);
        if (eventName != null) {
          all.add(eventName);
        }
        all.addAll(eventProperties);
        for (Field f : all) {
          if (!f.template().eventFields().isEmpty()) {
            problems.add(
                f.label() + ": event.* values exist only for event enrollment, not for a segment");
          }
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            (problems.size() == 1 ? "" : "activation " + name + ": ")
                + String.join("\n", problems));
      }
      return new Activation(this, fields, properties, eventName, eventProperties);
    }

    private static void checkBrazeName(String label, String brazeName, List<String> problems) {
      if (brazeName.isBlank()) {
        problems.add(label + ": the Braze field name is blank");
      } else if (brazeName.startsWith("$")) {
        problems.add(label + ": a Braze field name must not start with $");
      } else if (brazeName.length() > 255) {
        problems.add(label + ": the Braze field name is longer than 255 characters");
      } else if (RESERVED.contains(brazeName)) {
        problems.add(
            label + ": \"" + brazeName + "\" is an identifier and cannot be set as a field");
      }
    }

    private static Template parse(String label, String text, List<String> problems) {
      try {
        return Template.parse(text);
      } catch (Template.SyntaxError e) {
        problems.add(label + ": " + e.getMessage());
        return null;
      }
    }
  }
}
