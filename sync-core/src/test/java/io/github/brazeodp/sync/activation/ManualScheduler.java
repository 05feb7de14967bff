package io.github.brazeodp.sync.activation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A scheduled executor that runs nothing until the test says so; records the delays asked. */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final List<Task<?>> tasks = new ArrayList<>();
  private boolean shutdown;

  /** Runs every task that is not cancelled; periodic tasks stay scheduled. Returns how many ran. */
  synchronized int runAll() {
    int ran = 0;
    for (Task<?> t : List.copyOf(tasks)) {
      if (t.isCancelled()) {
        tasks.remove(t);
        continue;
      }
      if (t.periodic) {
        t.runAndReset();
      } else {
        tasks.remove(t);
        t.run();
      }
      ran++;
    }
    return ran;
  }

  /** Returns the delays of the tasks waiting. */
  synchronized List<Duration> pending() {
    return tasks.stream().filter(t -> !t.isCancelled()).map(t -> t.delay).toList();
  }

  private synchronized <V> Task<V> add(Task<V> task) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    tasks.add(task);
    return task;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(
        new Task<>(
            () -> {
              command.run();
              return null;
            },
            Duration.ofNanos(unit.toNanos(delay)),
            false));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return add(new Task<>(callable, Duration.ofNanos(unit.toNanos(delay)), false));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return scheduleWithFixedDelay(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(
        new Task<>(
            () -> {
              command.run();
              return null;
            },
            Duration.ofNanos(unit.toNanos(delay)),
            true));
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(tasks);
    tasks.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  @Override
  public void execute(Runnable command) {
    command.run();
  }

  private static final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    final Duration delay;
    final boolean periodic;

    Task(Callable<V> callable, Duration delay, boolean periodic) {
      super(callable);
      this.delay = delay;
      this.periodic = periodic;
    }

    @Override
    public boolean runAndReset() {
      return super.runAndReset();
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
