package io.github.brazeodp.sync.fake;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;

/** Queued faults per operation of a fake; thread-safe through the fake's lock. */
final class FaultPlan<O extends Enum<O>> {
  private final Map<O, Deque<Fault>> queued;
  private final Deque<Fault> any = new ArrayDeque<>();

  FaultPlan(Class<O> operations) {
    this.queued = new EnumMap<>(operations);
  }

  void add(O operation, int times, Fault fault) {
    if (times < 0) {
      throw new IllegalArgumentException("times must not be negative, was " + times);
    }
    Deque<Fault> q =
        operation == null ? any : queued.computeIfAbsent(operation, k -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      q.add(fault);
    }
  }

  /** Returns the fault for this call of {@code operation}, or null. */
  Fault next(O operation) {
    Deque<Fault> q = queued.get(operation);
    if (q != null && !q.isEmpty()) {
      return q.poll();
    }
    return any.poll();
  }

  void clear() {
    queued.clear();
    any.clear();
  }
}
