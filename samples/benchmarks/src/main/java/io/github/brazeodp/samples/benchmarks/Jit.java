package io.github.brazeodp.samples.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/** What the load samples do about the JIT compiler before they measure. */
final class Jit {
  private Jit() {}

  /** One uncounted warm-up round. */
  @FunctionalInterface
  interface Round {
    void run(int round) throws Exception;
  }

  /**
   * Runs warm-up rounds until one spends less than a tenth of its wall time compiling, at most six;
   * the rule every load sample applies to each side it compares. Code run once per request reaches
   * C2 only after thousands of requests (more while the compile queue is long), so a fixed short
   * warm-up left the compiler busy in whichever side was measured.
   */
  static void warmUp(Round round) throws Exception {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    double compiling = 1;
    for (int w = 0; w < 6 && compiling > 0.1; w++) {
      long compiledBefore = jit.getTotalCompilationTime();
      long start = System.nanoTime();
      round.run(w);
      compiling =
          (jit.getTotalCompilationTime() - compiledBefore) * 1e6 / (System.nanoTime() - start);
      System.out.printf("warm-up=%d compilingShare=%.2f%n", w + 1, compiling);
    }
  }

  /**
   * Waits (at most 10 s) until the JIT compiler has been idle for half a second; called before each
   * measured part alike. On two cores one C2 thread works off the warm-up's compile queue for
   * seconds (PrintCompilation: over 600 compilations during SegmentSyncLoad's measured run after
   * two warm-up runs), and whichever side ran then would pay for it.
   */
  static void settle() throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    long last = jit.getTotalCompilationTime();
    int quiet = 0;
    while (quiet < 5 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      long now = jit.getTotalCompilationTime();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
  }
}
