package io.github.brazeodp.odp;

import io.github.brazeodp.odp.internal.RetryAfter;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.RetryConfig;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The client's single retry policy, expressed as a resilience4j {@link RetryConfig}.
 *
 * <p>The transport drives the attempts itself rather than through {@code Retry.decorate...}:
 * resilience4j's {@code RetryImpl} waits with a process-wide static sleep function, which would
 * make one client's waits leak into every other client and keep tests from injecting a {@link
 * Sleeper}. The config still decides what is retryable, how many attempts there are and how long
 * each wait is.
 */
final class RetryPolicy {
  private final RetrySettings settings;
  private final Clock clock;
  private final RetryConfig config;

  RetryPolicy(RetrySettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.config =
        RetryConfig.custom()
            .maxAttempts(settings.maxAttempts())
            .retryOnException(RetryPolicy::isRetryable)
            .intervalBiFunction(
                (Integer attempt, Either<Throwable, Object> outcome) ->
                    intervalMillis(attempt, outcome.isLeft() ? outcome.getLeft() : null))
            .build();
  }

  RetryConfig config() {
    return config;
  }

  /** I/O errors, 408, 429 and every 5xx; client errors are final. */
  static boolean isRetryable(Throwable t) {
    if (t instanceof OdpIoException) {
      return true;
    }
    if (t instanceof OdpApiException e) {
      return e.status() == 408 || e.status() == 429 || e.status() >= 500;
    }
    return false;
  }

  /**
   * Failures after which a non-idempotent request (creating a list, field or export job) certainly
   * had no effect: a throttled request, or a connection that never opened.
   */
  static boolean certainlyNotProcessed(OdpException e) {
    if (e instanceof OdpRateLimitException) {
      return true;
    }
    Throwable cause = e.getCause();
    return e instanceof OdpIoException
        && (cause instanceof ConnectException
            || cause instanceof UnknownHostException
            || cause instanceof NoRouteToHostException);
  }

  /** Returns the wait before the retry after {@code attempt}, or empty to give up. */
  Optional<Duration> nextWait(
      OdpException failure, int attempt, boolean idempotent, Duration elapsed) {
    if (!config.getExceptionPredicate().test(failure)) {
      return Optional.empty();
    }
    if (!idempotent && !certainlyNotProcessed(failure)) {
      return Optional.empty();
    }
    if (attempt >= config.getMaxAttempts()) {
      return Optional.empty();
    }
    long millis = config.<Object>getIntervalBiFunction().apply(attempt, Either.left(failure));
    Duration wait = Duration.ofMillis(Math.max(0, millis));
    if (elapsed.plus(wait).compareTo(settings.totalBudget()) > 0) {
      return Optional.empty();
    }
    return Optional.of(wait);
  }

  private long intervalMillis(int attempt, Throwable failure) {
    Optional<Duration> asked = serverDelay(failure);
    if (asked.isPresent()) {
      return asked.get().toMillis();
    }
    long initial = settings.initialBackoff().toMillis();
    long cap = settings.maxBackoff().toMillis();
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    long ceiling = initial > (cap >> shift) ? cap : Math.min(cap, initial << shift);
    return settings.jitterMillis(ceiling);
  }

  private Optional<Duration> serverDelay(Throwable failure) {
    if (failure instanceof OdpRateLimitException r && r.retryAfter().isPresent()) {
      return r.retryAfter();
    }
    if (failure instanceof OdpApiException e) {
      List<String> values = e.headers().get("retry-after");
      if (values != null && !values.isEmpty()) {
        return RetryAfter.parse(values.get(0), clock.instant());
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "RetryPolicy{" + settings + "}";
  }
}
