package io.github.brazeodp.sync.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits for work handed to another thread, failing as that work failed. */
public final class Futures {
  private Futures() {}

  /**
   * Returns the result of {@code future}. What the work threw is thrown as it was (an unchecked
   * exception or error), anything else wrapped; an interrupt is kept and reported with {@code
   * what}, the wait that it ended.
   */
  public static <T> T await(Future<T> future, String what) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
