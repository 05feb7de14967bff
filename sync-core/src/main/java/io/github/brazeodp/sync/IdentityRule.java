package io.github.brazeodp.sync;

import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.sync.mapping.FieldMappings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a Braze user is identified in ODP: which Braze fields become which ODP identifiers.
 *
 * <p>The default takes Braze {@code email} as ODP {@code email}, then {@code phone} as {@code
 * phone}. Every pair that has a value is sent, so ODP can merge on any of them; a user with none is
 * <em>unmatched</em>: counted and reported, never an error. An account with a custom ODP identifier
 * for Braze's external id can add it with {@link #withExternalIdAs(String)}.
 *
 * <p>The default follows the mapping rules: when the rules no longer write {@code email} or {@code
 * phone} (e.g. after {@code FieldMappings.remove("phone")}), that field does not leave as an
 * identifier either (see {@link #followingMappings}). A rule built with {@link #of} is explicit and
 * is used as given.
 */
public final class IdentityRule {
  /** One Braze field taken as one ODP identifier. */
  public record Pair(String brazeField, String odpIdentifier) {
    /** Validates the pair. */
    public Pair {
      Objects.requireNonNull(brazeField, "brazeField");
      Objects.requireNonNull(odpIdentifier, "odpIdentifier");
      if (!SOURCES.contains(brazeField)) {
        throw new IllegalArgumentException(
            "identity source must be one of " + SOURCES + ", was \"" + brazeField + "\"");
      }
    }
  }

  private static final Set<String> SOURCES = Set.of("email", "phone", "external_id", "braze_id");

  private final List<Pair> pairs;
  // The pairs that come from defaults(): they follow the mapping rules. Explicit pairs do not.
  private final Set<Pair> implicit;

  private IdentityRule(List<Pair> pairs, Set<Pair> implicit) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("an identity rule needs at least one pair");
    }
    this.pairs = List.copyOf(pairs);
    this.implicit = Set.copyOf(implicit);
  }

  /**
   * Returns the default rule: email → email, then phone → phone, each only while the mapping rules
   * write that field (see {@link #followingMappings}).
   */
  public static IdentityRule defaults() {
    List<Pair> pairs = List.of(new Pair("email", "email"), new Pair("phone", "phone"));
    return new IdentityRule(pairs, Set.copyOf(pairs));
  }

  /** Returns an explicit rule of the given pairs, in priority order, used whatever the mappings. */
  public static IdentityRule of(List<Pair> pairs) {
    return new IdentityRule(pairs, Set.of());
  }

  /** Returns a copy that also sends Braze's external id as the ODP identifier {@code name}. */
  public IdentityRule withExternalIdAs(String odpIdentifier) {
    List<Pair> more = new ArrayList<>(pairs);
    more.add(new Pair("external_id", odpIdentifier));
    return new IdentityRule(more, implicit);
  }

  /**
   * Returns whether every pair was configured explicitly, so that the mapping rules do not change
   * the rule.
   */
  public boolean isExplicit() {
    return implicit.isEmpty();
  }

  /**
   * Returns the rule as it applies with {@code mappings}: the default pairs whose ODP field the
   * mappings no longer write are dropped, so that removing a mapping (say {@code phone}, for
   * privacy) also stops that field from leaving as an identifier. Explicit pairs stay.
   *
   * @param mappings the mapping rules of the flow
   * @return this rule, or a copy without the dropped pairs
   * @throws IllegalArgumentException when no pair would be left
   */
  public IdentityRule followingMappings(FieldMappings mappings) {
    Objects.requireNonNull(mappings, "mappings");
    if (implicit.isEmpty()) {
      return this;
    }
    Set<String> written = new HashSet<>();
    mappings.rules().forEach(rule -> written.add(rule.target()));
    List<Pair> kept =
        pairs.stream()
            .filter(p -> !implicit.contains(p) || written.contains(p.odpIdentifier()))
            .toList();
    if (kept.size() == pairs.size()) {
      return this;
    }
    if (kept.isEmpty()) {
      throw new IllegalArgumentException(
          "the mapping rules write none of the default identifiers "
              + implicit.stream().map(Pair::odpIdentifier).sorted().toList()
              + ", so no user could be matched; configure the identity rule explicitly to send"
              + " identifiers that are not mapped");
    }
    Set<Pair> stillImplicit = new HashSet<>(implicit);
    stillImplicit.retainAll(kept);
    return new IdentityRule(kept, stillImplicit);
  }

  /** Returns the pairs in priority order. */
  public List<Pair> pairs() {
    return pairs;
  }

  /** Returns the Braze fields the rule reads, for {@code fields_to_export}. */
  public List<String> brazeFields() {
    return pairs.stream().map(Pair::brazeField).distinct().toList();
  }

  /** Returns the ODP identifier names the rule writes. */
  public List<String> odpIdentifiers() {
    return pairs.stream().map(Pair::odpIdentifier).distinct().toList();
  }

  /** Returns the identifiers of {@code user}, in priority order; empty when unmatched. */
  public Map<String, String> identifiers(ExportedUser user) {
    Map<String, String> ids = new LinkedHashMap<>();
    for (Pair p : pairs) {
      Object value = user.field(p.brazeField());
      if (value instanceof String s && !s.isBlank() && !ids.containsKey(p.odpIdentifier())) {
        ids.put(p.odpIdentifier(), s.strip());
      }
    }
    return ids;
  }

  @Override
  public String toString() {
    return "IdentityRule" + pairs;
  }
}
