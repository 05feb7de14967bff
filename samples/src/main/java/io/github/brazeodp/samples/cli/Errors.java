package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.activation.UnknownOdpFieldException;
import io.github.brazeodp.sync.mapping.MappingException;
import io.github.brazeodp.sync.segments.UnknownSegmentsException;

/** Which failures are the user's configuration (exit 64) rather than a failed run (exit 1). */
final class Errors {
  private Errors() {}

  static boolean isConfiguration(Throwable e) {
    if (e instanceof ConfigException
        || e instanceof MappingException
        || e instanceof UnknownSegmentsException) {
      return true;
    }
    // An activation naming a field ODP lacks stops its run (ActivationException) with this cause.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnknownOdpFieldException) {
        return true;
      }
    }
    return false;
  }
}
