package io.github.brazeodp.sync.fake.wire;

import java.time.Duration;

/**
 * The HTTP-level fault injection both stand-ins offer: added latency, failed answers and dropped
 * connections, queued per path prefix.
 *
 * @param <W> the stand-in, so that the fault methods chain
 */
abstract class FaultyWire<W extends FaultyWire<W>> {
  private final HttpFaults faults = new HttpFaults();

  abstract W self();

  /** Waits through the stand-in's injected sleeper. */
  abstract void pause(Duration duration) throws InterruptedException;

  /** Delays every request by {@code latency} (through the injected sleeper) before answering. */
  public W latency(Duration latency) {
    faults.latency(latency);
    return self();
  }

  /**
   * Answers the next {@code times} requests whose path starts with {@code pathPrefix} (any path
   * when null) with {@code status} (429 or 5xx) without processing them.
   */
  public W failNext(String pathPrefix, int times, int status) {
    faults.add(pathPrefix, times, status);
    return self();
  }

  /**
   * Drops the connection of the next {@code times} requests whose path starts with {@code
   * pathPrefix} (any path when null), before processing them.
   */
  public W dropNext(String pathPrefix, int times) {
    faults.add(pathPrefix, times, HttpFaults.DROP);
    return self();
  }

  /** Removes queued HTTP-level faults and the latency. */
  public W clearFaults() {
    faults.clear();
    return self();
  }

  /**
   * Applies the latency and takes the fault queued for {@code path}: {@link HttpFaults#DROP}, a
   * status to answer with, or a negative number for none. An interrupted wait drops the request.
   */
  final int enter(String path) {
    Duration latency = faults.latency();
    if (!latency.isZero()) {
      try {
        pause(latency);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return HttpFaults.DROP;
      }
    }
    return faults.next(path);
  }
}
