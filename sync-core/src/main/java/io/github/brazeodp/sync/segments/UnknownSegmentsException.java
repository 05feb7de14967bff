package io.github.brazeodp.sync.segments;

import java.util.List;

/** The selection names segments Braze does not list; raised before any export starts. */
public class UnknownSegmentsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial")
  private final List<String> problems;

  /** Creates the exception with one line per unknown id or name. */
  public UnknownSegmentsException(List<String> problems) {
    super("unknown segments in the selection:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Returns one line per unknown or ambiguous id or name. */
  public List<String> problems() {
    return problems;
  }
}
