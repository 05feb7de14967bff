package io.github.brazeodp.braze;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds hostile export inputs lazily, so a test can stream gigabytes of decompressed data from a
 * few megabytes generated on the fly and nothing big is ever stored.
 */
final class HostileArchives {
  /** Bytes of input one repeated deflate block stands for. */
  static final int BLOCK_INPUT = 1024 * 1024;

  private HostileArchives() {}

  /**
   * Raw deflate of {@link #BLOCK_INPUT} bytes of 'a' with a full flush: the block does not refer to
   * earlier data, so it can be repeated any number of times to form a valid stream.
   */
  static byte[] flushedBlock() {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] input = new byte[BLOCK_INPUT];
    java.util.Arrays.fill(input, (byte) 'a');
    deflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    int n;
    do {
      n = deflater.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
      out.write(buf, 0, n);
    } while (n == buf.length || !deflater.needsInput());
    deflater.end();
    return out.toByteArray();
  }

  /** The final, empty deflate block that ends a stream. */
  static byte[] finalBlock() {
    return new byte[] {0x03, 0x00};
  }

  /** A ZIP whose one deflated entry {@code name} expands to {@code blocks} MiB with no newline. */
  static InputStream zipBomb(String name, int blocks) {
    byte[] block = flushedBlock();
    return concat(localHeader(name, 8, 0x0808, 0, 0, 0), block, blocks, finalBlock(), new byte[16]);
  }

  /** A gzip file that expands to {@code blocks} MiB of 'a' with no newline. */
  static InputStream gzipBomb(int blocks) {
    byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    byte[] tail = new byte[8 + 2];
    System.arraycopy(finalBlock(), 0, tail, 0, 2);
    return concat(header, flushedBlock(), blocks, tail, new byte[0]);
  }

  /** A ZIP holding the gzip bomb of {@code blocks} MiB stored (not deflated) as {@code name}. */
  static InputStream gzipBombInZip(String name, int blocks) throws IOException {
    CRC32 crc = new CRC32();
    long size = 0;
    try (InputStream in = gzipBomb(blocks)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        crc.update(buf, 0, n);
        size += n;
      }
    }
    byte[] header = localHeader(name, 0, 0x0800, crc.getValue(), size, size);
    return new SequenceInputStream(
        new ByteArrayInputStream(header), new SequenceInputStream(gzipBomb(blocks), end()));
  }

  /** Plain text: a line of {@code bytes} 'a' characters inside a user object, then one user. */
  static InputStream longLine(long bytes, String nextLine) {
    byte[] head = "{\"external_id\":\"".getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\"}\n" + nextLine + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'a');
    long chunks = bytes / chunk.length;
    return concat(head, chunk, chunks, tail, new byte[0]);
  }

  /** A ZIP local file header; a streamed entry (flag bit 3) leaves CRC and sizes zero. */
  static byte[] localHeader(
      String name, int method, int flags, long crc, long compressed, long size) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(30 + n.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x04034b50).putShort((short) 20).putShort((short) flags).putShort((short) method);
    b.putShort((short) 0).putShort((short) 0x21); // 1980-01-01
    b.putInt((int) crc).putInt((int) compressed).putInt((int) size);
    b.putShort((short) n.length).putShort((short) 0).put(n);
    return b.array();
  }

  private static InputStream end() {
    // The end-of-central-directory record, so ZipInputStream sees no further entry.
    byte[] eocd = new byte[22];
    ByteBuffer.wrap(eocd).order(ByteOrder.LITTLE_ENDIAN).putInt(0x06054b50);
    return new ByteArrayInputStream(eocd);
  }

  /** {@code head}, then {@code body} {@code times} times, then {@code tail} and {@code after}. */
  @SuppressWarnings("JdkObsolete") // SequenceInputStream takes nothing else
  static InputStream concat(byte[] head, byte[] body, long times, byte[] tail, byte[] after) {
    return new SequenceInputStream(
        new Enumeration<InputStream>() {
          private long step = -1;

          @Override
          public boolean hasMoreElements() {
            return step < times + 2;
          }

          @Override
          public InputStream nextElement() {
            if (!hasMoreElements()) {
              throw new NoSuchElementException();
            }
            step++;
            if (step == 0) {
              return new ByteArrayInputStream(head);
            }
            if (step <= times) {
              return new ByteArrayInputStream(body);
            }
            return new ByteArrayInputStream(step == times + 1 ? tail : after);
          }
        });
  }
}
