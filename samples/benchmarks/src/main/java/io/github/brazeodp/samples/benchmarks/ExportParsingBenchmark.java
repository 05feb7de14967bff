package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.ExportedUser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parses a generated 100,000-user export archive (20 files of 5,000) through {@link
 * ExportUserStream}, as the segment sync does. One operation = the whole archive; users/s and
 * bytes/s are reported as auxiliary counters.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@State(Scope.Benchmark)
public class ExportParsingBenchmark {
  static final int USERS = 100_000;
  private byte[] archive;

  /** Throughput counters (users/s, bytes/s) reported beside the archives per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long users;
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      users = 0;
      bytes = 0;
    }
  }

  @Setup
  public void generate() throws IOException {
    archive = ExportArchives.zip(USERS);
  }

  @Benchmark
  public long parseArchive(Counters counters) {
    long n = 0;
    try (ExportUserStream users =
        ExportUserStream.open(
            new ByteArrayInputStream(archive), "bench.zip", ExportReadOptions.defaults())) {
      while (users.hasNext()) {
        ExportedUser u = users.next();
        n += u.email().length();
        counters.users++;
      }
    }
    counters.bytes += archive.length;
    return n;
  }
}
