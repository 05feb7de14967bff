package io.github.brazeodp.sync.mapping;

import java.util.List;

/**
 * Thrown when mapping rules cannot run against an ODP schema; lists every problem found, one line
 * each, each naming its rule.
 */
public final class MappingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The problems, one line each. */
  @SuppressWarnings("serial") // an immutable List.copyOf, serializable in practice
  private final List<String> problems;

  /**
   * Creates an exception for the given problems.
   *
   * @param problems one line per problem, not empty
   */
  public MappingException(List<String> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * Returns the problems, one line each, in rule order.
   *
   * @return the problems
   */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    StringBuilder s =
        new StringBuilder()
            .append(problems.size())
            .append(problems.size() == 1 ? " problem" : " problems")
            .append(" in the field mappings:");
    for (String p : problems) {
      s.append("\n  ").append(p);
    }
    return s.toString();
  }
}
