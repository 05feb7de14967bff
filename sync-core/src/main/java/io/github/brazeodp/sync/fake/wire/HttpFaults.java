package io.github.brazeodp.sync.fake.wire;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/** Faults injected at the HTTP level: a latency per request and queued status codes or drops. */
final class HttpFaults {
  /** Status used in the queue for "drop the connection". */
  static final int DROP = 0;

  private record Planned(String pathPrefix, int status) {}

  private final List<Planned> queue = new ArrayList<>();
  private Duration latency = Duration.ZERO;

  synchronized void latency(Duration latency) {
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, was " + latency);
    }
    this.latency = latency;
  }

  synchronized Duration latency() {
    return latency;
  }

  synchronized void add(String pathPrefix, int times, int status) {
    if (times < 0) {
      throw new IllegalArgumentException("times must not be negative, was " + times);
    }
    if (status != DROP && (status < 400 || status > 599)) {
      throw new IllegalArgumentException("status must be 4xx or 5xx, was " + status);
    }
    for (int i = 0; i < times; i++) {
      queue.add(new Planned(pathPrefix, status));
    }
  }

  /** Takes the first planned fault matching {@code path}; returns its status, or -1 for none. */
  synchronized int next(String path) {
    for (Iterator<Planned> it = queue.iterator(); it.hasNext(); ) {
      Planned p = it.next();
      if (p.pathPrefix() == null || path.startsWith(p.pathPrefix())) {
        it.remove();
        return p.status();
      }
    }
    return -1;
  }

  synchronized void clear() {
    queue.clear();
    latency = Duration.ZERO;
  }
}
