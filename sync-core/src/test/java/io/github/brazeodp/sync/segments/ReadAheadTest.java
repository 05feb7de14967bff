package io.github.brazeodp.sync.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.ExportLimits;
import io.github.brazeodp.braze.ExportLine;
import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportUserStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
  private final ExecutorService reader = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopReader() {
    reader.shutdownNow();
  }

  @Test
  void batchesComeInExportOrderWithTheirLastPositionThenTheEnd() {
    ReadAhead ahead =
        new ReadAhead(stream(zip(lines(5)), ExportReadOptions.defaults()), 2, new AtomicLong());
    reader.submit(ahead);

    List<String> ids = new ArrayList<>();
    List<Long> lastLines = new ArrayList<>();
    for (ReadAhead.Batch b = ahead.take(); b != null; b = ahead.take()) {
      b.lines().forEach(l -> ids.add(l.brazeId()));
      lastLines.add(b.last().line());
    }

    assertThat(ids).containsExactly("u0", "u1", "u2", "u3", "u4");
    assertThat(lastLines).containsExactly(2L, 4L, 5L);
  }

  @Test
  void eachBatchCountsTheLinesTheReaderSkippedUpToItsEndNotTheOnesReadAheadOfIt() throws Exception {
    List<String> lines = lines(8);
    // Line 6 is longer than the reader accepts: skipped while reading the third batch.
    lines.set(5, "{\"braze_id\":\"u5\",\"pad\":\"" + "x".repeat(2_000) + "\"}");
    AtomicLong skippedByReader = new AtomicLong();
    AtomicLong skippedElsewhere = new AtomicLong();
    AtomicReference<ReadAhead> self = new AtomicReference<>();
    ExportReadOptions options =
        ExportReadOptions.defaults()
            .limits(ExportLimits.defaults().withMaxLineBytes(1024))
            .skipMalformed(
                e ->
                    (self.get().onReaderThread() ? skippedByReader : skippedElsewhere)
                        .incrementAndGet());
    ReadAhead ahead = new ReadAhead(stream(zip(lines), options), 2, skippedByReader);
    self.set(ahead);
    reader.submit(ahead);
    // The first two batches wait in the queue while the reader skips line 6.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (skippedByReader.get() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }

    List<Long> counts = new ArrayList<>();
    for (ReadAhead.Batch b = ahead.take(); b != null; b = ahead.take()) {
      counts.add(b.malformed());
    }

    assertThat(skippedByReader).hasValue(1);
    assertThat(skippedElsewhere).hasValue(0);
    assertThat(counts).containsExactly(0L, 0L, 1L, 1L);
  }

  @Test
  void aFailedReadReachesTheTakerAsItWasThrownAfterTheBatchesBeforeIt() {
    byte[] zip = zip(lines(2_000));
    InputStream failing =
        new FilterInputStream(new ByteArrayInputStream(zip)) {
          private int left = zip.length * 7 / 10;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
              throw new IOException("connection reset");
            }
            int n = super.read(b, off, Math.min(len, left));
            left -= Math.max(n, 0);
            return n;
          }
        };
    ReadAhead ahead =
        new ReadAhead(
            stream(failing, ExportReadOptions.defaults().maxReopens(0)), 2, new AtomicLong());
    reader.submit(ahead);

    List<ExportLine> taken = new ArrayList<>();
    assertThatThrownBy(
            () -> {
              for (ReadAhead.Batch b = ahead.take(); b != null; b = ahead.take()) {
                taken.addAll(b.lines());
              }
            })
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("reading the export failed");
    assertThat(taken).isNotEmpty().hasSizeLessThan(2_000);
  }

  @Test
  void aTakerThatStopsEndsAReaderWaitingOnAFullQueue() throws Exception {
    ReadAhead ahead =
        new ReadAhead(
            stream(zip(lines(ReadAhead.BATCHES_AHEAD * 4)), ExportReadOptions.defaults()),
            1,
            new AtomicLong());
    Future<?> reading = reader.submit(ahead);

    assertThat(ahead.take().lines()).hasSize(1);
    ahead.stop();
    ahead.awaitEnd(reading);

    assertThat(reading.isDone()).isTrue();
  }

  private static List<String> lines(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("{\"braze_id\":\"u" + i + "\",\"email\":\"u" + i + "@example.com\"}");
    }
    return out;
  }

  private static byte[] zip(List<String> lines) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      out.putNextEntry(new ZipEntry("seg/users-0.txt"));
      out.write(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static ExportUserStream stream(byte[] zip, ExportReadOptions options) {
    return stream(new ByteArrayInputStream(zip), options);
  }

  private static ExportUserStream stream(InputStream zip, ExportReadOptions options) {
    return ExportUserStream.open(zip, "export.zip", options);
  }
}
