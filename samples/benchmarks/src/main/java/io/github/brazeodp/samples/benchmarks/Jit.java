package io.github.brazeodp.samples.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/** What the load samples do about the JIT compiler before they measure. */
final class Jit {
  private Jit() {}

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
