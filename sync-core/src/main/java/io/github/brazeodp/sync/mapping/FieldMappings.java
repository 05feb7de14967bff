package io.github.brazeodp.sync.mapping;

import io.github.brazeodp.braze.ExportedUser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, ordered set of mapping rules from a Braze export user to ODP customer attributes.
 *
 * <p>Rules are numbered from 1 in order; messages name them as {@code rule #4 (last_name →
 * last_name)}. {@link #add}, {@link #remove} and {@link #without} return new instances. Before a
 * run, {@link #validate} checks the rules against the ODP customer schema and returns the rules
 * bound to the schema's field kinds; {@link #apply} on those converts each value to its field's
 * kind (on unchecked rules values keep the type Braze exported). Safe to share between threads.
 *
 * <pre>{@code
 * FieldMappings mappings = FieldMappings.defaults()
 *     .remove("phone")
 *     .add(FieldMapping.customAttribute("loyaltyPoints", "_braze_loyalty_points").as(FieldKind.NUMBER))
 *     .add(FieldMapping.of("custom_attributes.tier", "loyalty_tier", Transform.lowerCase()));
 * ValidationResult checked = mappings.validate(schema, true); // throws MappingException
 * MappedCustomer customer = checked.mappings().apply(user);
 * }</pre>
 */
public final class FieldMappings {
  /** The default Braze prefix of fields that Braze data creates in ODP. */
  public static final String DEFAULT_PREFIX = "_braze_";

  private final String prefix;
  private final List<FieldMapping> rules;
  // Target field to kind after validate(); empty on unchecked rules.
  private final Map<String, FieldKind> targetKinds;

  private FieldMappings(String prefix, List<FieldMapping> rules, Map<String, FieldKind> kinds) {
    this.prefix = prefix;
    this.rules = List.copyOf(rules);
    this.targetKinds = Map.copyOf(kinds);
  }

  /**
   * Returns the default rules with the prefix {@code _braze_}.
   *
   * @return the defaults
   * @see #defaults(String)
   */
  public static FieldMappings defaults() {
    return defaults(DEFAULT_PREFIX);
  }

  /**
   * Returns the default rules, in this order: email → email, phone → phone, first_name →
   * first_name, last_name → last_name, home_city → city, country → country, time_zone → timezone
   * (IANA ids only), gender → gender (M and F only), dob → dob_year, dob_month and dob_day (three
   * rules), external_id → {@code <prefix>external_id}, braze_id → {@code <prefix>braze_id}.
   *
   * @param prefix the Braze prefix: lower snake case, may start with an underscore, ends with
   *     {@code _}; {@code _braze_} by default, {@code braze_} for schemas that reject a leading
   *     underscore
   * @return the defaults
   * @throws IllegalArgumentException if the prefix is invalid
   */
  public static FieldMappings defaults(String prefix) {
    Names.checkPrefix(prefix);
    return new FieldMappings(
        prefix,
        List.of(
            FieldMapping.of("email", "email"),
            FieldMapping.of("phone", "phone"),
            FieldMapping.of("first_name", "first_name"),
            FieldMapping.of("last_name", "last_name"),
            FieldMapping.of("home_city", "city"),
            FieldMapping.of("country", "country"),
            FieldMapping.of("time_zone", "timezone", Transform.timeZone()),
            FieldMapping.of("gender", "gender", Transform.gender()),
            FieldMapping.of("dob", "dob_year", Transform.year()),
            FieldMapping.of("dob", "dob_month", Transform.month()),
            FieldMapping.of("dob", "dob_day", Transform.day()),
            FieldMapping.of("external_id", prefix + "external_id"),
            FieldMapping.of("braze_id", prefix + "braze_id")),
        Map.of());
  }

  /**
   * Returns no rules at all, for hosts that list every rule themselves.
   *
   * @param prefix the Braze prefix, as for {@link #defaults(String)}
   * @return an empty set of rules
   */
  public static FieldMappings none(String prefix) {
    return new FieldMappings(Names.checkPrefix(prefix), List.of(), Map.of());
  }

  /**
   * Returns the Braze prefix.
   *
   * @return the prefix, e.g. {@code _braze_}
   */
  public String prefix() {
    return prefix;
  }

  /**
   * Returns the rules in order; rule #1 is the first.
   *
   * @return the rules
   */
  public List<FieldMapping> rules() {
    return rules;
  }

  /**
   * Returns a copy with {@code rule} appended; validate again before applying it.
   *
   * <p>To change what a default writes, remove it first: two rules writing the same field fail
   * validation.
   *
   * @param rule the rule to add
   * @return the new rules, unchecked
   */
  public FieldMappings add(FieldMapping rule) {
    Objects.requireNonNull(rule, "rule");
    List<FieldMapping> next = new ArrayList<>(rules);
    next.add(rule);
    return new FieldMappings(prefix, next, Map.of());
  }

  /**
   * Returns a copy without the rules that write ODP field {@code target}.
   *
   * <p>Removing {@code email} or {@code phone} also stops that field from leaving as an ODP
   * identifier: the default identity rule follows the mappings ({@code
   * IdentityRule.followingMappings}). To keep sending a field as an identifier without mapping it,
   * configure the identity rule explicitly with {@code IdentityRule.of(...)}.
   *
   * @param target the ODP field, e.g. {@code phone} or {@code dob_day}
   * @return the new rules, unchecked
   * @throws IllegalArgumentException if no rule writes that field
   */
  public FieldMappings remove(String target) {
    Objects.requireNonNull(target, "target");
    List<FieldMapping> next = new ArrayList<>(rules);
    if (!next.removeIf(r -> r.target().equals(target))) {
      throw new IllegalArgumentException(
          "no rule writes " + target + closeMatchesText(target, targets()));
    }
    return new FieldMappings(prefix, next, Map.of());
  }

  /**
   * Returns a copy without the rules that read Braze field {@code source}; {@code without("dob")}
   * removes the three date-of-birth rules.
   *
   * @param source the Braze field, e.g. {@code dob} or {@code custom_attributes.tier}
   * @return the new rules, unchecked
   * @throws IllegalArgumentException if no rule reads that field
   */
  public FieldMappings without(String source) {
    Objects.requireNonNull(source, "source");
    List<FieldMapping> next = new ArrayList<>(rules);
    if (!next.removeIf(r -> source.equals(r.source()))) {
      Set<String> sources = new TreeSet<>();
      rules.forEach(
          r -> {
            if (r.source() != null) {
              sources.add(r.source());
            }
          });
      throw new IllegalArgumentException(
          "no rule reads " + source + closeMatchesText(source, sources));
    }
    return new FieldMappings(prefix, next, Map.of());
  }

  /**
   * Returns the standard fields the rules read, as Braze's {@code fields_to_export}: each standard
   * source by name, plus {@code custom_attributes} when any rule reads a custom attribute. Sorted;
   * identity and membership needs (e.g. {@code braze_id}) are the sync's to add.
   *
   * @return the field names, each one of {@code ExportSegmentRequest.KNOWN_FIELDS}
   */
  public List<String> fieldsToExport() {
    Set<String> fields = new TreeSet<>();
    for (FieldMapping r : rules) {
      if (r.source() == null) {
        continue;
      }
      if (r.readsCustomAttribute()) {
        fields.add("custom_attributes");
      } else if (Names.STANDARD_SOURCES.containsKey(r.source())) {
        fields.add(r.source());
      }
    }
    return List.copyOf(fields);
  }

  /**
   * Returns the custom attributes the rules read, as Braze's {@code custom_attributes_to_export}.
   *
   * @return the attribute names, sorted; empty when no rule reads one
   */
  public List<String> customAttributesToExport() {
    Set<String> names = new TreeSet<>();
    for (FieldMapping r : rules) {
      if (r.readsCustomAttribute()) {
        names.add(r.customAttributeName());
      }
    }
    return List.copyOf(names);
  }

  /**
   * Checks the rules against the ODP customer schema, without creating any field.
   *
   * @param schema the account's customer fields and identifiers
   * @return the rules bound to the schema's kinds; nothing to create
   * @throws MappingException listing every problem, one line per problem, each naming its rule
   * @see #validate(CustomerSchema, boolean)
   */
  public ValidationResult validate(CustomerSchema schema) {
    return validate(schema, false);
  }

  /**
   * Checks the rules against the ODP customer schema before a run, reporting every problem at once.
   *
   * <p>Fails for: a source that is not a readable Braze field; a target ODP lacks (with close
   * matches), unless {@code createMissingPrefixedFields} is set and the target starts with the
   * prefix; a target name ODP would reject; two rules writing the same field; a rule whose values
   * can never go into its field (a boolean or a timestamp into a number field, a boolean into a
   * timestamp field, a timestamp into a boolean field); a field of a type rules cannot write; more
   * custom attributes than Braze exports (500). Values whose conversion depends on the data (text
   * into a number field) pass here and are checked per user by {@link #apply}.
   *
   * @param schema the account's customer fields and identifiers
   * @param createMissingPrefixedFields whether missing fields starting with the prefix are to be
   *     created by the caller through the schema API
   * @return the rules bound to the schema's kinds, and the fields to create with their kinds (the
   *     rule's kind, else {@link FieldKind#STRING})
   * @throws MappingException listing every problem, one line per problem, each naming its rule
   */
  public ValidationResult validate(CustomerSchema schema, boolean createMissingPrefixedFields) {
    Objects.requireNonNull(schema, "schema");
    List<String> problems = new ArrayList<>();
    Map<String, Integer> firstWriter = new HashMap<>();
    Map<String, FieldKind> kinds = new HashMap<>();
    Map<String, FieldKind> toCreate = new LinkedHashMap<>();
    Set<String> known = new TreeSet<>(schema.fields().keySet());
    known.addAll(schema.identifiers());
    for (int i = 0; i < rules.size(); i++) {
      FieldMapping rule = rules.get(i);
      String name = ruleName(i);
      if (rule.source() != null) {
        String why = Names.sourceProblem(rule.source());
        if (why != null) {
          problems.add(name + ": " + why);
        }
      }
      String target = rule.target();
      Integer first = firstWriter.putIfAbsent(target, i);
      if (first != null) {
        problems.add(
            name + ": duplicate target " + target + ", also written by " + ruleName(first));
        continue;
      }
      FieldKind produced = kindOf(rule);
      FieldKind targetKind = schema.kindOf(target);
      if (targetKind == null) {
        String badName = Names.targetNameProblem(target, prefix);
        if (badName != null) {
          problems.add(name + ": " + badName);
        } else if (createMissingPrefixedFields && target.startsWith(prefix)) {
          FieldKind kind = produced != null ? produced : FieldKind.STRING;
          toCreate.put(target, kind);
          kinds.put(target, kind);
        } else {
          problems.add(name + ": " + unknownTarget(target, known, createMissingPrefixedFields));
        }
        continue;
      }
      if (targetKind == FieldKind.OTHER) {
        problems.add(
            name + ": the ODP field " + target + " has a type that mapping rules cannot write");
      } else if (!Convert.compatible(produced, targetKind)) {
        problems.add(
            name
                + ": cannot convert "
                + produced
                + " values into the "
                + targetKind
                + " field "
                + target
                + hint(produced, targetKind));
      } else {
        kinds.put(target, targetKind);
      }
    }
    int customAttributes = customAttributesToExport().size();
    if (customAttributes > Names.MAX_CUSTOM_ATTRIBUTES) {
      problems.add(
          "the rules read "
              + customAttributes
              + " custom attributes; Braze exports at most "
              + Names.MAX_CUSTOM_ATTRIBUTES);
    }
    if (!problems.isEmpty()) {
      throw new MappingException(problems);
    }
    return new ValidationResult(new FieldMappings(prefix, rules, kinds), toCreate);
  }

  /**
   * Maps one exported user to ODP customer attributes; never throws for bad data.
   *
   * <p>Null and blank values (and empty lists) are left out, so the upsert never clears a field. A
   * value that does not convert to its field's kind, or text over ODP's 1,024-character limit, is
   * left out and listed in {@link MappedCustomer#problems()}; the other fields are still mapped.
   *
   * @param user the user as Braze exported it
   * @return the attributes and any problems
   */
  public MappedCustomer apply(ExportedUser user) {
    Objects.requireNonNull(user, "user");
    // MappedCustomer sorts the attributes; a hash map is the cheaper way to collect them.
    Map<String, Object> out = new HashMap<>();
    List<ConversionProblem> problems = new ArrayList<>(0);
    for (int i = 0; i < rules.size(); i++) {
      FieldMapping rule = rules.get(i);
      Object raw = rule.source() == null ? null : read(user, rule);
      if (rule.source() != null && Convert.isAbsent(raw)) {
        continue;
      }
      try {
        Object value = rule.transform() == null ? raw : rule.transform().apply(raw);
        if (Convert.isAbsent(value)) {
          continue;
        }
        FieldKind produced = kindOf(rule);
        value = Convert.to(value, produced);
        FieldKind targetKind = targetKinds.get(rule.target());
        if (targetKind != null && targetKind != produced) {
          value = Convert.to(value, targetKind);
        }
        if (value instanceof String s && Convert.isAbsent(s)) {
          continue;
        }
        if (value instanceof String s
            && s.codePointCount(0, s.length()) > Convert.MAX_TEXT_LENGTH) {
          throw new ConversionFailure(
              "is longer than ODP's limit of " + Convert.MAX_TEXT_LENGTH + " characters");
        }
        out.put(rule.target(), value);
      } catch (ConversionFailure e) {
        problems.add(
            new ConversionProblem(
                ruleName(i), rule.target(), Convert.preview(raw), e.getMessage()));
      }
    }
    return new MappedCustomer(out, problems);
  }

  /** Returns the rule's stable name for messages: {@code rule #4 (last_name → last_name)}. */
  String ruleName(int index) {
    return "rule #" + (index + 1) + " (" + rules.get(index) + ")";
  }

  /** Returns the kind a rule produces: declared, else the transform's, else the source's. */
  static FieldKind kindOf(FieldMapping rule) {
    if (rule.kind() != null) {
      return rule.kind();
    }
    if (rule.transform() != null && rule.transform().kind() != null) {
      return rule.transform().kind();
    }
    return rule.source() == null ? null : Names.STANDARD_SOURCES.get(rule.source());
  }

  private static Object read(ExportedUser user, FieldMapping rule) {
    // Custom attributes are read directly: ExportedUser.field prefers a standard field by that
    // name.
    return rule.readsCustomAttribute()
        ? user.customAttributes().get(rule.customAttributeName())
        : user.field(rule.source());
  }

  private Set<String> targets() {
    Set<String> targets = new TreeSet<>();
    rules.forEach(r -> targets.add(r.target()));
    return targets;
  }

  private String unknownTarget(String target, Set<String> known, boolean creating) {
    StringBuilder s = new StringBuilder("unknown ODP customer field ").append(target);
    s.append(closeMatchesText(target, known));
    if (target.startsWith(prefix) && !creating) {
      s.append("; or let the sync create missing prefixed fields");
    } else if (!target.startsWith(prefix)) {
      s.append("; only fields starting with ").append(prefix).append(" can be created");
    }
    return s.toString();
  }

  private static String closeMatchesText(String name, Set<String> candidates) {
    List<String> close = Names.closeMatches(name, candidates);
    return close.isEmpty() ? "" : "; close matches: " + String.join(", ", close);
  }

  private static String hint(FieldKind from, FieldKind to) {
    if (from == FieldKind.TIMESTAMP && to == FieldKind.NUMBER) {
      return "; use Transform.dateFormat(DateOutput.EPOCH_SECONDS) for epoch seconds";
    }
    return "";
  }

  /** Rules, prefix and (after validation) field kinds all count. */
  @Override
  public boolean equals(Object o) {
    return o instanceof FieldMappings m
        && m.prefix.equals(prefix)
        && m.rules.equals(rules)
        && m.targetKinds.equals(targetKinds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(prefix, rules, targetKinds);
  }

  /** Returns the prefix and every rule by name. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("FieldMappings[prefix=").append(prefix);
    for (int i = 0; i < rules.size(); i++) {
      s.append(i == 0 ? ", " : "; ").append(ruleName(i));
    }
    return s.append(targetKinds.isEmpty() ? ", unchecked]" : ", validated]").toString();
  }
}
