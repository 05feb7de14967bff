package io.github.brazeodp.braze;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * Splits one file of an export into lines without ever holding more than {@code maxLineBytes} of a
 * line: the rest of an over-long line is read and dropped up to the next newline. Each chunk read
 * is reported to {@code onBytes} (the running total), so the caller can refuse a decompression bomb
 * between two reads. Lines are decoded strictly: invalid UTF-8 is reported, never replaced.
 */
final class BoundedLines {
  private final InputStream in;
  private final int maxLine;
  private final LongConsumer onBytes;
  private final byte[] chunk = new byte[1 << 16];
  private final CharsetDecoder decoder = strictUtf8();
  private int pos;
  private int end;
  private long total;
  private byte[] line = new byte[1024];
  private int length;
  private boolean tooLong;
  private char[] chars = new char[1024];

  BoundedLines(InputStream in, int maxLine, LongConsumer onBytes) {
    this.in = in;
    this.maxLine = maxLine;
    this.onBytes = onBytes;
  }

  /** Reads the next line; returns false at the end of the file. */
  boolean next() throws IOException {
    length = 0;
    tooLong = false;
    boolean any = false;
    while (true) {
      if (pos == end) {
        int n = in.read(chunk);
        if (n < 0) {
          stripCarriageReturn();
          return any;
        }
        total += n;
        onBytes.accept(total);
        pos = 0;
        end = n;
        if (n == 0) {
          continue;
        }
      }
      any = true;
      int newline = -1;
      for (int i = pos; i < end; i++) {
        if (chunk[i] == '\n') {
          newline = i;
          break;
        }
      }
      int stop = newline < 0 ? end : newline;
      append(pos, stop - pos);
      pos = newline < 0 ? end : newline + 1;
      if (newline >= 0) {
        stripCarriageReturn();
        return true;
      }
    }
  }

  /** Tells whether the last line was longer than the limit (its content is then dropped). */
  boolean tooLong() {
    return tooLong;
  }

  /** Returns the bytes of the last line; valid up to {@link #length()} until the next read. */
  byte[] bytes() {
    return line;
  }

  /** Returns the length in bytes of the last line. */
  int length() {
    return length;
  }

  /** Returns how many bytes were read from the file so far. */
  long bytesRead() {
    return total;
  }

  /**
   * Decodes the last line.
   *
   * @throws java.nio.charset.CharacterCodingException naming the byte offset of invalid UTF-8
   */
  String text() throws java.nio.charset.CharacterCodingException {
    if (chars.length < length) {
      chars = new char[Math.max(length, chars.length * 2)];
    }
    return decode(decoder, line, length, chars);
  }

  /** Tells whether the last line holds nothing but ASCII blanks (an empty line included). */
  boolean asciiBlank() {
    for (int i = 0; i < length; i++) {
      byte b = line[i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != 0x0b && b != '\f') {
        return false;
      }
    }
    return true;
  }

  /** Returns a decoder that reports invalid UTF-8 instead of replacing it. */
  static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /** Decodes {@code length} bytes strictly with {@code decoder}, which must not be shared. */
  static String decode(CharsetDecoder decoder, byte[] bytes, int length)
      throws java.nio.charset.CharacterCodingException {
    return decode(decoder, bytes, length, new char[length]);
  }

  private static String decode(CharsetDecoder decoder, byte[] bytes, int length, char[] chars)
      throws java.nio.charset.CharacterCodingException {
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
    CharBuffer out = CharBuffer.wrap(chars);
    decoder.reset();
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new InvalidUtf8(in.position());
    }
    return new String(chars, 0, out.position());
  }

  private void append(int from, int count) {
    if (tooLong || count == 0) {
      return;
    }
    if ((long) length + count > maxLine) {
      tooLong = true;
      length = 0;
      return;
    }
    if (line.length < length + count) {
      line =
          java.util.Arrays.copyOf(
              line, (int) Math.min(maxLine, Math.max(length + count, 2L * line.length)));
    }
    System.arraycopy(chunk, from, line, length, count);
    length += count;
  }

  private void stripCarriageReturn() {
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
  }

  /** Invalid UTF-8 in a line, with where it starts. */
  static final class InvalidUtf8 extends java.nio.charset.CharacterCodingException {
    private static final long serialVersionUID = 1L;
    private final int offset;

    InvalidUtf8(int offset) {
      this.offset = offset;
    }

    @Override
    public String getMessage() {
      return "invalid UTF-8 at byte " + offset + " of the line";
    }
  }
}
