package io.github.brazeodp.braze;

/**
 * Where a user sits in an export archive: which file and which line.
 *
 * <p>Store the position of the last user you fully processed; {@link
 * ExportReadOptions#resumeAfter(ExportPosition)} then skips everything up to it.
 *
 * @param fileIndex position of the file in the archive, from 0
 * @param fileName name of the file in the archive
 * @param line line number in the file, from 1
 */
public record ExportPosition(int fileIndex, String fileName, long line) {
  /** Validates the position. */
  public ExportPosition {
    if (fileIndex < 0) {
      throw new IllegalArgumentException("fileIndex must not be negative, was " + fileIndex);
    }
    if (line < 0) {
      throw new IllegalArgumentException("line must not be negative, was " + line);
    }
    Validation.notNull("fileName", fileName);
  }

  @Override
  public String toString() {
    return fileName + ":" + line;
  }
}
