package io.github.brazeodp.odp;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonDataException;
import io.github.brazeodp.odp.internal.ExchangeTag;
import io.github.brazeodp.odp.internal.Pacer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import okhttp3.Headers;
import okhttp3.Request;
import okhttp3.ResponseBody;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import retrofit2.Call;
import retrofit2.Response;

/**
 * Runs one logical call: pacing, attempts, error mapping and retries, all waits through the
 * injected {@link Sleeper} and {@link Clock}. Thread-safe; shared by all services of a client.
 */
final class Transport {
  private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

  /** A response, from Retrofit or plain OkHttp. */
  record HttpResult(int code, Headers headers, ResponseBody body, Request request) {}

  /** Performs one attempt. */
  interface Exchange {
    HttpResult execute(ExchangeTag tag) throws IOException;
  }

  /** Reads a success response. */
  interface Handler<T> {
    T handle(HttpResult result) throws IOException;
  }

  private final RetryPolicy retry;
  private final Map<OdpApi, Pacer> pacers;
  private final ErrorMapper errors;
  private final Clock clock;
  private final Sleeper sleeper;
  private final OdpEventListener listener;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Creates a transport; {@code listener} (may be null) is told of each pacing and retry wait. */
  Transport(
      RetryPolicy retry,
      Map<OdpApi, Pacer> pacers,
      ErrorMapper errors,
      Clock clock,
      Sleeper sleeper,
      OdpEventListener listener) {
    this.listener = listener;
    this.retry = retry;
    this.pacers = pacers;
    this.errors = errors;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  static Exchange retrofit(Function<ExchangeTag, Call<ResponseBody>> call) {
    return tag -> {
      Response<ResponseBody> r = call.apply(tag).execute();
      ResponseBody body = r.isSuccessful() ? r.body() : r.errorBody();
      return new HttpResult(r.code(), r.headers(), body, r.raw().request());
    };
  }

  void close() {
    closed.set(true);
  }

  /** Executes a call whose success body is decoded (or ignored) and closed. */
  <T> T execute(OdpApi api, boolean idempotent, Exchange exchange, Handler<T> handler) {
    return execute(api, idempotent, exchange, handler, false);
  }

  /**
   * Executes a call with retries.
   *
   * @param keepBody when true, a successful response's body stays open for the handler's result
   */
  <T> T execute(
      OdpApi api, boolean idempotent, Exchange exchange, Handler<T> handler, boolean keepBody) {
    if (closed.get()) {
      throw new IllegalStateException("OdpClient is closed");
    }
    Instant start = clock.instant();
    for (int attempt = 1; ; attempt++) {
      Pacer pacer = pacers.get(api);
      pace(api, pacer);
      try {
        T value = once(api, attempt, exchange, handler, keepBody);
        if (pacer != null) {
          pacer.succeeded();
        }
        return value;
      } catch (OdpException e) {
        if (pacer != null && e instanceof OdpRateLimitException limited) {
          pacer.throttled(limited.retryAfter());
        }
        Duration elapsed = Duration.between(start, clock.instant());
        Optional<Duration> wait = retry.nextWait(e, attempt, idempotent, elapsed);
        if (wait.isEmpty()) {
          if (attempt > 1) {
            LOG.debug(
                "ODP {} gave up after {} attempts: {}", api.endpoint(), attempt, e.getMessage());
          }
          throw e;
        }
        LOG.debug(
            "ODP {} attempt {} failed ({}); retrying in {} ms",
            api.endpoint(),
            attempt,
            e.getMessage(),
            wait.get().toMillis());
        report(
            api,
            e instanceof OdpRateLimitException
                ? OdpWait.Reason.RATE_LIMITED
                : OdpWait.Reason.BACKOFF,
            wait.get());
        sleep(api, wait.get());
      }
    }
  }

  private <T> T once(
      OdpApi api, int attempt, Exchange exchange, Handler<T> handler, boolean keepBody) {
    ExchangeTag tag = new ExchangeTag(api.endpoint(), attempt, api != OdpApi.EXPORT_FILES);
    HttpResult r;
    try {
      r = exchange.execute(tag);
    } catch (InterruptedIOException e) {
      throw new OdpIoException(
          api.endpoint(), "ODP " + api.endpoint() + " call timed out or was interrupted: " + e, e);
    } catch (IOException e) {
      throw new OdpIoException(api.endpoint(), "ODP " + api.endpoint() + " call failed: " + e, e);
    }
    boolean close = true;
    try {
      if (r.code() < 200 || r.code() >= 300) {
        throw errors.map(api, r);
      }
      T value = handler.handle(r);
      close = !keepBody;
      return value;
    } catch (IOException e) {
      throw new OdpIoException(
          api.endpoint(), "ODP " + api.endpoint() + " response could not be read: " + e, e);
    } finally {
      if (close && r.body() != null) {
        r.body().close();
      }
    }
  }

  /**
   * Reads a whole JSON body and decodes it; a body that is not the expected shape is a decoding
   * error (never retried), while a failure to read the bytes is an I/O error.
   */
  static <T> T decode(OdpApi api, JsonAdapter<T> adapter, HttpResult r) throws IOException {
    byte[] bytes = r.body() == null ? new byte[0] : r.body().bytes();
    return decode(api, adapter, bytes, r.request());
  }

  /** Decodes bytes already read; any parse failure is a decoding error. */
  static <T> T decode(OdpApi api, JsonAdapter<T> adapter, byte[] bytes, Request request) {
    try {
      T value = adapter.fromJson(new Buffer().write(bytes));
      if (value == null) {
        throw new OdpDecodingException(
            api.endpoint(), "ODP " + api.endpoint() + " returned an empty body", null);
      }
      return value;
    } catch (IOException | JsonDataException e) {
      throw new OdpDecodingException(
          api.endpoint(),
          "ODP "
              + api.endpoint()
              + " call "
              + request.method()
              + " "
              + request.url().encodedPath()
              + " returned a body that could not be decoded: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Waits for a start slot, then for the pacer's admission. A thread that wakes late keeps its
   * slot: the admission holds only a request that would otherwise reach ODP within one second of
   * the start a budget's worth of requests earlier (see {@link Pacer#admit()}), which costs less
   * than giving the late slot up.
   */
  private void pace(OdpApi api, Pacer pacer) {
    if (pacer == null) {
      return;
    }
    Duration wait = pacer.reserve();
    if (!wait.isZero()) {
      report(api, OdpWait.Reason.PACING, wait);
      sleep(api, wait);
    }
    Duration hold = pacer.admit();
    if (!hold.isZero()) {
      LOG.debug("ODP {} held {} ms to keep its one-second window", api.endpoint(), hold.toMillis());
      report(api, OdpWait.Reason.PACING, hold);
      sleep(api, hold);
    }
  }

  private void report(OdpApi api, OdpWait.Reason reason, Duration d) {
    if (listener == null || d.isZero() || d.isNegative()) {
      return;
    }
    try {
      listener.onWait(new OdpWait(api.endpoint(), reason, d));
    } catch (RuntimeException e) {
      LOG.warn("ODP event listener threw on a wait for {}; ignored", api.endpoint(), e);
    }
  }

  private void sleep(OdpApi api, Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OdpIoException(
          api.endpoint(), "Interrupted while waiting to call ODP " + api.endpoint(), e);
    }
  }

  void sleepFor(OdpApi api, Duration d) {
    sleep(api, d);
  }

  Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "Transport{" + retry + ", paced=" + pacers.keySet() + "}";
  }
}
