package io.github.brazeodp.braze;

/**
 * Bounds on reading an export archive, so that a damaged or hostile archive cannot exhaust memory
 * or disk time.
 *
 * <p>A line longer than {@code maxLineBytes} is a malformed line: it is read and discarded up to
 * the next newline, never held whole. An entry (one file of a ZIP, or a GZIP or plain file) that
 * decompresses to more than {@code maxEntryBytes}, or whose decompressed size exceeds {@code
 * maxCompressionRatio} times the compressed bytes read for it, refuses the whole export with a
 * {@link BrazeExportException}: that is a decompression bomb, not data. The ratio is only checked
 * once an entry has produced {@link #RATIO_GRACE_BYTES}, because tiny files legitimately compress
 * far better than large ones.
 *
 * @param maxLineBytes longest line accepted, in bytes (default 8 MiB)
 * @param maxEntryBytes most decompressed bytes per entry (default 2 GiB)
 * @param maxCompressionRatio largest decompressed-to-compressed ratio per entry (default 200)
 */
public record ExportLimits(int maxLineBytes, long maxEntryBytes, int maxCompressionRatio) {
  /** Decompressed bytes an entry may produce before its compression ratio is checked. */
  public static final long RATIO_GRACE_BYTES = 1024 * 1024;

  private static final ExportLimits DEFAULTS =
      new ExportLimits(8 * 1024 * 1024, 2L * 1024 * 1024 * 1024, 200);

  /** Validates the limits. */
  public ExportLimits {
    // A Braze user line is rarely under 100 bytes; smaller limits would only hide data.
    if (maxLineBytes < 1024) {
      throw new IllegalArgumentException("maxLineBytes must be at least 1024, was " + maxLineBytes);
    }
    if (maxEntryBytes < maxLineBytes) {
      throw new IllegalArgumentException(
          "maxEntryBytes must be at least maxLineBytes ("
              + maxLineBytes
              + "), was "
              + maxEntryBytes);
    }
    if (maxCompressionRatio < 2) {
      throw new IllegalArgumentException(
          "maxCompressionRatio must be at least 2, was " + maxCompressionRatio);
    }
  }

  /** Returns the defaults: lines up to 8 MiB, entries up to 2 GiB, ratio up to 200. */
  public static ExportLimits defaults() {
    return DEFAULTS;
  }

  /** Returns a copy with another maximum line length. */
  public ExportLimits withMaxLineBytes(int bytes) {
    return new ExportLimits(bytes, maxEntryBytes, maxCompressionRatio);
  }

  /** Returns a copy with another maximum decompressed size per entry. */
  public ExportLimits withMaxEntryBytes(long bytes) {
    return new ExportLimits(maxLineBytes, bytes, maxCompressionRatio);
  }

  /** Returns a copy with another maximum compression ratio per entry. */
  public ExportLimits withMaxCompressionRatio(int ratio) {
    return new ExportLimits(maxLineBytes, maxEntryBytes, ratio);
  }
}
