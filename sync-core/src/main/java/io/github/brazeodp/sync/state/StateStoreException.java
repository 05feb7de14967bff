package io.github.brazeodp.sync.state;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Thrown when a state store cannot be opened, read or written.
 *
 * <p>For the SQLite store the message names the file and the problem (not a SQLite database, a
 * foreign database, a newer schema, a missing driver, an I/O or SQL failure), so it can be shown to
 * an operator as is.
 */
public final class StateStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /**
   * Creates an exception for the store at {@code path}.
   *
   * @param path the store's file, or null when the store has no file
   * @param message what went wrong; the path is prepended when present
   * @param cause the underlying failure, or null
   */
  public StateStoreException(Path path, String message, Throwable cause) {
    super(path == null ? message : "State store " + path + ": " + message, cause);
    this.path = path;
  }

  /**
   * Returns the file of the store that failed, if it has one.
   *
   * @return the store's file, or empty for the in-memory store
   */
  public Optional<Path> path() {
    return Optional.ofNullable(path);
  }
}
