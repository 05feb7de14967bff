package io.github.brazeodp.sync.inspect;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/**
 * An event inspector that appends each exchange, redacted, to a file as one JSON object per line
 * (<a href="https://jsonlines.org/">JSON Lines</a>), for {@code jq} or a log shipper.
 *
 * <p>Each line is written straight through to the file in a single write, so a crash loses at most
 * the line being written; a write that fails (a full disk) is counted and logged, and the next line
 * starts on a fresh line so a torn one never swallows it. Thread-safe; obtain one from {@link
 * EventInspector#jsonLines(java.nio.file.Path)} and close it when done. A line looks like:
 *
 * <pre>{@code
 * {"time":"2026-01-01T00:00:00Z","source":"odp","method":"POST","url":"https://...",
 *  "endpoint":"events","attempt":1,"status":202,"durationMs":41.5,
 *  "requestHeaders":{"x-api-key":["[REDACTED]"]},"requestBody":"[...]",
 *  "responseHeaders":{},"responseBody":"{...}","error":null}
 * }</pre>
 *
 * <p>(shown wrapped; each record is one line). {@code source} is lower case.
 */
public final class JsonLinesInspector implements EventInspector, AutoCloseable {
  private final OutputStream out;
  private final String name;
  private final ThrottledLog log =
      new ThrottledLog(LoggerFactory.getLogger(JsonLinesInspector.class));
  private boolean closed;
  private boolean torn;
  private long written;
  private long failures;

  JsonLinesInspector(OutputStream out, String name) {
    this.out = Objects.requireNonNull(out, "out");
    this.name = name;
  }

  static JsonLinesInspector open(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    createOwnerOnly(file);
    OutputStream out =
        Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return new JsonLinesInspector(out, file.toString());
  }

  /** Bodies hold customer data, so a new file is readable by its owner only where possible. */
  private static void createOwnerOnly(Path file) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      // Windows and other non-POSIX file systems: opening creates it with default permissions.
    } catch (FileAlreadyExistsException createdMeanwhile) {
      // Another process or inspector created it first; append to it.
    }
  }

  /** Appends {@code exchange}, redacted, as one line; never throws. */
  @Override
  public void record(InspectedExchange exchange) {
    byte[] line;
    try {
      line =
          (toJson(Redactor.DEFAULT.redactOnce(exchange)) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      log.warn("Event inspector failed; the request is unaffected", e);
      return;
    }
    synchronized (this) {
      if (closed) {
        failures++;
        log.warn("Event inspector " + name + " is closed; exchanges are dropped", null);
        return;
      }
      try {
        if (torn) {
          out.write('\n');
          torn = false;
        }
        out.write(line);
        written++;
      } catch (IOException | RuntimeException e) {
        failures++;
        torn = true;
        log.warn("Event inspector could not write to " + name + "; the request is unaffected", e);
      }
    }
  }

  /** Returns how many exchanges were written. */
  public synchronized long written() {
    return written;
  }

  /** Returns how many exchanges could not be written (I/O failure, or recorded after closing). */
  public synchronized long failures() {
    return failures;
  }

  /** Closes the file; later exchanges are dropped and counted as failures. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      LoggerFactory.getLogger(JsonLinesInspector.class)
          .warn("Event inspector could not close {}", name, e);
    }
  }

  @Override
  public String toString() {
    return "JsonLinesInspector{" + name + "}";
  }

  /** Returns the JSON object for one exchange, on a single line. */
  static String toJson(InspectedExchange e) {
    StringBuilder sb =
        new StringBuilder(256 + e.requestBody().length() + e.responseBody().length());
    sb.append("{\"time\":");
    string(sb, e.time().toString());
    sb.append(",\"source\":");
    string(sb, e.source().name().toLowerCase(Locale.ROOT));
    sb.append(",\"method\":");
    string(sb, e.method());
    sb.append(",\"url\":");
    string(sb, e.url());
    sb.append(",\"endpoint\":");
    string(sb, e.endpoint());
    sb.append(",\"attempt\":").append(e.attempt());
    sb.append(",\"status\":").append(e.status());
    sb.append(",\"durationMs\":")
        .append(BigDecimal.valueOf(e.duration().toNanos(), 6).stripTrailingZeros().toPlainString());
    sb.append(",\"requestHeaders\":");
    headers(sb, e.requestHeaders());
    sb.append(",\"requestBody\":");
    string(sb, e.requestBody());
    sb.append(",\"responseHeaders\":");
    headers(sb, e.responseHeaders());
    sb.append(",\"responseBody\":");
    string(sb, e.responseBody());
    sb.append(",\"error\":");
    if (e.error() == null) {
      sb.append("null");
    } else {
      string(sb, e.error());
    }
    return sb.append('}').toString();
  }

  private static void headers(StringBuilder sb, Map<String, List<String>> headers) {
    sb.append('{');
    boolean firstHeader = true;
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      if (!firstHeader) {
        sb.append(',');
      }
      firstHeader = false;
      string(sb, header.getKey());
      sb.append(":[");
      boolean firstValue = true;
      for (String value : header.getValue()) {
        if (!firstValue) {
          sb.append(',');
        }
        firstValue = false;
        string(sb, value);
      }
      sb.append(']');
    }
    sb.append('}');
  }

  /**
   * Appends {@code s} as a JSON string. Control characters, U+2028/U+2029 (line breaks to some
   * readers) and unpaired surrogates (which UTF-8 cannot carry) are escaped, so each record stays
   * on one line and reads back exactly.
   */
  static void string(StringBuilder sb, String s) {
    sb.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            unicodeEscape(sb, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < n
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            unicodeEscape(sb, c);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
  }
}
