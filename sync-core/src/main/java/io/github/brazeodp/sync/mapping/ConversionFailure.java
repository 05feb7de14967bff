package io.github.brazeodp.sync.mapping;

/**
 * A value that a transform or conversion cannot handle; the reason ends up in a {@link
 * ConversionProblem}.
 *
 * <p>Thrown once per bad value on the hot path of a sync, so it carries no stack trace: the reason
 * is all a report needs.
 */
final class ConversionFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConversionFailure(String reason) {
    super(reason, null, false, false);
  }
}
