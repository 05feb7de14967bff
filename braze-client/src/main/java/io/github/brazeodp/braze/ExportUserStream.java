package io.github.brazeodp.braze;

import com.squareup.moshi.JsonAdapter;
import io.github.brazeodp.braze.internal.Json;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the users of an export archive, one line at a time, without holding the archive.
 *
 * <p>Reads a ZIP of newline-delimited JSON files (what Braze serves), a GZIP file, or plain
 * newline-delimited JSON. Files inside a ZIP that end in {@code .gz} are decompressed too. After
 * each {@link #next()}, {@link #position()} tells the file and line of that user, for
 * checkpointing. Braze may, rarely, export a user twice; de-duplicate by {@code braze_id} when that
 * matters. Not thread-safe; close it when done.
 *
 * <p>Reading is bounded by {@link ExportLimits}: an over-long line or one that is not valid UTF-8
 * is a malformed line (see {@link ExportReadOptions}); an entry over the size or compression-ratio
 * limit refuses the export with a {@link BrazeExportException}. ZIP entries that are not user files
 * (directories, hidden files, names not ending in {@code .txt}, {@code .json}, {@code .jsonl} or
 * {@code .ndjson}, optionally {@code .gz}, and unsafe paths such as {@code ../x.txt}) are not read;
 * each is listed in {@link #skippedEntries()} with its reason and logged once.
 */
public final class ExportUserStream implements Iterator<ExportedUser>, Closeable {
  private static final Logger log = LoggerFactory.getLogger(ExportUserStream.class);
  private static final JsonAdapter<ExportedUser> ADAPTER = Json.moshi().adapter(ExportedUser.class);
  // ZipInputStream reads ahead up to this many bytes of the next entry; counted in its favour.
  private static final long READ_AHEAD_SLACK = 512;

  /**
   * A ZIP entry that was not read, and why.
   *
   * @param name the entry's name as stored in the archive
   * @param reason why it is not a user file
   */
  public record SkippedEntry(String name, String reason) {}

  /** Opens the archive's bytes; called again to resume after a broken download. */
  @FunctionalInterface
  interface Opener {
    InputStream open() throws IOException;
  }

  private final Opener opener;
  private final ExportReadOptions options;
  private final ExportLimits limits;
  private final Map<String, SkippedEntry> skipped = new LinkedHashMap<>();
  // For lines parsed after nextLine(). ExportLine.user() parses on its caller's thread, and a line
  // outlives its place in the stream: one decoder per thread, as a decoder holds state while it
  // decodes.
  private static final ThreadLocal<CharsetDecoder> UTF8 =
      ThreadLocal.withInitial(BoundedLines::strictUtf8);
  private int reopensLeft;

  private InputStream raw;
  private CountingStream counted;
  private ZipInputStream zip;
  private BoundedLines reader;
  private long entryStart;
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
  // Counted by ExportLine.user() too, on whichever thread parses.
  private final AtomicLong malformedLines = new AtomicLong();

  ExportUserStream(Opener opener, String name, ExportReadOptions options) {
    this.opener = opener;
    this.options = options;
    this.limits = options.limits() != null ? options.limits() : ExportLimits.defaults();
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

  /** Returns the number of users (or, with {@link #nextLine()}, lines) returned so far. */
  public long usersRead() {
    return usersRead;
  }

  /**
   * Returns the number of malformed lines skipped (only with {@code skipMalformed}): not a user
   * object, over-long, or not valid UTF-8.
   */
  public long malformedLines() {
    return malformedLines.get();
  }

  /** Returns the ZIP entries seen so far that were not read, in archive order, with reasons. */
  public List<SkippedEntry> skippedEntries() {
    return List.copyOf(skipped.values());
  }

  /** Returns the limits this stream reads within. */
  public ExportLimits limits() {
    return limits;
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

  /**
   * Returns the next line unparsed, or null at the end: for callers that skip the parse of lines
   * they have seen before (see {@link ExportLine}). Over-long lines are reported as malformed here
   * and blank lines skipped; other malformed lines surface when {@link ExportLine#user()} parses
   * them. Use either this or {@link #next()} on one stream, not both.
   *
   * @throws IllegalStateException after {@link #hasNext()} read a user ahead
   */
  public ExportLine nextLine() {
    if (next != null) {
      throw new IllegalStateException("hasNext() already parsed a user: read it with next()");
    }
    if (finished) {
      return null;
    }
    if (!advanceTo(this::readLine)) {
      finished = true;
      closeQuietly();
      return null;
    }
    position = new ExportPosition(fileIndex, fileName, line);
    usersRead++;
    return new ExportLine(reader.bytes(), reader.length(), position, this);
  }

  /**
   * Parses a line handed out by {@link #nextLine()}; malformed lines go to the options' handler.
   */
  ExportedUser parse(byte[] bytes, ExportPosition at) {
    String text;
    try {
      text = BoundedLines.decode(UTF8.get(), bytes, bytes.length);
    } catch (CharacterCodingException e) {
      malformed(at.fileName(), at.line(), e.getMessage(), e);
      return null;
    }
    if (text.isBlank()) {
      return null;
    }
    try {
      ExportedUser user = ADAPTER.fromJson(text);
      if (user == null) {
        throw new IOException("null is not a user object");
      }
      return user;
    } catch (IOException | RuntimeException e) {
      malformed(at.fileName(), at.line(), "not a user object: " + e.getMessage(), e);
      return null;
    }
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
    return advanceTo(this::readNext);
  }

  /** One read step that may fail on I/O; reading reopens the archive and retries it. */
  @FunctionalInterface
  private interface Step<T> {
    T read() throws IOException;
  }

  private <T> T advanceTo(Step<T> step) {
    while (true) {
      try {
        return step.read();
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

  /**
   * Moves to the next line worth parsing (past the resume point, not over-long, not blank); returns
   * false at the end of the archive.
   */
  private boolean readLine() throws IOException {
    if (raw == null) {
      openArchive();
    }
    while (true) {
      if (reader == null && !nextFile()) {
        return false;
      }
      if (!reader.next()) {
        reader = null;
        continue;
      }
      line++;
      if (skipping()) {
        continue;
      }
      if (reader.tooLong()) {
        malformed(
            "line longer than " + limits.maxLineBytes() + " bytes (ExportLimits.maxLineBytes)",
            null);
        continue;
      }
      if (!reader.asciiBlank()) {
        return true;
      }
    }
  }

  private ExportedUser readNext() throws IOException {
    while (true) {
      if (!readLine()) {
        return null;
      }
      String text;
      try {
        text = reader.text();
      } catch (CharacterCodingException e) {
        malformed(e.getMessage(), e);
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
        malformed("not a user object: " + e.getMessage(), e);
      }
    }
  }

  private void malformed(String reason, Throwable cause) {
    malformed(fileName, line, reason, cause);
  }

  private void malformed(String file, long lineNumber, String reason, Throwable cause) {
    ExportParseException error = new ExportParseException(file, lineNumber, reason, cause);
    if (options.onMalformed() == null) {
      closeQuietly();
      throw error;
    }
    malformedLines.incrementAndGet();
    options.onMalformed().accept(error);
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
    // Counted above the buffer, so the count is what the decompressor consumed, not read ahead.
    counted = new CountingStream(in);
    entryStart = 0;
    if (b0 == 'P' && b1 == 'K' && ((b2 == 3 && b3 == 4) || (b2 == 5 && b3 == 6))) {
      zip = new ZipInputStream(counted, StandardCharsets.UTF_8); // 5,6: empty ZIP, no entries
    } else if (b0 == 0x1f && b1 == 0x8b) {
      raw = new GZIPInputStream(counted, 1 << 16);
    } else {
      raw = counted;
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
      reader = newReader(raw, fileName);
      skipWholeFileIfResumed();
      return true;
    }
    ZipEntry entry;
    while ((entry = zip.getNextEntry()) != null) {
      String name = entry.getName();
      String reason = skipReason(entry);
      if (reason != null) {
        skip(name, reason);
        continue;
      }
      fileIndex++;
      fileName = name;
      line = 0;
      entryStart = counted.count();
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
      reader = newReader(entryStream, name);
      return true;
    }
    return false;
  }

  /** Returns why an entry is not a user file, or null when it is one. */
  static String skipReason(ZipEntry entry) {
    String name = entry.getName();
    if (entry.isDirectory()) {
      return "directory";
    }
    if (name.startsWith("/") || name.contains("\\") || name.matches("^[A-Za-z]:.*")) {
      return "absolute or non-portable path";
    }
    for (String segment : name.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".") || segment.isEmpty()) {
        return "unsafe path (empty, . or .. segment)";
      }
    }
    if (name.startsWith("__MACOSX/") || baseName(name).startsWith(".")) {
      return "hidden or metadata file";
    }
    String plain = name.toLowerCase(Locale.ROOT);
    if (plain.endsWith(".gz")) {
      plain = plain.substring(0, plain.length() - 3);
    }
    if (!(plain.endsWith(".txt")
        || plain.endsWith(".json")
        || plain.endsWith(".jsonl")
        || plain.endsWith(".ndjson"))) {
      return "not a .txt, .json, .jsonl or .ndjson file";
    }
    return null;
  }

  private void skip(String name, String reason) {
    if (skipped.putIfAbsent(name, new SkippedEntry(name, reason)) == null) {
      log.warn("export archive entry {} not read: {}", name, reason);
    }
  }

  private BoundedLines newReader(InputStream in, String entry) {
    long start = entryStart;
    return new BoundedLines(
        in, limits.maxLineBytes(), total -> checkEntrySize(entry, total, counted.count() - start));
  }

  private void checkEntrySize(String entry, long decompressed, long compressed) {
    String breach = null;
    if (decompressed > limits.maxEntryBytes()) {
      breach =
          "more than the limit of "
              + limits.maxEntryBytes()
              + " bytes (ExportLimits.maxEntryBytes)";
    } else if (decompressed > ExportLimits.RATIO_GRACE_BYTES
        && decompressed > limits.maxCompressionRatio() * (compressed + READ_AHEAD_SLACK)) {
      breach =
          "a compression ratio over the limit of "
              + limits.maxCompressionRatio()
              + " (ExportLimits.maxCompressionRatio)";
    }
    if (breach != null) {
      closeQuietly();
      throw new BrazeExportException(
          "export entry "
              + entry
              + " refused as a possible decompression bomb: "
              + decompressed
              + " bytes decompressed from "
              + compressed
              + " compressed bytes so far, "
              + breach,
          -1,
          null);
    }
  }

  private void skipWholeFileIfResumed() {
    if (skipUntil != null && skipUntil.fileIndex() > 0) {
      reader = null;
    }
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

  /** Counts the bytes the decompressor takes from the archive. */
  private static final class CountingStream extends FilterInputStream {
    private long count;

    CountingStream(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skippedBytes = super.skip(n);
      count += skippedBytes;
      return skippedBytes;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
