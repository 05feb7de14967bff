package io.github.brazeodp.sync.inspect;

import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.odp.OdpEventListener;
import io.github.brazeodp.sync.inspect.InspectedExchange.Source;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Sees every request and response exchanged with Braze, ODP and the Currents receiver, with
 * credentials redacted: the integration's event inspector for troubleshooting.
 *
 * <pre>{@code
 * RingBufferInspector recent = EventInspector.ringBuffer(200);
 * EventInspector inspector = recent.withSecrets(brazeKey, odpKey);
 * BrazeClient braze = BrazeClient.builder().apiKey(brazeKey)
 *     .eventListener(inspector.brazeListener()).build();
 * OdpClient odp = OdpClient.builder().apiKey(odpKey)
 *     .eventListener(inspector.odpListener()).build();
 * ...
 * recent.snapshot().stream().filter(InspectedExchange::failed).forEach(System.out::println);
 * }</pre>
 *
 * <p><b>Redaction.</b> Every inspector built here redacts what it receives before looking at it or
 * keeping it, without trusting the clients' own redaction: values of headers whose name contains
 * {@code token}, {@code secret}, {@code key}, {@code authorization} or {@code cookie} ({@code
 * Bearer [REDACTED]} keeps the scheme); JSON fields named like {@code api_key}, {@code apiKey},
 * {@code token}, {@code password}, {@code secret}, at any depth and whatever the value's type;
 * query parameters with such names and presigned-URL signatures ({@code X-Amz-Signature}, {@code
 * X-Amz-Credential}, {@code Signature}, {@code sig}), in the URL and inside bodies; bearer tokens,
 * {@code user:password@} and {@code api_key=...} in any text; and the secret strings given to
 * {@link #withSecrets}, so that a key a server echoes back in a body is caught too. See {@link
 * #redact}.
 *
 * <p><b>Failures.</b> An inspector never breaks a request: the listeners, filters, tees and sinks
 * here catch their own failures (and those of inspectors and predicates they call) and log them
 * through SLF4J at most once a minute each.
 *
 * <p>Implementations must be thread-safe: the clients call {@link #record} on the thread that made
 * the request, from many threads at once, and the call sits inside the request, so keep it quick.
 */
@FunctionalInterface
public interface EventInspector {
  /**
   * Receives one exchange. The Currents receiver and other reporters call this directly; the
   * clients reach it through {@link #brazeListener()} and {@link #odpListener()}.
   */
  void record(InspectedExchange exchange);

  /**
   * Returns a listener for {@code BrazeClient.builder().eventListener(...)} that converts each
   * attempt, redacts it and records it here.
   */
  default BrazeEventListener brazeListener() {
    return new Listeners.Braze(this);
  }

  /**
   * Returns a listener for {@code OdpClient.builder().eventListener(...)} that converts each
   * attempt, redacts it and records it here. ODP does not report a start time, so the exchange's
   * time is the moment it was reported minus its duration.
   */
  default OdpEventListener odpListener() {
    return new Listeners.Odp(this, Clock.systemUTC());
  }

  /**
   * Returns an inspector that also redacts each of {@code secrets} (and its URL-encoded form)
   * wherever it appears before passing exchanges on to this one. Pass the API keys and Currents
   * tokens in use, so a server that echoes one in a body cannot leak it; apply it outermost, so
   * every branch of a {@link #tee} benefits.
   *
   * @throws IllegalArgumentException if a secret is shorter than 6 characters (it would blank
   *     ordinary text)
   * @throws NullPointerException if a secret is null
   */
  default EventInspector withSecrets(String... secrets) {
    return new RedactingInspector(this, Redactor.withSecrets(Arrays.asList(secrets)));
  }

  /**
   * Returns {@code exchange} with credentials redacted by the rules described on {@link
   * EventInspector}; for reporters that hand exchanges to code outside the inspector.
   */
  static InspectedExchange redact(InspectedExchange exchange) {
    return Redactor.DEFAULT.redact(Objects.requireNonNull(exchange, "exchange"));
  }

  /**
   * Returns the default inspector: the latest {@code capacity} exchanges in memory, oldest dropped
   * first. Memory is bounded by capacity times the clients' body caps (64 KiB per body by default),
   * so keep the capacity in the hundreds.
   *
   * @throws IllegalArgumentException if {@code capacity} is below 1
   */
  static RingBufferInspector ringBuffer(int capacity) {
    return new RingBufferInspector(capacity);
  }

  /**
   * Returns an inspector that appends each exchange to {@code file} as one JSON object per line,
   * written through to the file at once. The file is created owner-only where the file system
   * allows; close the inspector when done.
   *
   * @throws IOException if the file cannot be opened for appending
   */
  static JsonLinesInspector jsonLines(Path file) throws IOException {
    return JsonLinesInspector.open(file);
  }

  /**
   * Returns an inspector that passes on to {@code target} only the exchanges {@code filter}
   * accepts. A filter that throws drops the exchange.
   */
  static EventInspector filtered(
      EventInspector target, Predicate<? super InspectedExchange> filter) {
    return new FilteredInspector(target, filter);
  }

  /**
   * Returns an inspector that passes each exchange to {@code first}, then to {@code second}; one
   * failing does not keep the exchange from the other.
   */
  static EventInspector tee(EventInspector first, EventInspector second) {
    return new TeeInspector(first, second);
  }

  /** Returns a filter accepting exchanges that got no response or a status of 400 or above. */
  static Predicate<InspectedExchange> onlyFailures() {
    return InspectedExchange::failed;
  }

  /** Returns a filter accepting exchanges from {@code source}. */
  static Predicate<InspectedExchange> onlySource(Source source) {
    Objects.requireNonNull(source, "source");
    return exchange -> exchange.source() == source;
  }

  /**
   * Returns a filter accepting exchanges whose request body has a JSON key, at any depth, starting
   * with {@code prefix}: with the Braze prefix ({@code "_braze"} matches the default {@code
   * _braze_}) it keeps the payloads that carry Braze data into ODP.
   *
   * @throws IllegalArgumentException if {@code prefix} is empty
   */
  static Predicate<InspectedExchange> onlyFieldsStartingWith(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("prefix must not be empty");
    }
    return exchange -> JsonScan.anyKey(exchange.requestBody(), key -> key.startsWith(prefix));
  }
}
