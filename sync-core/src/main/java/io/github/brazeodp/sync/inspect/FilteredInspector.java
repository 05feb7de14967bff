package io.github.brazeodp.sync.inspect;

import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** Passes on only the exchanges a predicate accepts. */
final class FilteredInspector implements EventInspector {
  private final EventInspector target;
  private final Predicate<? super InspectedExchange> filter;
  private final ThrottledLog log =
      new ThrottledLog(LoggerFactory.getLogger(FilteredInspector.class));

  FilteredInspector(EventInspector target, Predicate<? super InspectedExchange> filter) {
    this.target = Objects.requireNonNull(target, "target");
    this.filter = Objects.requireNonNull(filter, "filter");
  }

  @Override
  public void record(InspectedExchange exchange) {
    try {
      // Redacted before the predicate sees it: a host's predicate may well log what it rejects.
      InspectedExchange redacted = Redactor.DEFAULT.redactOnce(exchange);
      if (filter.test(redacted)) {
        target.record(redacted);
      }
    } catch (RuntimeException e) {
      log.warn("Event inspector filter failed; the exchange is dropped, the request unaffected", e);
    }
  }

  @Override
  public String toString() {
    return "EventInspector.filtered(" + target + ")";
  }
}
