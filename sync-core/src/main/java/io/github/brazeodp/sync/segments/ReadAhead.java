package io.github.brazeodp.sync.segments;

import io.github.brazeodp.braze.ExportLine;
import io.github.brazeodp.braze.ExportPosition;
import io.github.brazeodp.braze.ExportUserStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads an export's lines into batches on its own thread, at most {@link #BATCHES_AHEAD} batches
 * ahead of the thread that takes them. A failure of the reading is handed over as it was thrown, so
 * the taker sees the same exception it would have seen reading itself; the taker stopping ends the
 * reading at the next line (the archive is closed only once the reader is done, by its owner).
 */
final class ReadAhead implements Runnable {
  /**
   * Batches read and not yet taken, at most. Two keep the reader busy beside the segment thread;
   * sixteen made a first run's lines live long enough to survive young collections, and the garbage
   * collector's share of a 100,000-user first run at 128 MiB rose from 6 % to 20 %.
   */
  static final int BATCHES_AHEAD = 2;

  private static final Object END = new Object();
  private static final long POLL_MILLIS = 50;

  /**
   * One batch of lines.
   *
   * @param lines the lines, in export order
   * @param last the position of the last line
   * @param malformed the unreadable lines the reader skipped up to the last one (not after it)
   */
  record Batch(List<ExportLine> lines, ExportPosition last, long malformed) {}

  private record Failure(Throwable error) {}

  private final ExportUserStream users;
  private final int batchSize;
  private final AtomicLong malformed;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
  private volatile boolean stopped;
  private volatile boolean ended;
  private volatile Thread runner;

  /**
   * @param users the export, read only by this reader until it ends
   * @param batchSize lines per batch
   * @param malformed the count of lines the stream skipped on the reader's thread (see {@link
   *     #onReaderThread})
   */
  ReadAhead(ExportUserStream users, int batchSize, AtomicLong malformed) {
    this.users = users;
    this.batchSize = batchSize;
    this.malformed = malformed;
  }

  @Override
  public void run() {
    runner = Thread.currentThread();
    try {
      List<ExportLine> batch = new ArrayList<>(batchSize);
      ExportPosition last = null;
      for (ExportLine line = users.nextLine(); line != null; line = users.nextLine()) {
        batch.add(line);
        last = line.position();
        if (batch.size() == batchSize) {
          // Counted now: the skip callback has seen every line up to this one and none after.
          if (!put(new Batch(batch, last, malformed.get()))) {
            return;
          }
          batch = new ArrayList<>(batchSize);
        }
      }
      if (!batch.isEmpty() && !put(new Batch(batch, last, malformed.get()))) {
        return;
      }
      put(END);
    } catch (RuntimeException | Error e) {
      put(new Failure(e));
    } finally {
      ended = true;
    }
  }

  /**
   * Returns the next batch, or null at the end of the export.
   *
   * @throws RuntimeException what reading the export threw
   * @throws UncheckedIOException if this thread is interrupted or the reader stopped early
   */
  Batch take() {
    while (true) {
      Object next;
      try {
        next = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(
            new InterruptedIOException("interrupted while reading the export"));
      }
      if (next == null) {
        // A reader that ended without a last word was interrupted (its pool shut down).
        if (ended && queue.isEmpty()) {
          throw new UncheckedIOException(
              new InterruptedIOException("the export reader stopped before the end"));
        }
        continue;
      }
      if (next == END) {
        return null;
      }
      if (next instanceof Failure f) {
        if (f.error() instanceof Error error) {
          throw error;
        }
        throw (RuntimeException) f.error();
      }
      return (Batch) next;
    }
  }

  /**
   * Whether the caller is this reader's thread: the stream's skip callback runs on it for the lines
   * the stream cannot split or scan, and on the taker's thread for those found unreadable later.
   */
  boolean onReaderThread() {
    return Thread.currentThread() == runner;
  }

  /** Tells the reader to stop at its next line; batches not taken are dropped. */
  void stop() {
    stopped = true;
    queue.clear();
  }

  /** Waits until the reader has ended, so that the archive can be closed. */
  void awaitEnd(Future<?> reading) {
    try {
      reading.get();
    } catch (ExecutionException | CancellationException e) {
      // Its failure, if any, was handed over; a cancelled reader never ran.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Hands {@code item} over; false when the taker stopped or this thread was interrupted. */
  private boolean put(Object item) {
    try {
      while (!stopped) {
        if (queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
