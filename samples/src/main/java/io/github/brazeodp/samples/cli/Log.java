package io.github.brazeodp.samples.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's own log lines for the long-running commands, at INFO on the {@value
 * HostLogging#HOST_LOGGER} logger, so they share one format (timestamped text or JSON) with the
 * libraries' lines; see {@link HostLogging}.
 */
final class Log {
  private static final Logger LOG = LoggerFactory.getLogger(HostLogging.HOST_LOGGER);

  void line(String message) {
    LOG.info(message);
  }
}
