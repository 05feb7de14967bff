package io.github.brazeodp.sync.inspect;

import java.util.Objects;
import org.slf4j.LoggerFactory;

/** Passes each exchange to two inspectors, each shielded from the other's failure. */
final class TeeInspector implements EventInspector {
  private final EventInspector first;
  private final EventInspector second;
  private final ThrottledLog log = new ThrottledLog(LoggerFactory.getLogger(TeeInspector.class));

  TeeInspector(EventInspector first, EventInspector second) {
    this.first = Objects.requireNonNull(first, "first");
    this.second = Objects.requireNonNull(second, "second");
  }

  @Override
  public void record(InspectedExchange exchange) {
    InspectedExchange redacted;
    try {
      redacted = Redactor.DEFAULT.redactOnce(exchange);
    } catch (RuntimeException e) {
      log.warn("Event inspector failed; the request is unaffected", e);
      return;
    }
    deliver(first, redacted);
    deliver(second, redacted);
  }

  private void deliver(EventInspector target, InspectedExchange exchange) {
    try {
      target.record(exchange);
    } catch (RuntimeException e) {
      log.warn("Event inspector " + target + " failed; the request is unaffected", e);
    }
  }

  @Override
  public String toString() {
    return "EventInspector.tee(" + first + ", " + second + ")";
  }
}
