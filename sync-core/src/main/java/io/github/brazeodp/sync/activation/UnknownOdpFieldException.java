package io.github.brazeodp.sync.activation;

/**
 * An activation names a field ODP does not have (a customer field in a template, an event field in
 * the filter or in an {@code event.data.*} template): a configuration mistake to fix, not a failed
 * run. The message names the activation and every unknown field.
 */
public final class UnknownOdpFieldException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the activation and every unknown field
   */
  public UnknownOdpFieldException(String message) {
    super(message);
  }
}
