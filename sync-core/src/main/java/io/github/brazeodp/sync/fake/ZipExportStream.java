package io.github.brazeodp.sync.fake;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Produces a Braze-style export ZIP (newline-delimited JSON, 5,000 users per file) lazily as it is
 * read, so a generated segment of millions of users never sits in memory.
 */
final class ZipExportStream extends InputStream {
  static final int USERS_PER_FILE = 5_000;

  private final int size;
  private final int usersPerFile;
  private final IntFunction<String> lines;
  private final Buffer buffer = new Buffer();
  private final ZipOutputStream zip = new ZipOutputStream(buffer);
  private int next;
  private boolean finished;

  ZipExportStream(int size, int usersPerFile, IntFunction<String> lines) {
    this.size = size;
    this.usersPerFile = usersPerFile;
    this.lines = lines;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (buffer.available() == 0) {
      if (finished) {
        return -1;
      }
      produce();
    }
    return buffer.drain(b, off, len);
  }

  private void produce() throws IOException {
    if (next >= size) {
      if (next > 0) {
        zip.closeEntry();
      }
      zip.finish();
      finished = true;
      return;
    }
    int end = Math.min(size, next + 200);
    for (; next < end; next++) {
      if (next % usersPerFile == 0) {
        if (next > 0) {
          zip.closeEntry();
        }
        zip.putNextEntry(new ZipEntry("export-" + (next / usersPerFile) + ".txt"));
      }
      zip.write((lines.apply(next) + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A byte queue the ZIP writer fills and the reader drains. */
  private static final class Buffer extends OutputStream {
    private byte[] bytes = new byte[1 << 16];
    private int start;
    private int end;

    int available() {
      return end - start;
    }

    int drain(byte[] b, int off, int len) {
      int n = Math.min(len, end - start);
      System.arraycopy(bytes, start, b, off, n);
      start += n;
      if (start == end) {
        start = 0;
        end = 0;
      }
      return n;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (end + len > bytes.length) {
        if (start > 0) {
          System.arraycopy(bytes, start, bytes, 0, end - start);
          end -= start;
          start = 0;
        }
        if (end + len > bytes.length) {
          bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, end + len));
        }
      }
      System.arraycopy(b, off, bytes, end, len);
      end += len;
    }
  }
}
