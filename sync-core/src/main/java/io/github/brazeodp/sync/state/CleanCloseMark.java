package io.github.brazeodp.sync.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The note a clean close leaves next to a SQLite state file ({@code <file>-checked}): its size and
 * a CRC32C of every byte, taken after the last connection checkpointed the WAL into the file and
 * deleted it.
 *
 * <p>Opening a file that is byte for byte as the note describes, with no WAL beside it, skips
 * SQLite's {@code quick_check}: the file is then exactly what this library's SQLite wrote and left
 * behind, and reading it for the checksum takes a tenth of the check's time (5 against 50-60 ms for
 * a 100,000-user file; the check was a third of an unchanged nightly rerun). Any other file is
 * checked: one changed by anything at all since (a damaged page, an edited byte, a restored backup
 * of other content), one a crashed process left with a WAL, one with a missing, foreign or
 * unreadable note. A CRC32C finds every change of up to 32 bits and misses a random larger one once
 * in four billion; {@code quick_check} itself reads structure only, not values.
 *
 * <p>What it cannot see: damage done to the file by another program while this process had it open
 * and never read the damaged page. Such a page fails the statement that next reads it, as damage
 * found during a run always does; it is simply not named before the first write.
 */
final class CleanCloseMark {
  private static final String FORMAT = "braze-odp-sync state file closed cleanly, v1";
  // Far more than a note of ours; a larger file is not one and is not read further.
  private static final int MAX_NOTE_BYTES = 256;
  private static final int READ_BUFFER_BYTES = 1 << 20;

  private CleanCloseMark() {}

  /** Where the note of {@code database} lives. */
  static Path noteOf(Path database) {
    return database.resolveSibling(database.getFileName() + "-checked");
  }

  /**
   * True when {@code database} has no WAL beside it and is, byte for byte, the file a clean close
   * described in its note. Any doubt (no note, an unreadable one, an I/O error) answers false, so
   * that the caller runs the full check.
   */
  static boolean unchangedSinceCleanClose(Path database) {
    try {
      if (hasWal(database)) {
        return false;
      }
      Path note = noteOf(database);
      if (!Files.isRegularFile(note)) {
        return false;
      }
      String written;
      try (InputStream in = Files.newInputStream(note)) {
        written = new String(in.readNBytes(MAX_NOTE_BYTES + 1), StandardCharsets.US_ASCII);
      }
      long size = Files.size(database);
      // The size is compared before the whole file is read for its checksum.
      if (written.length() > MAX_NOTE_BYTES || !written.startsWith(header(size))) {
        return false;
      }
      return written.equals(describe(database));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Describes {@code database} as it is now in its note, replacing the note in one rename; when a
   * WAL is still beside it (another connection has the file open) any old note is removed instead,
   * as the file is about to change. The note is created owner-only, like the file.
   *
   * @throws IOException if the note cannot be written; the next open then simply checks the file
   */
  static void record(Path database) throws IOException {
    Path note = noteOf(database);
    if (hasWal(database)) {
      Files.deleteIfExists(note);
      return;
    }
    String text = describe(database);
    Path dir = database.toAbsolutePath().getParent();
    Path temp =
        dir.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? Files.createTempFile(
                dir,
                note.getFileName().toString(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : Files.createTempFile(dir, note.getFileName().toString(), ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
      Files.move(temp, note, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Removes the note, so that the next open checks the file whatever it finds. */
  static void forget(Path database) {
    try {
      Files.deleteIfExists(noteOf(database));
    } catch (IOException e) {
      // A note that stays describes the file's old bytes; a changed file does not match it.
    }
  }

  private static boolean hasWal(Path database) throws IOException {
    Path wal = database.resolveSibling(database.getFileName() + "-wal");
    return Files.exists(wal) && Files.size(wal) > 0;
  }

  private static String header(long size) {
    return FORMAT + "\nsize " + size + "\n";
  }

  private static String describe(Path database) throws IOException {
    CRC32C crc = new CRC32C();
    long size = 0;
    ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    try (FileChannel channel = FileChannel.open(database, StandardOpenOption.READ)) {
      while (channel.read(buffer.clear()) >= 0) {
        buffer.flip();
        size += buffer.remaining();
        crc.update(buffer);
      }
    }
    return header(size) + String.format(Locale.ROOT, "crc32c %08x\n", crc.getValue());
  }
}
