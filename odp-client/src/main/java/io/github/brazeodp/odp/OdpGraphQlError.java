package io.github.brazeodp.odp;

import java.util.List;

/**
 * One GraphQL {@code errors[]} item.
 *
 * @param message the server's message
 * @param code {@code extensions.code}, e.g. {@code INVALID_IDENTIFIER_EXCEPTION}, or null
 * @param classification {@code extensions.classification}, e.g. {@code DataFetchingException}, or
 *     null
 * @param path the response path of the error, e.g. {@code ["customer"]}
 */
public record OdpGraphQlError(
    String message, String code, String classification, List<String> path) {
  /** Copies the path; null becomes empty. */
  public OdpGraphQlError {
    path = path == null ? List.of() : List.copyOf(path);
  }
}
