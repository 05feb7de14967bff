package io.github.brazeodp.samples.cli;

/** The configuration file is missing, malformed, or names an unknown key or an unset secret. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the key. */
  public ConfigException(String message) {
    super(message);
  }
}
