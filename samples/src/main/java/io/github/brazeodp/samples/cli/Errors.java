package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.mapping.MappingException;
import io.github.brazeodp.sync.segments.UnknownSegmentsException;

/** Which failures are the user's configuration (exit 64) rather than a failed run (exit 1). */
final class Errors {
  private Errors() {}

  static boolean isConfiguration(Throwable e) {
    return e instanceof ConfigException
        || e instanceof MappingException
        || e instanceof UnknownSegmentsException;
  }
}
