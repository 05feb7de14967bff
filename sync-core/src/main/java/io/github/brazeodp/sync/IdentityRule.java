package io.github.brazeodp.sync;

import io.github.brazeodp.braze.ExportedUser;
import java.util.ArrayList;
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

  private IdentityRule(List<Pair> pairs) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("an identity rule needs at least one pair");
    }
    this.pairs = List.copyOf(pairs);
  }

  /** Returns the default rule: email → email, then phone → phone. */
  public static IdentityRule defaults() {
    return new IdentityRule(List.of(new Pair("email", "email"), new Pair("phone", "phone")));
  }

  /** Returns a rule of the given pairs, in priority order. */
  public static IdentityRule of(List<Pair> pairs) {
    return new IdentityRule(pairs);
  }

  /** Returns a copy that also sends Braze's external id as the ODP identifier {@code name}. */
  public IdentityRule withExternalIdAs(String odpIdentifier) {
    List<Pair> more = new ArrayList<>(pairs);
    more.add(new Pair("external_id", odpIdentifier));
    return new IdentityRule(more);
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
