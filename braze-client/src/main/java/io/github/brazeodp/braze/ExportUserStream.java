package io.github.brazeodp.braze;

import com.squareup.moshi.JsonAdapter;
import io.github.brazeodp.braze.internal.Json;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Streams the users of an export archive, one line at a time, without holding the archive.
 *
 * <p>Reads a ZIP of newline-delimited JSON files (what Braze serves), a GZIP file, or plain
 * newline-delimited JSON. Files inside a ZIP that end in {@code .gz} are decompressed too. After
 * each {@link #next()}, {@link #position()} tells the file and line of that user, for
 * checkpointing. Braze may, rarely, export a user twice; de-duplicate by {@code braze_id} when that
 * matters. Not thread-safe; close it when done.
 */
public final class ExportUserStream implements Iterator<ExportedUser>, Closeable {
  private static final JsonAdapter<ExportedUser> ADAPTER = Json.moshi().adapter(ExportedUser.class);

  /** Opens the archive's bytes; called again to resume after a broken download. */
  @FunctionalInterface
  interface Opener {
    InputStream open() throws IOException;
  }

  private final Opener opener;
  private final ExportReadOptions options;
  private int reopensLeft;

  private InputStream raw;
  private ZipInputStream zip;
  private BufferedReader reader;
  private boolean singleFileDone;
  private String singleFileName;

  private int fileIndex = -1;
  private String fileName;
  private long line;
  private ExportPosition skipUntil;
  private ExportPosition position;
  private ExportedUser next;
  private boolean finished;
  private long usersRead;
  private long malformedLines;

  ExportUserStream(Opener opener, String name, ExportReadOptions options) {
    this.opener = opener;
    this.options = options;
    this.reopensLeft = options.maxReopens();
    this.singleFileName = name;
    this.skipUntil = options.resumeAfter();
  }

  /**
   * Streams the users of an archive you already have (for example one written to your own bucket);
   * {@code name} is used for the file name of a GZIP or plain input.
   */
  public static ExportUserStream open(InputStream in, String name, ExportReadOptions options) {
    boolean[] used = {false};
    return new ExportUserStream(
        () -> {
          if (used[0]) {
            throw new IOException("the input stream of " + name + " cannot be reopened");
          }
          used[0] = true;
          return in;
        },
        name,
        options.maxReopens(0));
  }

  /** Returns the position of the user last returned by {@link #next()}, or null before. */
  public ExportPosition position() {
    return position;
  }

  /** Returns the number of users returned so far. */
  public long usersRead() {
    return usersRead;
  }

  /** Returns the number of malformed lines skipped (only with {@code skipMalformed}). */
  public long malformedLines() {
    return malformedLines;
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (finished) {
      return false;
    }
    next = advance();
    if (next == null) {
      finished = true;
      closeQuietly();
    }
    return next != null;
  }

  @Override
  public ExportedUser next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more users in the export");
    }
    ExportedUser user = next;
    next = null;
    position = new ExportPosition(fileIndex, fileName, line);
    usersRead++;
    return user;
  }

  /** Returns the remaining users as a sequential stream that closes this one when closed. */
  public Stream<ExportedUser> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  @Override
  public void close() {
    finished = true;
    next = null;
    closeQuietly();
  }

  private ExportedUser advance() {
    while (true) {
      try {
        return readNext();
      } catch (IOException e) {
        if (reopensLeft-- <= 0) {
          closeQuietly();
          throw new UncheckedIOException(
              "reading the export failed at "
                  + (fileName == null ? "start" : fileName + ":" + line),
              e);
        }
        // Resume after the last user handed out; lines past it are re-read.
        skipUntil = position != null ? position : options.resumeAfter();
        closeQuietly();
        raw = null;
        fileIndex = -1;
        fileName = null;
        line = 0;
        singleFileDone = false;
      }
    }
  }

  private ExportedUser readNext() throws IOException {
    if (raw == null) {
      openArchive();
    }
    while (true) {
      if (reader == null && !nextFile()) {
        return null;
      }
      String text = reader.readLine();
      if (text == null) {
        reader = null;
        continue;
      }
      line++;
      if (skipping()) {
        continue;
      }
      if (text.isBlank()) {
        continue;
      }
      try {
        ExportedUser user = ADAPTER.fromJson(text);
        if (user == null) {
          throw new IOException("null is not a user object");
        }
        return user;
      } catch (IOException | RuntimeException e) {
        ExportParseException error =
            new ExportParseException(fileName, line, "not a user object: " + e.getMessage(), e);
        if (options.onMalformed() == null) {
          closeQuietly();
          throw error;
        }
        malformedLines++;
        options.onMalformed().accept(error);
      }
    }
  }

  private boolean skipping() {
    if (skipUntil == null) {
      return false;
    }
    if (fileIndex < skipUntil.fileIndex()
        || (fileIndex == skipUntil.fileIndex() && line <= skipUntil.line())) {
      return true;
    }
    skipUntil = null;
    return false;
  }

  private void openArchive() throws IOException {
    BufferedInputStream in = new BufferedInputStream(opener.open(), 1 << 16);
    raw = in;
    in.mark(4);
    int b0 = in.read();
    int b1 = in.read();
    int b2 = in.read();
    int b3 = in.read();
    in.reset();
    if (b0 == 'P' && b1 == 'K' && b2 == 3 && b3 == 4) {
      zip = new ZipInputStream(in, StandardCharsets.UTF_8);
    } else if (b0 == 0x1f && b1 == 0x8b) {
      raw = new GZIPInputStream(in, 1 << 16);
    } else if (b0 == 'P' && b1 == 'K' && b2 == 5 && b3 == 6) {
      zip = new ZipInputStream(in, StandardCharsets.UTF_8); // empty ZIP: no entries
    }
  }

  private boolean nextFile() throws IOException {
    if (zip == null) {
      if (singleFileDone) {
        return false;
      }
      singleFileDone = true;
      fileIndex = 0;
      fileName = singleFileName;
      line = 0;
      reader = newReader(raw);
      skipWholeFileIfResumed();
      return true;
    }
    ZipEntry entry;
    while ((entry = zip.getNextEntry()) != null) {
      String name = entry.getName();
      if (entry.isDirectory() || name.startsWith("__MACOSX/") || baseName(name).startsWith(".")) {
        continue;
      }
      fileIndex++;
      fileName = name;
      line = 0;
      InputStream entryStream = new NonClosing(zip);
      if (name.endsWith(".gz")) {
        entryStream = new GZIPInputStream(entryStream, 1 << 16);
      }
      if (skipUntil != null && fileIndex < skipUntil.fileIndex()) {
        continue; // ZipInputStream skips the rest of the entry on getNextEntry
      }
      if (skipUntil != null
          && fileIndex == skipUntil.fileIndex()
          && !name.equals(skipUntil.fileName())) {
        throw new IllegalStateException(
            "cannot resume after "
                + skipUntil
                + ": file "
                + fileIndex
                + " of this archive is "
                + name
                + "; request a new export");
      }
      reader = newReader(entryStream);
      return true;
    }
    return false;
  }

  private void skipWholeFileIfResumed() {
    if (skipUntil != null && skipUntil.fileIndex() > 0) {
      reader = null;
    }
  }

  private static BufferedReader newReader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }

  private static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  private void closeQuietly() {
    InputStream toClose = zip != null ? zip : raw;
    reader = null;
    zip = null;
    if (toClose != null) {
      try {
        toClose.close();
      } catch (IOException ignored) {
        // Nothing useful to do: the archive is abandoned either way.
      }
    }
  }

  /** Keeps readers of one ZIP entry from closing the whole archive. */
  private static final class NonClosing extends FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
