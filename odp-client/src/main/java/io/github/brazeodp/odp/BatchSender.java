package io.github.brazeodp.odp;

import io.github.brazeodp.odp.internal.EventBatcher;
import io.github.brazeodp.odp.internal.ExchangeTag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import retrofit2.Call;

/**
 * Sends encoded rows in planned requests, up to {@link BatchSettings#maxInFlight()} at once, and
 * maps each outcome back to input rows.
 *
 * <p>A request that ODP refuses as a whole without naming rows (400, 413 or 422 with no usable
 * {@code detail.invalids[]}, e.g. more objects than the account takes per request) is split in
 * halves and each half resent, down to single rows, so that only rows ODP refuses on their own end
 * up {@link RowStatus#REJECTED}. Resending is safe: events carry an {@code idempotence_id} that is
 * the same in every copy, and profile upserts and subscription changes converge to the same state
 * however often they are applied; a refused request was not applied at all. The split work is
 * bounded: only those three statuses split (401, 403, 429, 5xx and I/O failures never do), and one
 * planned request may spend at most as many extra requests as it has rows; rows still unresolved
 * then are rejected with ODP's reason.
 */
final class BatchSender {
  private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);

  private final Transport transport;
  private final EventBatcher batcher;
  private final int maxInFlight;
  private final ExecutorService executor;

  /**
   * Creates a sender.
   *
   * @param executor runs the requests of a call when more than one may be in flight; the caller
   *     thread waits for them
   */
  BatchSender(
      Transport transport, EventBatcher batcher, int maxInFlight, ExecutorService executor) {
    this.transport = transport;
    this.batcher = batcher;
    this.maxInFlight = maxInFlight;
    this.executor = executor;
  }

  /** Rows per encoding task; calls of fewer than two chunks encode on the caller's thread. */
  static final int ENCODE_CHUNK = 250;

  /**
   * Encodes (and so validates) every row before anything is sent. A large call spreads the work
   * over up to one thread per core (at most {@code maxInFlight}), the caller included: a call of
   * thousands of events otherwise spends longer encoding on one core than its requests spend on the
   * network. The outcome is the serial one: when rows are invalid, the exception names the first of
   * them in row order.
   */
  List<byte[]> encode(int count, IntFunction<byte[]> row) {
    int helpers = Math.min(maxInFlight, Runtime.getRuntime().availableProcessors()) - 1;
    int chunks = (count + ENCODE_CHUNK - 1) / ENCODE_CHUNK;
    byte[][] out = new byte[count][];
    if (helpers < 1 || chunks < 2 || executor.isShutdown()) {
      for (int i = 0; i < count; i++) {
        out[i] = row.apply(i);
      }
      return Arrays.asList(out);
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger firstFailed = new AtomicInteger(Integer.MAX_VALUE);
    Throwable[] failures = new Throwable[chunks];
    // Counted per chunk rather than per helper: a helper still queued behind other calls'
    // requests finds every chunk claimed and is not waited for.
    CountDownLatch done = new CountDownLatch(chunks);
    Runnable work =
        () -> {
          for (int c; (c = next.getAndIncrement()) < chunks; ) {
            try {
              if (c < firstFailed.get()) {
                for (int i = c * ENCODE_CHUNK, end = Math.min(count, i + ENCODE_CHUNK);
                    i < end;
                    i++) {
                  out[i] = row.apply(i);
                }
              }
            } catch (RuntimeException | Error e) {
              failures[c] = e;
              firstFailed.accumulateAndGet(c, Math::min);
            } finally {
              done.countDown();
            }
          }
        };
    try {
      for (int h = 0; h < Math.min(helpers, chunks - 1); h++) {
        executor.execute(work);
      }
    } catch (RejectedExecutionException e) {
      // close() raced this call: the caller's thread encodes what is left.
    }
    work.run();
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        // Encoding is bounded local work; finish it, then keep the interrupt.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    int failed = firstFailed.get();
    if (failed != Integer.MAX_VALUE) {
      Throwable t = failures[failed];
      if (t instanceof Error err) {
        throw err;
      }
      throw (RuntimeException) t;
    }
    return Arrays.asList(out);
  }

  BatchResult send(
      OdpApi api,
      List<byte[]> rows,
      BiFunction<RequestBody, ExchangeTag, Call<ResponseBody>> call) {
    Sending c = new Sending(api, rows, call);
    List<EventBatcher.Batch> plan = batcher.plan(rows);
    if (maxInFlight == 1 || plan.size() <= 1) {
      for (EventBatcher.Batch batch : plan) {
        Part part = c.deliver(batch);
        c.add(part);
        if (part.failure != null) {
          throw c.fail(part.failure);
        }
      }
      return c.result();
    }
    return pipelined(c, plan);
  }

  /**
   * Keeps up to {@code maxInFlight} planned requests running. After a request fails for good no new
   * request starts; those in flight are waited for, so the partial result tells their outcome.
   */
  private BatchResult pipelined(Sending c, List<EventBatcher.Batch> plan) {
    if (executor.isShutdown()) {
      throw new IllegalStateException("OdpClient is closed");
    }
    CompletionService<Part> done = new ExecutorCompletionService<>(executor);
    Map<Future<Part>, EventBatcher.Batch> running = new HashMap<>();
    OdpException failure = null;
    int failedBatch = Integer.MAX_VALUE;
    RuntimeException unexpected = null;
    int next = 0;
    try {
      while (next < plan.size() && running.size() < maxInFlight) {
        EventBatcher.Batch batch = plan.get(next++);
        running.put(done.submit(() -> c.deliver(batch)), batch);
      }
      while (!running.isEmpty()) {
        Future<Part> f = done.take();
        EventBatcher.Batch batch = running.remove(f);
        try {
          Part part = f.get();
          c.add(part);
          if (part.failure != null) {
            // The first failure in row order is thrown; later ones ride along as suppressed.
            if (failure == null) {
              failure = part.failure;
              failedBatch = batch.from();
            } else if (batch.from() < failedBatch) {
              part.failure.addSuppressed(failure);
              failure = part.failure;
              failedBatch = batch.from();
            } else {
              failure.addSuppressed(part.failure);
            }
          }
        } catch (ExecutionException e) {
          c.mark(batch.from(), batch.to(), RowStatus.UNCONFIRMED);
          RuntimeException cause = asRuntime(e.getCause());
          if (unexpected == null) {
            unexpected = cause;
          } else {
            unexpected.addSuppressed(cause);
          }
        }
        if (failure == null && unexpected == null && next < plan.size()) {
          EventBatcher.Batch more = plan.get(next++);
          running.put(done.submit(() -> c.deliver(more)), more);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      for (Map.Entry<Future<Part>, EventBatcher.Batch> r : running.entrySet()) {
        r.getKey().cancel(true);
        c.mark(r.getValue().from(), r.getValue().to(), RowStatus.UNCONFIRMED);
      }
      throw c.fail(
          new OdpIoException(
              c.api.endpoint(),
              "Interrupted while waiting for ODP " + c.api.endpoint() + " requests",
              e));
    } catch (RejectedExecutionException e) {
      // close() raced this call: nothing more can start, so wait for what is running.
      awaitQuietly(running);
      throw new IllegalStateException("OdpClient is closed", e);
    }
    if (unexpected != null) {
      throw unexpected;
    }
    if (failure != null) {
      throw c.fail(failure);
    }
    return c.result();
  }

  /** Waits for the requests already running, so none outlives the call that started them. */
  private static void awaitQuietly(Map<Future<Part>, EventBatcher.Batch> running) {
    for (Future<Part> f : running.keySet()) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException e) {
        // The call fails as closed either way; this request's own failure adds nothing.
        LOG.debug("ODP request failed while the client closed", e.getCause());
      }
    }
  }

  private static RuntimeException asRuntime(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(t);
  }

  /** The outcome of one planned request, with the extra requests its splits took. */
  private static final class Part {
    int requests;
    final List<RowError> errors = new ArrayList<>();
    OdpException failure;
  }

  /** The state of one batch call; each planned request writes only its own rows. */
  private final class Sending {
    final OdpApi api;
    final List<byte[]> rows;
    final BiFunction<RequestBody, ExchangeTag, Call<ResponseBody>> call;
    final byte[] statuses;
    final List<RowError> errors = new ArrayList<>();
    int requests;

    Sending(
        OdpApi api,
        List<byte[]> rows,
        BiFunction<RequestBody, ExchangeTag, Call<ResponseBody>> call) {
      this.api = api;
      this.rows = rows;
      this.call = call;
      this.statuses = new byte[rows.size()];
      Arrays.fill(statuses, (byte) RowStatus.NOT_SENT.ordinal());
    }

    Part deliver(EventBatcher.Batch batch) {
      Part part = new Part();
      int[] splitBudget = {batch.size()};
      try {
        sendRange(batch.from(), batch.to(), part, splitBudget);
      } catch (OdpException e) {
        part.failure = e;
      }
      return part;
    }

    /** Sends rows {@code [from, to)} as one request, splitting it when ODP refuses it whole. */
    private void sendRange(int from, int to, Part part, int[] splitBudget) {
      part.requests++;
      RequestBody body = EventBatcher.body(rows, from, to);
      try {
        transport.execute(api, true, Transport.retrofit(tag -> call.apply(body, tag)), r -> null);
        mark(from, to, RowStatus.ACCEPTED);
      } catch (OdpApiException e) {
        if (!refusesContent(e)) {
          mark(from, to, RowStatus.UNCONFIRMED);
          throw e;
        }
        if (rejectNamed(e, from, to, part)) {
          return;
        }
        int size = to - from;
        if (size == 1 || splitBudget[0] < 2) {
          if (size > 1) {
            LOG.debug(
                "ODP {} refused rows {}..{} whole; split budget spent", api.endpoint(), from, to);
          }
          rejectAll(e, from, to, part);
          return;
        }
        splitBudget[0] -= 2;
        int mid = from + (size + 1) / 2;
        LOG.debug(
            "ODP {} refused {} rows without naming one (HTTP {}); resending in halves",
            api.endpoint(),
            size,
            e.status());
        sendRange(from, mid, part, splitBudget);
        sendRange(mid, to, part, splitBudget);
      } catch (OdpException e) {
        mark(from, to, RowStatus.UNCONFIRMED);
        throw e;
      }
    }

    /**
     * Rejects the rows ODP named; the others of the request stay unconfirmed (ODP does not document
     * whether it kept them). Returns false when no invalid names a row of this request.
     */
    private boolean rejectNamed(OdpApiException e, int from, int to, Part part) {
      if (!(e instanceof OdpBadRequestException bad)) {
        return false;
      }
      boolean named = false;
      for (OdpInvalid invalid : bad.invalids()) {
        Integer i = invalid.index();
        if (i != null && i >= 0 && i < to - from) {
          int row = from + i;
          statuses[row] = (byte) RowStatus.REJECTED.ordinal();
          part.errors.add(new RowError(row, invalid.field(), invalid.message(), e.status()));
          named = true;
        } else {
          LOG.debug("ODP {} invalid without a usable row index: {}", api.endpoint(), invalid);
        }
      }
      if (named) {
        for (int row = from; row < to; row++) {
          if (statuses[row] != RowStatus.REJECTED.ordinal()) {
            statuses[row] = (byte) RowStatus.UNCONFIRMED.ordinal();
          }
        }
      }
      return named;
    }

    private void rejectAll(OdpApiException e, int from, int to, Part part) {
      String message = e.detail() != null ? e.detail() : e.getMessage();
      String field = null;
      if (e instanceof OdpBadRequestException bad && !bad.invalids().isEmpty()) {
        field = bad.invalids().get(0).field();
        if (bad.invalids().get(0).message() != null) {
          message = bad.invalids().get(0).message();
        }
      }
      for (int row = from; row < to; row++) {
        statuses[row] = (byte) RowStatus.REJECTED.ordinal();
        part.errors.add(new RowError(row, field, message, e.status()));
      }
    }

    void mark(int from, int to, RowStatus status) {
      Arrays.fill(statuses, from, to, (byte) status.ordinal());
    }

    void add(Part part) {
      requests += part.requests;
      errors.addAll(part.errors);
    }

    OdpException fail(OdpException e) {
      e.attachPartialResult(result());
      return e;
    }

    BatchResult result() {
      return new BatchResult(statuses, errors, requests);
    }
  }

  /** 400, 413 and 422 say the request's content was refused; only those are worth splitting. */
  static boolean refusesContent(OdpApiException e) {
    int s = e.status();
    return s == 400 || s == 413 || s == 422;
  }
}
