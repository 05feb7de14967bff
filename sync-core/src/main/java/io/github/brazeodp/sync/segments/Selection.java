package io.github.brazeodp.sync.segments;

import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.sync.internal.Text;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which Braze segments a sync imports: none (the default, which imports nothing and says so),
 * specific segments by id or name, or all of them ("Import All Customers").
 */
public final class Selection {
  private enum Kind {
    NONE,
    SOME,
    ALL
  }

  private final Kind kind;
  private final List<String> wanted;

  private Selection(Kind kind, List<String> wanted) {
    this.kind = kind;
    this.wanted = List.copyOf(wanted);
  }

  /** Selects nothing: the run imports no profile and reports so. */
  public static Selection none() {
    return new Selection(Kind.NONE, List.of());
  }

  /** Selects every segment {@code /segments/list} returns. */
  public static Selection all() {
    return new Selection(Kind.ALL, List.of());
  }

  /** Selects segments by API id or by exact name. */
  public static Selection segments(String... idsOrNames) {
    return segments(List.of(idsOrNames));
  }

  /** Selects segments by API id or by exact name. */
  public static Selection segments(List<String> idsOrNames) {
    if (idsOrNames.isEmpty()) {
      return none();
    }
    for (int i = 0; i < idsOrNames.size(); i++) {
      String s = idsOrNames.get(i);
      if (s == null || s.isBlank()) {
        throw new IllegalArgumentException("segments[" + i + "] is blank");
      }
    }
    return new Selection(Kind.SOME, idsOrNames);
  }

  /** Returns whether nothing is selected. */
  public boolean isNone() {
    return kind == Kind.NONE;
  }

  /**
   * Resolves the selection against the listed segments.
   *
   * @throws UnknownSegmentsException naming every id or name that matches no segment, with close
   *     matches
   */
  public List<Segment> resolve(Iterable<Segment> listed) {
    List<Segment> all = new ArrayList<>();
    listed.forEach(all::add);
    if (kind == Kind.NONE) {
      return List.of();
    }
    if (kind == Kind.ALL) {
      return all;
    }
    Map<String, Segment> chosen = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String w : wanted) {
      Segment byId = all.stream().filter(s -> w.equals(s.id())).findFirst().orElse(null);
      List<Segment> byName = all.stream().filter(s -> w.equals(s.name())).toList();
      if (byId != null) {
        chosen.put(byId.id(), byId);
      } else if (byName.size() == 1) {
        chosen.put(byName.get(0).id(), byName.get(0));
      } else if (byName.size() > 1) {
        problems.add(
            "\""
                + w
                + "\" names "
                + byName.size()
                + " segments ("
                + byName.stream().map(Segment::id).toList()
                + "); select by id");
      } else {
        List<String> close = closeMatches(w, all);
        problems.add(
            "\""
                + w
                + "\" matches no segment id or name"
                + (close.isEmpty() ? "" : "; did you mean " + close + "?"));
      }
    }
    if (!problems.isEmpty()) {
      throw new UnknownSegmentsException(problems);
    }
    return List.copyOf(chosen.values());
  }

  private static List<String> closeMatches(String wanted, List<Segment> all) {
    String w = wanted.toLowerCase(Locale.ROOT);
    return all.stream()
        .flatMap(s -> java.util.stream.Stream.of(s.id(), s.name()))
        .filter(java.util.Objects::nonNull)
        .filter(
            c -> {
              String lc = c.toLowerCase(Locale.ROOT);
              return lc.contains(w) || w.contains(lc) || Text.distance(lc, w) <= 2;
            })
        .distinct()
        .sorted(Comparator.comparingInt(c -> Text.distance(c.toLowerCase(Locale.ROOT), w)))
        .limit(3)
        .toList();
  }

  @Override
  public String toString() {
    return switch (kind) {
      case NONE -> "none";
      case ALL -> "all";
      case SOME -> "segments" + wanted;
    };
  }
}
