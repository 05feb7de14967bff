package io.github.brazeodp.sync.inspect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The default event inspector: keeps the latest exchanges in memory, dropping the oldest when full.
 *
 * <p>Thread-safe. Exchanges are redacted before they are stored. Obtain one from {@link
 * EventInspector#ringBuffer(int)}.
 */
public final class RingBufferInspector implements EventInspector {
  private final InspectedExchange[] slots;
  private final ThrottledLog log =
      new ThrottledLog(LoggerFactory.getLogger(RingBufferInspector.class));
  private int next;
  private int size;
  private long dropped;

  RingBufferInspector(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.slots = new InspectedExchange[capacity];
  }

  /** Stores {@code exchange}, redacted, dropping the oldest one when the buffer is full. */
  @Override
  public void record(InspectedExchange exchange) {
    InspectedExchange redacted;
    try {
      // Redacting outside the lock keeps concurrent requests from queueing behind each other.
      redacted = Redactor.DEFAULT.redactOnce(exchange);
    } catch (RuntimeException e) {
      log.warn("Event inspector failed; the request is unaffected", e);
      return;
    }
    synchronized (this) {
      if (size == slots.length) {
        dropped++;
      } else {
        size++;
      }
      slots[next] = redacted;
      next = (next + 1) % slots.length;
    }
  }

  /** Returns the stored exchanges, oldest first and newest last; a copy the buffer won't change. */
  public synchronized List<InspectedExchange> snapshot() {
    List<InspectedExchange> out = new ArrayList<>(size);
    int start = (next - size + slots.length) % slots.length;
    for (int i = 0; i < size; i++) {
      out.add(slots[(start + i) % slots.length]);
    }
    return Collections.unmodifiableList(out);
  }

  /** Returns how many exchanges were dropped to make room since the buffer was created. */
  public synchronized long dropped() {
    return dropped;
  }

  /** Returns how many exchanges are stored. */
  public synchronized int size() {
    return size;
  }

  /** Returns the most exchanges the buffer keeps. */
  public int capacity() {
    return slots.length;
  }

  /** Empties the buffer, to start a fresh inspection; {@link #dropped()} is unchanged. */
  public synchronized void clear() {
    Arrays.fill(slots, null);
    next = 0;
    size = 0;
  }

  @Override
  public synchronized String toString() {
    return "RingBufferInspector{size=" + size + ", capacity=" + slots.length + "}";
  }
}
