package io.github.brazeodp.braze;

import java.util.Arrays;

/**
 * One line of an export before it is parsed, from {@link ExportUserStream#nextLine()}.
 *
 * <p>Lets a caller that keeps a digest of each user's last line skip the JSON parse of lines that
 * did not change: {@link #brazeId()} reads the top-level {@code braze_id} without parsing the rest,
 * {@link #digest(long)} hashes the raw bytes, and {@link #user()} parses only when asked. The line
 * holds a copy of its bytes, so it stays valid after the stream moves on.
 */
public final class ExportLine {
  private final byte[] bytes;
  private final ExportPosition position;
  private final ExportUserStream owner;
  private String brazeId;
  private boolean scanned;
  private ExportedUser user;
  private boolean parsed;

  ExportLine(byte[] bytes, int length, ExportPosition position, ExportUserStream owner) {
    this.bytes = Arrays.copyOf(bytes, length);
    this.position = position;
    this.owner = owner;
  }

  /** Returns where the line sits in the archive. */
  public ExportPosition position() {
    return position;
  }

  /** Returns the size of the line in bytes, without its line break. */
  public int length() {
    return bytes.length;
  }

  /**
   * Returns the top-level {@code braze_id} read without parsing the line, or null when the line has
   * none or holds it in a form only the parser reads (escapes, a non-string value, broken JSON).
   * Null means "parse to find out", never "no such user".
   */
  public String brazeId() {
    if (!scanned) {
      brazeId = LineScan.topLevelString(bytes, "braze_id");
      scanned = true;
    }
    return brazeId;
  }

  /**
   * Returns a 64-bit digest of the line's bytes (MurmurHash3, x64 128-bit variant, folded), mixed
   * with {@code seed} so that a caller can tie it to its own rules: equal lines give equal digests,
   * a changed line a different one except with a chance of about 2⁻⁶⁴. Not a cryptographic hash.
   */
  public long digest(long seed) {
    return LineScan.murmur64(bytes, seed);
  }

  /**
   * Parses the line, once. A line that is not a user object, or not valid UTF-8, is handled as the
   * stream's options say: reported to {@link ExportReadOptions#skipMalformed} and then null, or
   * thrown as {@link ExportParseException}. A blank line also gives null. Lines of one stream may
   * be parsed on several threads at once; each line by one thread at a time.
   */
  public ExportedUser user() {
    if (!parsed) {
      user = owner.parse(bytes, position);
      parsed = true;
    }
    return user;
  }

  @Override
  public String toString() {
    return "ExportLine[" + position + ", " + bytes.length + " bytes]";
  }
}
