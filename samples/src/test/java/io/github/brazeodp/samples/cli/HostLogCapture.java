package io.github.brazeodp.samples.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Collects the host's own log lines (the {@link Log} lines) while open, for assertions. */
final class HostLogCapture implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger(HostLogging.HOST_LOGGER);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level previous = logger.getLevel();

  HostLogCapture() {
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
  }

  /** Returns the messages logged so far, one per line. */
  String text() {
    synchronized (appender.list) {
      return appender.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .collect(Collectors.joining("\n"));
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previous);
  }
}
