package io.github.brazeodp.samples.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The host's one logging backend (logback): the host's own lines and the libraries' slf4j lines go
 * to standard error in one format, timestamped text by default or JSON lines.
 *
 * <p>Found by logback through {@code META-INF/services}, so the text format applies from the first
 * line on, without an XML file. Run with {@code -Dlogback.configurationFile=FILE} to use your own
 * logback configuration instead. {@code --log-format json} or the config key {@code log.format}
 * switch the format.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class HostLogging extends ContextAwareBase implements Configurator {
  /** The logger of the host's own lines. */
  static final String HOST_LOGGER = "braze-odp-sync";

  /** How log lines look. */
  enum Format {
    /** {@code 2026-12-07T04:50:00.123Z INFO [main] braze-odp-sync - message}. */
    TEXT,
    /** One JSON object per line; see {@link JsonLogEncoder}. */
    JSON;

    /** Parses {@code text} or {@code json}, naming {@code source} and the value when neither. */
    static Format parse(String value, String source) {
      String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
      return switch (v) {
        case "text" -> TEXT;
        case "json" -> JSON;
        default ->
            throw new ConfigException(
                source + " must be \"text\" or \"json\", was \"" + value + "\"");
      };
    }
  }

  static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level [%thread] %logger{36} - %msg%n";

  /** Used by logback's service loader. */
  public HostLogging() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    apply(context, Format.TEXT);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Switches the host's logging to {@code format}; a no-op when logback is not the backend or runs
   * the operator's own configuration file.
   */
  static void use(Format format) {
    if (System.getProperty("logback.configurationFile") == null
        && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.reset();
      apply(context, format);
    }
  }

  private static void apply(LoggerContext context, Format format) {
    Encoder<ILoggingEvent> encoder;
    if (format == Format.JSON) {
      JsonLogEncoder json = new JsonLogEncoder();
      json.setContext(context);
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(context);
      text.setPattern(PATTERN);
      encoder = text;
    }
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    // Standard error, so that a command's own output (reports, tables) on standard output stays
    // parseable, and JSON mode gives pure JSON lines on standard error.
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    // Libraries log warnings and errors; the host's own lines are progress for operators.
    root.setLevel(Level.WARN);
    root.addAppender(console);
    context.getLogger(HOST_LOGGER).setLevel(Level.INFO);
  }

  @Override
  public String toString() {
    return "HostLogging";
  }
}
