package io.github.brazeodp.odp.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC 4180 reader: quoted fields, doubled quotes, embedded delimiters and line breaks,
 * CRLF or LF endings, and a leading UTF-8 byte order mark.
 *
 * <p>It holds one record at a time, so exports of any size read in constant memory.
 */
public final class CsvReader implements Closeable {
  private final Reader reader;
  private final char delimiter;
  private final char[] buf = new char[8192];
  private int pos;
  private int len;
  private boolean first = true;
  private long line = 1;

  /**
   * Creates a reader.
   *
   * @param reader the decoded text, read lazily
   * @param delimiter the field separator, e.g. {@code ','}
   */
  public CsvReader(Reader reader, char delimiter) {
    this.reader = reader;
    this.delimiter = delimiter;
  }

  /** Returns the 1-based line number where the next record starts. */
  public long line() {
    return line;
  }

  /**
   * Reads the next record.
   *
   * @return the fields of the record, or null at the end of the input
   * @throws IOException on a read failure or an unterminated quoted field
   */
  public List<String> next() throws IOException {
    int c = read();
    if (first) {
      first = false;
      if (c == '\uFEFF') {
        c = read();
      }
    }
    // Skip blank lines between records; a trailing newline is not an empty record.
    while (c == '\r' || c == '\n') {
      if (c == '\n') {
        line++;
      }
      c = read();
    }
    if (c == -1) {
      return null;
    }
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    while (true) {
      if (quoted) {
        if (c == -1) {
          throw new IOException("Unterminated quoted field at line " + line);
        }
        if (c == '"') {
          int n = read();
          if (n == '"') {
            field.append('"');
          } else {
            quoted = false;
            c = n;
            continue;
          }
        } else {
          if (c == '\n') {
            line++;
          }
          field.append((char) c);
        }
      } else if (c == '"' && field.length() == 0 && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else if (c == delimiter) {
        fields.add(field.toString());
        field.setLength(0);
        wasQuoted = false;
      } else if (c == '\r' || c == '\n' || c == -1) {
        fields.add(field.toString());
        if (c == '\r') {
          int n = read();
          if (n != '\n' && n != -1) {
            pos--;
          }
        }
        if (c != -1) {
          line++;
        }
        return fields;
      } else {
        field.append((char) c);
      }
      c = read();
    }
  }

  private int read() throws IOException {
    if (pos == len) {
      len = reader.read(buf, 0, buf.length);
      pos = 0;
      if (len <= 0) {
        len = 0;
        return -1;
      }
    }
    return buf[pos++];
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
