package io.github.brazeodp.odp;

import java.util.List;

/**
 * The GraphQL endpoint answered HTTP 200 with an {@code errors[]} array, e.g. {@code
 * INVALID_IDENTIFIER_EXCEPTION} when the customer cannot be resolved.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/realtimesegments-querying-real-time-segments">ODP
 *     real-time segments query</a>
 */
public final class OdpGraphQlException extends OdpException {
  private final List<OdpGraphQlError> errors;

  /**
   * Creates an exception.
   *
   * @param message the message
   * @param errors the parsed errors, at least one
   */
  public OdpGraphQlException(String message, List<OdpGraphQlError> errors) {
    super(OdpApi.GRAPHQL.endpoint(), message, null);
    this.errors = List.copyOf(errors);
  }

  /** Returns the errors, in order. */
  public List<OdpGraphQlError> errors() {
    return errors;
  }

  /** Returns true when any error has the code {@code INVALID_IDENTIFIER_EXCEPTION}. */
  public boolean isInvalidIdentifier() {
    return errors.stream().anyMatch(e -> "INVALID_IDENTIFIER_EXCEPTION".equals(e.code()));
  }
}
