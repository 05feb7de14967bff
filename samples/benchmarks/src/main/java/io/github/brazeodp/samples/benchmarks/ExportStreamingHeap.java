package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportUserStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams a generated 1,000,000-user archive from disk and reports the peak heap; run it with
 * {@code -Xmx64m} to show that the archive is never held in memory.
 *
 * <pre>java -Xmx64m -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.ExportStreamingHeap [users]</pre>
 */
public final class ExportStreamingHeap {
  private ExportStreamingHeap() {}

  public static void main(String[] args) throws IOException {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path file = Files.createTempFile("braze-export-", ".zip");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
        ExportArchives.write(out, users);
      }
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        pool.resetPeakUsage();
      }
      long start = System.nanoTime();
      long read = 0;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
          ExportUserStream stream =
              ExportUserStream.open(
                  in, file.getFileName().toString(), ExportReadOptions.defaults())) {
        while (stream.hasNext()) {
          stream.next();
          read++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      System.out.printf(
          "users=%d archiveBytes=%d seconds=%.2f usersPerSecond=%.0f peakHeapMiB=%.1f maxHeapMiB=%.1f%n",
          read,
          Files.size(file),
          seconds,
          read / seconds,
          peak / 1048576.0,
          Runtime.getRuntime().maxMemory() / 1048576.0);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
