package io.github.brazeodp.braze.internal;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import io.github.brazeodp.braze.BrazeDecodingException;
import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.braze.BrazeException;
import io.github.brazeodp.braze.BrazeIoException;
import io.github.brazeodp.braze.BrazeRateLimitException;
import io.github.brazeodp.braze.BrazeServerException;
import io.github.brazeodp.braze.BrazeWait;
import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.braze.RetrySettings;
import io.github.brazeodp.braze.Sleeper;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import okhttp3.Headers;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.Response;

/**
 * Executes calls with the client's single retry policy, pacing and error mapping.
 *
 * <p>resilience4j decides whether and how often to retry; the waits themselves go through the
 * injected {@link Sleeper} (the interval function sleeps and reports zero to resilience4j), so that
 * tests never sleep and no global sleep hook is touched.
 */
public final class Transport {
  private static final int ERROR_BODY_CAP = 1 << 20;

  private final RetrySettings settings;
  private final RatePacer pacer;
  private final Clock clock;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private final BrazeEventListener listener;

  /** Creates a transport that reports its retry waits to {@code listener}. */
  public Transport(
      RetrySettings settings,
      RatePacer pacer,
      Clock clock,
      Sleeper sleeper,
      RandomGenerator random,
      BrazeEventListener listener) {
    this.listener = listener;
    this.settings = settings;
    this.pacer = pacer;
    this.clock = clock;
    this.sleeper = sleeper;
    this.random = random;
  }

  /** How far a request may be repeated after a failure. */
  public enum Safety {
    /** Reads and idempotent writes: retried on I/O errors, 429 and 5xx. */
    IDEMPOTENT,
    /**
     * Writes that duplicate data when repeated after reaching Braze (events, purchases): retried on
     * 429, 5xx (Braze documents that fatal errors process nothing) and I/O errors before sending.
     */
    NOT_IDEMPOTENT,
    /** Message sends: retried only on 429 and when the request never left (connect failures). */
    SEND
  }

  /** An endpoint: path for messages, rate family and retry safety. */
  public record Endpoint(String path, EndpointFamily family, Safety safety) {}

  /** Executes a call built fresh for each attempt and returns its decoded body. */
  public <T> T execute(Endpoint endpoint, Function<ExchangeInterceptor.Attempt, Call<T>> calls) {
    return execute(endpoint, calls, (headers, body) -> body);
  }

  /** Executes and hands the response headers along with the body to {@code finisher}. */
  public <T, R> R execute(
      Endpoint endpoint,
      Function<ExchangeInterceptor.Attempt, Call<T>> calls,
      java.util.function.BiFunction<Headers, T, R> finisher) {
    CallState state = new CallState(clock.millis() + settings.totalBudget().toMillis());
    return retrying(
        endpoint,
        state,
        () -> {
          int attempt = ++state.attempts;
          pacer.acquire(endpoint.family(), endpoint.path());
          Response<T> response;
          try {
            response = calls.apply(new ExchangeInterceptor.Attempt(attempt)).execute();
          } catch (JsonEncodingException | JsonDataException e) {
            throw new BrazeDecodingException(
                endpoint.path() + " returned a body that is not the documented JSON: " + e, e);
          } catch (ExchangeInterceptor.NotSentException e) {
            throw new BrazeIoException(endpoint.path(), false, (IOException) e.getCause());
          } catch (InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
              throw new BrazeException(endpoint.path() + " interrupted", e);
            }
            throw new BrazeIoException(endpoint.path(), true, e);
          } catch (IOException e) {
            throw new BrazeIoException(endpoint.path(), true, e);
          }
          pacer.observe(endpoint.family(), response.headers());
          if (response.isSuccessful()) {
            return finisher.apply(response.headers(), response.body());
          }
          throw ErrorMapper.map(
              endpoint.path(),
              response.code(),
              response.headers(),
              readCapped(response.errorBody()),
              clock);
        });
  }

  /** Runs {@code attempt} under the retry policy; used for raw OkHttp downloads too. */
  public <R> R retrying(
      Endpoint endpoint, CallState state, java.util.function.Supplier<R> attempt) {
    RetryConfig config =
        RetryConfig.custom()
            .maxAttempts(settings.maxAttempts())
            .retryOnException(t -> decide(endpoint, state, t))
            .intervalBiFunction(
                (attempts, either) -> {
                  if (state.nextWait.compareTo(Duration.ZERO) > 0) {
                    RatePacer.report(
                        listener,
                        new BrazeWait(
                            endpoint.path(), endpoint.family(), state.nextReason, state.nextWait));
                  }
                  sleep(state.nextWait);
                  return 0L;
                })
            .build();
    Retry retry = Retry.of(endpoint.path(), config);
    return Retry.decorateSupplier(retry, attempt).get();
  }

  /** Starts a new per-call state for {@link #retrying}. */
  public CallState newState() {
    return new CallState(clock.millis() + settings.totalBudget().toMillis());
  }

  private boolean decide(Endpoint endpoint, CallState state, Throwable failure) {
    Duration wait;
    if (failure instanceof BrazeRateLimitException rate) {
      Duration hinted = rate.retryAfter().orElse(null);
      if (hinted != null && hinted.compareTo(settings.maxRateLimitWait()) > 0) {
        return false;
      }
      wait = hinted != null ? hinted : backoff(state.attempts);
      state.nextReason = BrazeWait.Reason.RATE_LIMITED;
    } else if (failure instanceof BrazeServerException) {
      if (endpoint.safety() == Safety.SEND) {
        return false;
      }
      wait = backoff(state.attempts);
    } else if (failure instanceof BrazeIoException io) {
      if (io.requestSent() && endpoint.safety() != Safety.IDEMPOTENT) {
        return false;
      }
      wait = backoff(state.attempts);
    } else {
      // Other API errors (400, 401/403, 404, 413) and anything unexpected are final.
      return false;
    }
    if (clock.millis() + wait.toMillis() > state.deadlineMillis) {
      return false;
    }
    if (!(failure instanceof BrazeRateLimitException)) {
      state.nextReason = BrazeWait.Reason.BACKOFF;
    }
    state.nextWait = wait;
    return true;
  }

  private Duration backoff(int failures) {
    long initial = settings.initialBackoff().toMillis();
    long cap = settings.maxBackoff().toMillis();
    int shift = Math.min(Math.max(failures - 1, 0), 30);
    long ceiling = Math.min(cap, initial << shift);
    return Duration.ofMillis(random.nextLong(ceiling + 1));
  }

  private void sleep(Duration wait) {
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrazeException("interrupted while waiting to retry", e);
    }
  }

  private static String readCapped(ResponseBody body) {
    if (body == null) {
      return "";
    }
    try (body) {
      okio.BufferedSource source = body.source();
      source.request(ERROR_BODY_CAP);
      okio.Buffer buffer = source.getBuffer();
      long size = Math.min(buffer.size(), ERROR_BODY_CAP);
      return buffer.readUtf8(size);
    } catch (IOException e) {
      return "";
    }
  }

  /** Mutable state of one logical call across its attempts. */
  public static final class CallState {
    final long deadlineMillis;
    int attempts;
    Duration nextWait = Duration.ZERO;
    BrazeWait.Reason nextReason = BrazeWait.Reason.BACKOFF;

    CallState(long deadlineMillis) {
      this.deadlineMillis = deadlineMillis;
    }

    /** Counts one more attempt and returns its number. */
    public int nextAttempt() {
      return ++attempts;
    }
  }
}
