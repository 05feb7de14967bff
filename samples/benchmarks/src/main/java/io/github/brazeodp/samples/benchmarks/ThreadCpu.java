package io.github.brazeodp.samples.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * CPU time per thread group between two points of a load sample, so that a figure can say which
 * part of the process (the code under test, the load generator, the stand-in server) paid for it. A
 * group is a thread name with its digits taken out ({@code currents-http-3} counts as {@code
 * currents-http-N}). Threads that start and end between the two points are not seen; the samples'
 * pools live through their measured parts. The JVM's own threads (JIT compiler, garbage collector)
 * are not Java threads; they are what the process used beyond the groups' sum.
 */
final class ThreadCpu {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = new TreeMap<>();
  private final long processStart = processCpuNanos();

  private ThreadCpu() {
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu >= 0) {
        start.put(id, cpu);
      }
    }
  }

  /** Starts measuring. */
  static ThreadCpu start() {
    return new ThreadCpu();
  }

  /** The CPU nanoseconds each group used since {@link #start}, and "other" for the rest. */
  Map<String, Long> groups() {
    Map<String, Long> out = new TreeMap<>();
    long javaThreads = 0;
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      var info = threads.getThreadInfo(id);
      if (cpu < 0 || info == null) {
        continue;
      }
      long used = cpu - start.getOrDefault(id, 0L);
      javaThreads += used;
      out.merge(info.getThreadName().replaceAll("[0-9]+", "N"), used, Long::sum);
    }
    out.put(
        "other (JIT, GC, ended threads)",
        Math.max(0, processCpuNanos() - processStart - javaThreads));
    return out;
  }

  /** The sum of the groups {@code which} selects, in CPU nanoseconds. */
  static long sum(Map<String, Long> groups, Predicate<String> which) {
    return groups.entrySet().stream()
        .filter(e -> which.test(e.getKey()))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /** One line: each group's CPU per unit (microseconds), largest first. */
  static String perUnit(Map<String, Long> groups, long units) {
    StringBuilder sb = new StringBuilder();
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .filter(e -> e.getValue() * 1000 >= units) // at least 0.001 µs each
        .forEach(
            e -> {
              if (sb.length() > 0) {
                sb.append(", ");
              }
              sb.append(String.format("%s %.2f", e.getKey(), e.getValue() / 1e3 / units));
            });
    return sb.toString();
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }
}
