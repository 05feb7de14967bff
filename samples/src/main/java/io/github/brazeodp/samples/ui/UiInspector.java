package io.github.brazeodp.samples.ui;

import io.github.brazeodp.sync.inspect.EventInspector;
import io.github.brazeodp.sync.inspect.InspectedExchange;
import io.github.brazeodp.sync.inspect.RingBufferInspector;
import java.util.ArrayList;
import java.util.List;

/**
 * The page's event inspector: records nothing until started, then keeps the latest exchanges in a
 * {@link RingBufferInspector} (which redacts them) and counts every one seen since the start, so
 * the page can tell how many arrived since it was last refreshed even after the oldest are dropped.
 *
 * <p>Attach it to the clients through {@code withSecrets(keys...)}, outermost, like any inspector.
 */
public final class UiInspector implements EventInspector {
  private final RingBufferInspector ring;
  private boolean running;
  private long seen;

  /**
   * Creates a stopped inspector keeping up to {@code capacity} exchanges.
   *
   * @param capacity how many exchanges to keep; keep it in the hundreds
   */
  public UiInspector(int capacity) {
    this.ring = EventInspector.ringBuffer(capacity);
  }

  // Under the lock so that the count and the list agree; only while an operator inspects.
  @Override
  public synchronized void record(InspectedExchange exchange) {
    if (!running) {
      return;
    }
    seen++;
    ring.record(exchange);
  }

  /** Empties the list and starts recording. */
  public synchronized void start() {
    ring.clear();
    seen = 0;
    running = true;
  }

  /** Stops recording; what was recorded stays listed. */
  public synchronized void stop() {
    running = false;
  }

  /** Tells whether exchanges are being recorded. */
  public synchronized boolean running() {
    return running;
  }

  /** Returns how many exchanges were seen since the last start, kept or dropped. */
  public synchronized long seen() {
    return seen;
  }

  /**
   * Returns the kept exchanges with their sequence numbers (1 for the first seen since the start),
   * newest first.
   */
  List<Numbered> list() {
    List<InspectedExchange> kept;
    long total;
    synchronized (this) {
      kept = ring.snapshot();
      total = seen;
    }
    long first = Math.max(1, total - kept.size() + 1);
    List<Numbered> out = new ArrayList<>(kept.size());
    for (int i = kept.size() - 1; i >= 0; i--) {
      out.add(new Numbered(first + i, kept.get(i)));
    }
    return out;
  }

  /** An exchange with its number since the start. */
  record Numbered(long number, InspectedExchange exchange) {}
}
