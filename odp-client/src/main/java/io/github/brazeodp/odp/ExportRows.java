package io.github.brazeodp.odp;

import io.github.brazeodp.odp.internal.CsvReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import okio.GzipSource;
import okio.Okio;

/**
 * The rows of a completed export, read lazily file by file: only the current record is in memory.
 *
 * <p>Iterate once, as an {@link Iterable} or a {@link #stream()}, and close it (try-with-resources)
 * to release the open download. Gzipped files are detected by their magic bytes. Not thread-safe.
 */
public final class ExportRows implements Iterable<ExportRow>, AutoCloseable {
  private final ExportJob job;
  private final char delimiter;
  private final Function<String, ResponseBody> download;
  private boolean iterated;
  private boolean closed;
  private CsvReader csv;

  ExportRows(ExportJob job, char delimiter, Function<String, ResponseBody> download) {
    this.job = job;
    this.delimiter = delimiter;
    this.download = download;
  }

  /** Returns the job these rows come from. */
  public ExportJob job() {
    return job;
  }

  /**
   * Returns the single iterator over all rows of all files.
   *
   * @throws IllegalStateException on a second call, or after {@link #close()}
   */
  @Override
  public Iterator<ExportRow> iterator() {
    if (iterated || closed) {
      throw new IllegalStateException("ExportRows can be iterated once, before close()");
    }
    iterated = true;
    return new RowIterator();
  }

  /** Returns the rows as a sequential stream; closing the stream closes this object. */
  public Stream<ExportRow> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(
                iterator(), Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  /** Closes the open file, if any; idempotent. */
  @Override
  public void close() {
    closed = true;
    closeCsv();
  }

  private void closeCsv() {
    if (csv != null) {
      try {
        csv.close();
      } catch (IOException ignored) {
        // Nothing useful to do: the rows read so far are valid.
      }
      csv = null;
    }
  }

  private CsvReader openFile(int index) {
    ResponseBody body = download.apply(job.presignedUrls().get(index));
    try {
      BufferedSource source = body.source();
      if (source.request(2)
          && source.getBuffer().getByte(0) == (byte) 0x1f
          && source.getBuffer().getByte(1) == (byte) 0x8b) {
        source = Okio.buffer(new GzipSource(source));
      }
      return new CsvReader(
          new InputStreamReader(source.inputStream(), StandardCharsets.UTF_8), delimiter);
    } catch (IOException e) {
      body.close();
      throw new OdpIoException(
          OdpApi.EXPORT_FILES.endpoint(), "Reading ODP export file " + index + " failed: " + e, e);
    }
  }

  private final class RowIterator implements Iterator<ExportRow> {
    private int fileIndex = -1;
    private List<String> header;
    private long rowNumber;
    private ExportRow next;

    @Override
    public boolean hasNext() {
      if (next == null && !closed) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public ExportRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      ExportRow row = next;
      next = null;
      return row;
    }

    private ExportRow advance() {
      try {
        while (true) {
          if (csv == null) {
            if (fileIndex + 1 >= job.presignedUrls().size()) {
              return null;
            }
            fileIndex++;
            csv = openFile(fileIndex);
            header = csv.next();
            rowNumber = 0;
            if (header == null) {
              closeCsv();
              continue;
            }
          }
          List<String> record = csv.next();
          if (record == null) {
            closeCsv();
            continue;
          }
          rowNumber++;
          if (record.size() != header.size()) {
            throw new OdpDecodingException(
                OdpApi.EXPORT_FILES.endpoint(),
                "ODP export file "
                    + fileIndex
                    + " row "
                    + rowNumber
                    + " has "
                    + record.size()
                    + " cells but the header has "
                    + header.size(),
                null);
          }
          Map<String, String> values = new LinkedHashMap<>();
          for (int i = 0; i < header.size(); i++) {
            values.put(header.get(i), record.get(i));
          }
          return new ExportRow(fileIndex, rowNumber, values);
        }
      } catch (IOException e) {
        closeCsv();
        throw new OdpIoException(
            OdpApi.EXPORT_FILES.endpoint(),
            "Reading ODP export file " + fileIndex + " failed after row " + rowNumber + ": " + e,
            e);
      } catch (RuntimeException e) {
        closeCsv();
        throw e;
      }
    }
  }

  @Override
  public String toString() {
    return "ExportRows{" + job + "}";
  }
}
