package io.github.brazeodp.sync.inspect;

import java.util.Arrays;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/** Redacts configured secret strings, on top of the usual rules, before passing exchanges on. */
final class RedactingInspector implements EventInspector {
  private final EventInspector target;
  private final Redactor redactor;
  private final ThrottledLog log =
      new ThrottledLog(LoggerFactory.getLogger(RedactingInspector.class));

  RedactingInspector(EventInspector target, Redactor redactor) {
    this.target = Objects.requireNonNull(target, "target");
    this.redactor = redactor;
  }

  @Override
  public void record(InspectedExchange exchange) {
    try {
      target.record(redactor.redact(exchange));
    } catch (RuntimeException e) {
      log.warn("Event inspector failed; the request is unaffected", e);
    }
  }

  /** Adds to the secrets of this inspector rather than wrapping it again. */
  @Override
  public EventInspector withSecrets(String... secrets) {
    return new RedactingInspector(
        target, redactor.plus(Redactor.withSecrets(Arrays.asList(secrets))));
  }

  @Override
  public String toString() {
    return target + ".withSecrets([REDACTED])";
  }
}
