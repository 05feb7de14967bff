package io.github.brazeodp.sync.inspect;

import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.braze.BrazeExchange;
import io.github.brazeodp.odp.OdpEventListener;
import io.github.brazeodp.odp.OdpExchange;
import io.github.brazeodp.sync.inspect.InspectedExchange.Source;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/** The client listeners behind {@link EventInspector#brazeListener()} and {@code odpListener()}. */
final class Listeners {
  private Listeners() {}

  static InspectedExchange fromBraze(BrazeExchange e) {
    return new InspectedExchange(
        e.startedAt(),
        Source.BRAZE,
        e.method(),
        e.url(),
        e.endpoint(),
        Math.max(1, e.attempt()),
        e.status(),
        e.duration() == null ? Duration.ZERO : e.duration(),
        e.requestHeaders(),
        e.requestBody(),
        e.responseHeaders(),
        e.responseBody(),
        e.error());
  }

  static InspectedExchange fromOdp(OdpExchange e, Instant reportedAt) {
    Duration duration = e.duration() == null ? Duration.ZERO : e.duration();
    return new InspectedExchange(
        reportedAt.minus(duration),
        Source.ODP,
        e.method(),
        e.url(),
        Objects.requireNonNullElse(e.endpoint(), ""),
        Math.max(1, e.attempt()),
        e.status(),
        duration,
        e.requestHeaders(),
        e.requestBody(),
        e.responseHeaders(),
        e.responseBody(),
        e.error());
  }

  /** Converts, redacts and records Braze attempts. */
  static final class Braze implements BrazeEventListener {
    private final EventInspector target;
    private final ThrottledLog log = new ThrottledLog(LoggerFactory.getLogger(Braze.class));

    Braze(EventInspector target) {
      this.target = Objects.requireNonNull(target, "target");
    }

    @Override
    public void onExchange(BrazeExchange exchange) {
      try {
        target.record(Redactor.DEFAULT.redactOnce(fromBraze(exchange)));
      } catch (RuntimeException e) {
        log.warn("Event inspector failed on a Braze exchange; the request is unaffected", e);
      }
    }

    @Override
    public String toString() {
      return "EventInspector.brazeListener(" + target + ")";
    }
  }

  /** Converts, redacts and records ODP attempts. */
  static final class Odp implements OdpEventListener {
    private final EventInspector target;
    private final Clock clock;
    private final ThrottledLog log = new ThrottledLog(LoggerFactory.getLogger(Odp.class));

    Odp(EventInspector target, Clock clock) {
      this.target = Objects.requireNonNull(target, "target");
      this.clock = clock;
    }

    @Override
    public void onExchange(OdpExchange exchange) {
      try {
        target.record(Redactor.DEFAULT.redactOnce(fromOdp(exchange, clock.instant())));
      } catch (RuntimeException e) {
        log.warn("Event inspector failed on an ODP exchange; the request is unaffected", e);
      }
    }

    @Override
    public String toString() {
      return "EventInspector.odpListener(" + target + ")";
    }
  }
}
