package io.github.brazeodp.sync.currents;

import com.squareup.moshi.JsonWriter;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.inspect.EventInspector;
import io.github.brazeodp.sync.inspect.InspectedExchange;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.OutboxSize;
import io.github.brazeodp.sync.state.ParkedEvent;
import io.github.brazeodp.sync.state.StateWriter;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Braze Currents' HTTP posts ("Custom Currents Export"): checks the bearer token, reads the
 * batch, turns each event into an ODP event, de-duplicates by Currents id and queues the new ones
 * durably for the {@link CurrentsForwarder}, and only then acknowledges.
 *
 * <p>Framework-agnostic: hosts pass the request headers (a {@link RequestHeaders} lookup such as
 * {@code request::getHeader}, or a map with names in any case) and body to {@link #handle} and copy
 * the {@link CurrentsResponse} onto their HTTP response. Hosts on the open internet call {@link
 * #precheck} first, so that a wrong token or an oversized declared body is refused before any byte
 * of the body is read. Thread-safe.
 *
 * <p>Statuses, following Braze's retry rules (2xx: done; 400: split into single events, resent,
 * dropped if refused again; 401/403: delivery stops until fixed; 413: split and resent; 429/5xx:
 * resent with backoff):
 *
 * <table>
 *   <caption>Receiver answers</caption>
 *   <tr><th>Status</th><th>When</th></tr>
 *   <tr><td>401</td><td>the {@code Authorization: Bearer} token is missing or matches none of the
 *       configured tokens, also for an empty batch (Braze checks credentials that way)</td></tr>
 *   <tr><td>413</td><td>the body (declared or read, and after gzip decoding) is over {@code
 *       maxBodyBytes}, or holds more than {@code maxEvents} events</td></tr>
 *   <tr><td>415</td><td>a {@code Content-Encoding} other than {@code gzip} or {@code
 *       identity}</td></tr>
 *   <tr><td>400</td><td>the body is not UTF-8, not JSON, not an object, has no {@code events} or
 *       its {@code events} is not an array, is not valid gzip; or every event of the batch is
 *       invalid</td></tr>
 *   <tr><td>200</td><td>every valid event is durably queued (or was already, a duplicate);
 *       invalid and unmatched events are listed in the body and counted</td></tr>
 *   <tr><td>503</td><td>the outbox is at its bound or the state store failed: nothing of the
 *       batch was kept, Braze resends it later; with a {@link CurrentsSink} (see {@link
 *       Builder#sink}): the sink did not confirm every event</td></tr>
 * </table>
 *
 * <p><b>Partly bad batches get 200.</b> An invalid event (no {@code id} or {@code event_type},
 * {@code time} not a number, over 900 KB, nested too deeply) would be dropped by Braze anyway after
 * a 400 (split, resent alone, refused again), so answering 400 for a batch with valid events only
 * costs Braze a hundred single-event requests. The receiver queues the valid events, answers 200
 * and lists the rejected ones in the body, the counters and the activity log. A batch with no valid
 * event at all gets 400, so Braze's own error reporting sees it.
 *
 * <p>An event with no identifier ODP can use is <em>unmatched</em>: ODP would refuse it, so it is
 * counted, listed by Currents id and not queued. {@code Braze-Currents-Version} other than {@code
 * 1} (or missing) is logged once per value and otherwise ignored.
 *
 * <pre>{@code
 * CurrentsForwarder forwarder = CurrentsForwarder.builder().odp(odp).state(store).build();
 * CurrentsReceiver receiver = CurrentsReceiver.builder()
 *     .tokens(System.getenv("CURRENTS_TOKEN"))
 *     .forwarder(forwarder)
 *     .build();
 * forwarder.start();
 * // in the HTTP handler of POST /currents:
 * CurrentsResponse r = receiver.handle(request::getHeader, bodyBytes);
 * }</pre>
 */
public final class CurrentsReceiver {
  private static final Logger log = LoggerFactory.getLogger(CurrentsReceiver.class);

  /** The {@code Braze-Currents-Version} this receiver was written for. */
  public static final String KNOWN_VERSION = "1";

  private static final int MAX_LISTED = 100;
  private static final int INSPECTED_BODY_CHARS = 64 * 1024;
  private static final Duration PURGE_EVERY = Duration.ofHours(1);
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
  private static final List<String> INSPECTED_HEADERS =
      List.of(
          "Authorization",
          "Braze-Currents-Version",
          "Content-Type",
          "Content-Encoding",
          "Content-Length",
          "User-Agent");

  private final List<byte[]> tokenHashes;
  private final CurrentsForwarder forwarder;
  private final CurrentsSink sink;
  private final SyncStateStore state;
  private final Counters counters;
  private final CurrentsTransformer transformer;
  private final JsonTree parser;
  private final long maxBodyBytes;
  private final long maxOutboxMessages;
  private final long maxOutboxBytes;
  private final Duration dedupeWindow;
  private final Duration retryAfter;
  private final Clock clock;
  private final EventInspector inspector;
  private final String endpoint;
  private final Set<String> versionsWarned = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Instant> lastPurge = new AtomicReference<>();
  private final Object commitLock = new Object();
  // Guarded by commitLock.
  private final List<Pending> waiting = new ArrayList<>();
  private boolean committing;

  private CurrentsReceiver(Builder b) {
    if (b.tokens.isEmpty()) {
      throw new IllegalArgumentException("at least one bearer token is required");
    }
    this.forwarder = Objects.requireNonNull(b.forwarder, "forwarder");
    this.sink = b.sink;
    List<byte[]> hashes = new ArrayList<>();
    for (String t : b.tokens) {
      hashes.add(sha256(t));
    }
    this.tokenHashes = List.copyOf(hashes);
    this.state = forwarder.state();
    this.counters = forwarder.counters();
    CurrentsTransformer.Builder tb =
        b.transformer != null
            ? b.transformer.newBuilder()
            : CurrentsTransformer.builder().identityMap(state);
    if (b.prefix != null) {
      tb.prefix(b.prefix);
    }
    if (b.identity != null) {
      tb.identity(b.identity);
    }
    this.transformer = tb.build();
    this.parser = transformer.parser(b.maxEvents);
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxOutboxMessages = b.maxOutboxMessages;
    this.maxOutboxBytes = b.maxOutboxBytes;
    this.dedupeWindow = b.dedupeWindow;
    this.retryAfter = b.retryAfter;
    this.clock = b.clock != null ? b.clock : forwarder.clock();
    this.inspector = b.inspector;
    this.endpoint = b.endpoint;
  }

  /**
   * Returns a builder; at least one token and the forwarder are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the transformer the receiver applies to each event.
   *
   * @return the transformer
   */
  public CurrentsTransformer transformer() {
    return transformer;
  }

  /**
   * Returns the largest body accepted; hosts read at most one byte more from the request, so that
   * an oversized post never costs more memory than that.
   *
   * @return the limit in bytes
   */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * Returns the outbox bound in messages past which batches are answered 503.
   *
   * @return the bound
   */
  public long maxOutboxMessages() {
    return maxOutboxMessages;
  }

  /**
   * Returns the outbox bound in payload bytes past which batches are answered 503.
   *
   * @return the bound
   */
  public long maxOutboxBytes() {
    return maxOutboxBytes;
  }

  /**
   * Returns the counters shared with the forwarder.
   *
   * @return a snapshot of the counters
   */
  public CurrentsCounts counts() {
    return counters.snapshot();
  }

  /**
   * Handles one post from Braze Currents.
   *
   * @param headers the request headers; names are matched ignoring case
   * @param body the request body as received
   * @return the answer to send back; never throws for bad input or a failing store
   */
  public CurrentsResponse handle(Map<String, List<String>> headers, byte[] body) {
    Objects.requireNonNull(headers, "headers");
    return handle(RequestHeaders.of(headers), body);
  }

  /**
   * Handles one post from Braze Currents, the headers read through any server's own lookup (see
   * {@link RequestHeaders}).
   *
   * @param headers the request headers
   * @param body the request body as received (compressed when {@code Content-Encoding: gzip})
   * @return the answer to send back; never throws for bad input or a failing store
   */
  public CurrentsResponse handle(RequestHeaders headers, byte[] body) {
    Objects.requireNonNull(headers, "headers");
    byte[] bytes = body == null ? new byte[0] : body;
    Instant start = clock.instant();
    CurrentsResponse response;
    try {
      response = precheck(headers).orElseGet(() -> process(headers, bytes));
    } catch (RuntimeException e) {
      // A bug or a failing store: never acknowledge what may not be kept; Braze resends later.
      log.error("Currents batch failed; answering 503 so that Braze resends it", e);
      counters.refusedBatches.incrementAndGet();
      response = unavailable("the receiver failed: " + e);
    }
    inspect(headers, bytes, response, start);
    return response;
  }

  /**
   * Checks what the headers alone decide, so that a host can refuse a request before reading any
   * byte of its body: a missing or wrong token (401), a {@code Content-Encoding} other than gzip
   * (415) and a declared {@code Content-Length} over {@link #maxBodyBytes()} (413). {@link #handle}
   * makes the same checks; calling this first only saves reading the body.
   *
   * @param headers the request headers
   * @return the answer to send without reading the body, or empty when the body is to be read
   */
  public Optional<CurrentsResponse> precheck(RequestHeaders headers) {
    Objects.requireNonNull(headers, "headers");
    String auth = headers.first("Authorization");
    if (auth == null || auth.isBlank()) {
      counters.unauthorized.incrementAndGet();
      return Optional.of(unauthorized("missing bearer token (Authorization: Bearer <token>)"));
    }
    if (!authorized(auth)) {
      counters.unauthorized.incrementAndGet();
      return Optional.of(unauthorized("invalid bearer token"));
    }
    String encoding = encoding(headers);
    if (encoding != null && !encoding.equals("gzip")) {
      return Optional.of(
          error(
              415,
              "Content-Encoding "
                  + encoding
                  + " is not supported; send the body as is or with gzip"));
    }
    String length = headers.first("Content-Length");
    if (length != null) {
      try {
        long declared = Long.parseLong(length.strip());
        if (declared > maxBodyBytes) {
          return Optional.of(tooLarge("body", declared));
        }
      } catch (NumberFormatException e) {
        return Optional.of(error(400, "Content-Length " + length + " is not a number"));
      }
    }
    return Optional.empty();
  }

  /** Returns the content coding in lower case, or null when there is none or it is identity. */
  private static String encoding(RequestHeaders headers) {
    String value = headers.first("Content-Encoding");
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    return v.equals("identity") ? null : v.equals("x-gzip") ? "gzip" : v;
  }

  private CurrentsResponse tooLarge(String what, long bytes) {
    return error(
        413,
        "the "
            + what
            + " of "
            + bytes
            + " bytes is over the limit of "
            + maxBodyBytes
            + "; send smaller batches");
  }

  private CurrentsResponse process(RequestHeaders headers, byte[] received) {
    checkVersion(headers.first("Braze-Currents-Version"));
    if (received.length > maxBodyBytes) {
      return tooLarge("body", received.length);
    }
    byte[] body = received;
    if ("gzip".equals(encoding(headers))) {
      try {
        body = gunzip(received, maxBodyBytes);
      } catch (BombException e) {
        return error(
            413,
            "the gzip body decompresses to more than "
                + maxBodyBytes
                + " bytes; send smaller batches");
      } catch (IOException e) {
        return error(400, "the body is not valid gzip: " + e.getMessage());
      }
    }
    int bad = Utf8.firstInvalid(body);
    if (bad >= 0) {
      return error(400, "the body is not valid UTF-8 (byte offset " + bad + ")");
    }
    if (isBlank(body)) {
      return ok(0, 0, 0, List.of(), List.of());
    }
    List<JsonTree.ParsedEvent> parsed;
    try {
      parsed = parser.parseBatch(body);
    } catch (JsonTree.BatchException e) {
      return error(e.status(), e.getMessage());
    }
    maybePurge();
    return accept(parsed);
  }

  private static final class BombException extends IOException {
    private static final long serialVersionUID = 1L;

    BombException() {
      super("decompressed size over the limit", null);
    }
  }

  /** Inflates at most {@code max} bytes; never allocates more than that however small the input. */
  private static byte[] gunzip(byte[] gzip, long max) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 8192)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(gzip.length * 4, 1 << 20));
      byte[] chunk = new byte[8192];
      long total = 0;
      for (int n; (n = in.read(chunk)) > 0; ) {
        total += n;
        if (total > max) {
          throw new BombException();
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (java.util.zip.ZipException | EOFException e) {
      throw new IOException(e.getMessage() == null ? "truncated" : e.getMessage(), e);
    }
  }

  private record Rejected(int index, String id, String reason) {}

  private CurrentsResponse accept(List<JsonTree.ParsedEvent> parsed) {
    counters.received.addAndGet(parsed.size());
    List<Rejected> rejected = new ArrayList<>();
    List<String> unmatched = new ArrayList<>();
    List<ParkedEvent> toPark = new ArrayList<>();
    Map<String, OutboxMessage> candidates = new LinkedHashMap<>();
    Map<String, String> sinkKeys = sink == null ? Map.of() : new LinkedHashMap<>();
    int duplicatesInBatch = 0;
    long truncated = 0;
    Instant now = clock.instant();
    List<Map<String, ?>> readable = new ArrayList<>(parsed.size());
    for (JsonTree.ParsedEvent p : parsed) {
      if (p.problem() == null) {
        readable.add(p.fields());
      }
    }
    CurrentsTransformer.Known known = transformer.known(readable);
    for (JsonTree.ParsedEvent p : parsed) {
      String where = "events[" + p.index() + "]";
      if (p.problem() != null) {
        rejected.add(new Rejected(p.index(), null, where + ": " + p.problem()));
        continue;
      }
      TransformedEvent t;
      try {
        t = transformer.transform(p.fields(), where, known);
      } catch (InvalidCurrentsEventException e) {
        Object id = p.fields().get("id");
        rejected.add(new Rejected(p.index(), id instanceof String s ? s : null, e.getMessage()));
        continue;
      }
      if (!t.matched()) {
        unmatched.add(t.currentsId());
        ParkedEvent parkable = parkable(p.fields(), t, now);
        if (parkable != null) {
          toPark.add(parkable);
        }
        continue;
      }
      if (candidates.containsKey(t.currentsId())) {
        duplicatesInBatch++;
        continue;
      }
      truncated += t.truncatedFields();
      if (sink != null) {
        sinkKeys.put(t.currentsId(), sinkKey(p.fields(), t));
      }
      // The outbox keeps the row the forwarder will send; a sink's readers expect the JSON form.
      String payload =
          sink == null ? forwarder.outboxPayload(t.event()) : OutboxCodec.encode(t.event());
      candidates.put(t.currentsId(), new OutboxMessage(t.currentsId(), payload, now));
    }

    if (!toPark.isEmpty()) {
      // Before the queue write: if parking fails the batch gets 503 and Braze resends all of it.
      counters.parked.addAndGet(state.park(toPark));
    }
    int[] fresh = new int[1];
    if (sink != null && !candidates.isEmpty()) {
      try {
        fresh[0] = appendToSink(candidates, sinkKeys);
      } catch (RuntimeException e) {
        counters.refusedBatches.incrementAndGet();
        counters.received.addAndGet(-parsed.size());
        log.warn("Currents sink did not take the batch; answering 503: {}", e.toString());
        return unavailable(
            "the event log did not take the batch (" + e.getMessage() + "); resend later");
      }
    } else if (!candidates.isEmpty()) {
      long newBytes = 0;
      for (OutboxMessage m : candidates.values()) {
        newBytes += m.sizeInBytes();
      }
      long bytes = newBytes;
      try {
        fresh[0] = queueDurably(candidates, bytes, now);
      } catch (OutboxFullException e) {
        counters.refusedBatches.incrementAndGet();
        counters.received.addAndGet(-parsed.size());
        log.warn(
            "Currents outbox is full ({} messages, {} bytes); answering 503",
            e.size.messages(),
            e.size.bytes());
        return unavailable(
            "the outbox is full ("
                + e.size.messages()
                + " events, "
                + e.size.bytes()
                + " bytes) while ODP catches up; resend later");
      }
    }
    int duplicates = candidates.size() - fresh[0] + duplicatesInBatch;
    counters.queued.addAndGet(fresh[0]);
    counters.duplicates.addAndGet(duplicates);
    counters.unmatched.addAndGet(unmatched.size());
    counters.rejected.addAndGet(rejected.size());
    counters.truncatedFields.addAndGet(truncated);
    for (Rejected r : rejected) {
      counters.problem(r.reason(), r.id());
    }
    for (String id : unmatched) {
      counters.problem("unmatched: no identifier for ODP (no email, phone or known Braze id)", id);
    }
    if (fresh[0] > 0) {
      forwarder.kick();
    }
    if (!rejected.isEmpty() && fresh[0] == 0 && duplicates == 0 && unmatched.isEmpty()) {
      return body(400, fresh[0], duplicates, rejected, unmatched, "no event of the batch is valid");
    }
    return ok(fresh[0], duplicates, parsed.size(), rejected, unmatched);
  }

  /**
   * Hands the batch to the sink; every event counts as queued, since the sink's reader drops ids it
   * already delivered (marking them here, before delivery, would lose the events of a batch the
   * sink then failed to keep).
   */
  private int appendToSink(Map<String, OutboxMessage> candidates, Map<String, String> keys) {
    List<CurrentsSink.Event> events = new ArrayList<>(candidates.size());
    for (OutboxMessage m : candidates.values()) {
      events.add(new CurrentsSink.Event(m.id(), keys.get(m.id()), m.payload()));
    }
    sink.append(events);
    return events.size();
  }

  /** The user an event belongs to, stable across its events: Braze id, external id, identifier. */
  private static String sinkKey(Map<String, ?> fields, TransformedEvent t) {
    if (fields.get("user") instanceof Map<?, ?> user) {
      if (user.get("user_id") instanceof String s && !s.isBlank()) {
        return s.strip();
      }
      if (user.get("external_user_id") instanceof String s && !s.isBlank()) {
        return "external:" + s.strip();
      }
    }
    // The smallest identifier name, so that every receiver picks the same one.
    Map.Entry<String, String> first = new TreeMap<>(t.event().identifiers()).firstEntry();
    return first.getKey() + ":" + first.getValue();
  }

  /** Returns the event to park under its user's Braze ids, or null when it names no user. */
  private static ParkedEvent parkable(Map<String, ?> fields, TransformedEvent t, Instant now) {
    if (!(fields.get("user") instanceof Map<?, ?> user)) {
      return null;
    }
    String brazeId = user.get("user_id") instanceof String s && !s.isBlank() ? s.strip() : null;
    String externalId =
        user.get("external_user_id") instanceof String s && !s.isBlank() ? s.strip() : null;
    if (brazeId == null && externalId == null) {
      return null;
    }
    return new ParkedEvent(t.currentsId(), OutboxCodec.encode(t.event()), brazeId, externalId, now);
  }

  /** One request's events waiting for a group commit; fields are published under commitLock. */
  private static final class Pending {
    final Map<String, OutboxMessage> candidates;
    final long bytes;
    final Instant now;
    boolean done;
    int fresh;
    RuntimeException failure;

    Pending(Map<String, OutboxMessage> candidates, long bytes, Instant now) {
      this.candidates = candidates;
      this.bytes = bytes;
      this.now = now;
    }
  }

  /**
   * Marks the events seen and queues the new ones durably, sharing one commit (one fsync) with the
   * requests that arrive meanwhile: the first request to find no commit running commits for every
   * request waiting, the others wait for it. A request alone commits at once, so nothing waits for
   * a timer; under load, one fsync covers many requests. Each request is a nested unit of the
   * group: an outbox bound reached by one is undone for that one only.
   *
   * @return how many events of the request were new
   */
  private int queueDurably(Map<String, OutboxMessage> candidates, long bytes, Instant now) {
    Pending mine = new Pending(candidates, bytes, now);
    List<Pending> group = null;
    boolean interrupted = false;
    synchronized (commitLock) {
      waiting.add(mine);
      while (!mine.done && committing) {
        try {
          commitLock.wait();
        } catch (InterruptedException e) {
          // The request is in the group already; its answer must reflect the commit.
          interrupted = true;
        }
      }
      if (!mine.done) {
        committing = true;
        group = new ArrayList<>(waiting);
        waiting.clear();
      }
    }
    if (group != null) {
      try {
        commitGroup(group);
      } finally {
        synchronized (commitLock) {
          for (Pending p : group) {
            p.done = true;
          }
          committing = false;
          commitLock.notifyAll();
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
    return mine.fresh;
  }

  private void commitGroup(List<Pending> group) {
    try {
      state.transaction(
          tx -> {
            // The outbox is measured once per group (a scan of the table), then counted along.
            long[] size = null;
            for (Pending p : group) {
              try {
                if (size == null) {
                  OutboxSize before = state.outboxSize();
                  size = new long[] {before.messages(), before.bytes()};
                }
                long[] current = size;
                // Marked seen and queued in one unit: a crash cannot mark an event seen without
                // queuing it, nor queue it twice.
                p.fresh = state.transactionResult(inner -> queue(inner, p, current));
              } catch (OutboxFullException e) {
                p.failure = e;
              }
            }
          });
    } catch (RuntimeException e) {
      for (Pending p : group) {
        p.fresh = 0;
        if (p.failure == null) {
          p.failure = e;
        }
      }
    } catch (Error e) {
      for (Pending p : group) {
        p.fresh = 0;
        p.failure = new IllegalStateException("the group commit failed: " + e, e);
      }
      throw e;
    }
  }

  /**
   * Queues one request's new events within the group's transaction.
   *
   * @param size the outbox's messages and bytes so far in this group, updated when this succeeds
   */
  private int queue(StateWriter tx, Pending p, long[] size) {
    Set<String> news = tx.markSeen(p.candidates.keySet(), p.now);
    if (news.isEmpty()) {
      return 0;
    }
    long addBytes = news.size() == p.candidates.size() ? p.bytes : bytesOf(p.candidates, news);
    if (size[0] + news.size() > maxOutboxMessages || size[1] + addBytes > maxOutboxBytes) {
      throw new OutboxFullException(new OutboxSize(size[0], size[1]));
    }
    List<OutboxMessage> queue = new ArrayList<>(news.size());
    for (String id : news) {
      queue.add(p.candidates.get(id));
    }
    // The ids were new to markSeen just now: the store keeps the request's events together.
    tx.enqueueNew(queue);
    size[0] += queue.size();
    size[1] += addBytes;
    return queue.size();
  }

  private static long bytesOf(Map<String, OutboxMessage> candidates, Set<String> ids) {
    long n = 0;
    for (String id : ids) {
      n += candidates.get(id).sizeInBytes();
    }
    return n;
  }

  private static final class OutboxFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient OutboxSize size;

    OutboxFullException(OutboxSize size) {
      super("outbox full", null, false, false);
      this.size = size;
    }
  }

  private void maybePurge() {
    Instant now = clock.instant();
    Instant last = lastPurge.get();
    if (last != null && now.isBefore(last.plus(PURGE_EVERY))) {
      return;
    }
    if (!lastPurge.compareAndSet(last, now)) {
      return;
    }
    try {
      long n = state.purgeSeenBefore(now.minus(dedupeWindow));
      if (n > 0) {
        log.debug("forgot {} Currents ids older than {}", n, dedupeWindow);
      }
    } catch (RuntimeException e) {
      log.warn("could not purge old Currents ids: {}", e.toString());
    }
  }

  // ---- authentication and headers ------------------------------------------------------------

  private boolean authorized(String header) {
    String value = header.strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
      return false;
    }
    byte[] presented = sha256(value.substring(space + 1).strip());
    boolean match = false;
    // Every token is compared, in constant time, so timing reveals neither which one matched.
    for (byte[] expected : tokenHashes) {
      match |= MessageDigest.isEqual(expected, presented);
    }
    return match;
  }

  private void checkVersion(String version) {
    String v = version == null ? "(missing)" : version.strip();
    if (v.equals(KNOWN_VERSION) || versionsWarned.size() > 16 || !versionsWarned.add(v)) {
      return;
    }
    log.warn(
        "Braze-Currents-Version {} is not the known version {}; processing the batch anyway",
        v,
        KNOWN_VERSION);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  // ---- responses ------------------------------------------------------------------------------

  private CurrentsResponse ok(
      int queued, int duplicates, int received, List<Rejected> rejected, List<String> unmatched) {
    return body(200, queued, duplicates, rejected, unmatched, null, received);
  }

  private CurrentsResponse body(
      int status,
      int queued,
      int duplicates,
      List<Rejected> rejected,
      List<String> unmatched,
      String error) {
    return body(status, queued, duplicates, rejected, unmatched, error, -1);
  }

  private CurrentsResponse body(
      int status,
      int queued,
      int duplicates,
      List<Rejected> rejected,
      List<String> unmatched,
      String error,
      int received) {
    Buffer out = new Buffer();
    try (JsonWriter w = JsonWriter.of(out)) {
      w.beginObject();
      if (error != null) {
        w.name("error").value(error);
      }
      if (received >= 0) {
        w.name("received").value(received);
      }
      w.name("queued").value(queued);
      w.name("duplicates").value(duplicates);
      w.name("unmatched").value(unmatched.size());
      w.name("rejected").value(rejected.size());
      if (!unmatched.isEmpty()) {
        w.name("unmatched_ids").beginArray();
        for (String id : unmatched.subList(0, Math.min(MAX_LISTED, unmatched.size()))) {
          w.value(id);
        }
        w.endArray();
      }
      if (!rejected.isEmpty()) {
        w.name("rejections").beginArray();
        for (Rejected r : rejected.subList(0, Math.min(MAX_LISTED, rejected.size()))) {
          w.beginObject().name("index").value(r.index());
          if (r.id() != null) {
            w.name("id").value(r.id());
          }
          w.name("reason").value(r.reason()).endObject();
        }
        w.endArray();
      }
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CurrentsResponse(status, JSON, out.readUtf8());
  }

  private static CurrentsResponse error(int status, String reason) {
    return error(status, reason, JSON);
  }

  private static CurrentsResponse error(int status, String reason, Map<String, String> headers) {
    Buffer out = new Buffer();
    try (JsonWriter w = JsonWriter.of(out)) {
      w.beginObject().name("error").value(reason).endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CurrentsResponse(status, headers, out.readUtf8());
  }

  private static CurrentsResponse unauthorized(String reason) {
    return error(
        401,
        reason,
        Map.of(
            "Content-Type",
            "application/json",
            "WWW-Authenticate",
            "Bearer realm=\"braze-currents\""));
  }

  private CurrentsResponse unavailable(String reason) {
    return error(
        503,
        reason,
        Map.of(
            "Content-Type",
            "application/json",
            "Retry-After",
            Long.toString(retryAfter.toSeconds())));
  }

  // ---- inspector ------------------------------------------------------------------------------

  private void inspect(
      RequestHeaders headers, byte[] body, CurrentsResponse response, Instant start) {
    if (inspector == null) {
      return;
    }
    try {
      // A lookup cannot list the headers; show the ones that decide the answer.
      Map<String, List<String>> shown = new LinkedHashMap<>();
      for (String name : INSPECTED_HEADERS) {
        String value = headers.first(name);
        if (value != null) {
          shown.put(name, List.of(name.equals("Authorization") ? "Bearer [REDACTED]" : value));
        }
      }
      int chars = Math.min(body.length, INSPECTED_BODY_CHARS);
      String text = new String(body, 0, chars, StandardCharsets.UTF_8);
      Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
      response.headers().forEach((k, v) -> responseHeaders.put(k, List.of(v)));
      InspectedExchange exchange =
          InspectedExchange.builder(InspectedExchange.Source.CURRENTS, "POST", endpoint)
              .time(start)
              .endpoint(endpoint)
              .status(response.status())
              .duration(Duration.between(start, clock.instant()))
              .request(shown, text)
              .response(responseHeaders, response.body())
              .build();
      inspector.record(EventInspector.redact(exchange));
    } catch (RuntimeException e) {
      // The inspector is for troubleshooting; it must never break a delivery.
      log.debug("Currents inspector failed: {}", e.toString());
    }
  }

  /** Builds {@link CurrentsReceiver}s. */
  public static final class Builder {
    private final Set<String> tokens = new HashSet<>();
    private CurrentsForwarder forwarder;
    private CurrentsSink sink;
    private CurrentsTransformer transformer;
    private String prefix;
    private IdentityRule identity;
    private long maxBodyBytes = 16L * 1024 * 1024;
    private int maxEvents = 1_000;
    private long maxOutboxMessages = 100_000;
    private long maxOutboxBytes = 512L * 1024 * 1024;
    private Duration dedupeWindow = Duration.ofDays(7);
    private Duration retryAfter = Duration.ofSeconds(60);
    private Clock clock;
    private EventInspector inspector;
    private String endpoint = "/currents";

    private Builder() {}

    /**
     * Sets the accepted bearer tokens; several allow rotating one without downtime (add the new
     * token, switch Braze to it, remove the old one).
     *
     * @param tokens one or more tokens, each Base64 characters and {@code -._~+/} as Braze sends
     * @return this builder
     * @throws IllegalArgumentException if a token is blank or has other characters (the message
     *     does not repeat the token)
     */
    public Builder tokens(String... tokens) {
      return tokens(List.of(tokens));
    }

    /**
     * Sets the accepted bearer tokens, replacing earlier ones.
     *
     * @param tokens one or more tokens
     * @return this builder
     * @throws IllegalArgumentException if a token is malformed
     */
    public Builder tokens(Collection<String> tokens) {
      this.tokens.clear();
      int i = 0;
      for (String t : tokens) {
        if (t == null || !TOKEN.matcher(t).matches()) {
          throw new IllegalArgumentException(
              "tokens["
                  + i
                  + "]: a bearer token must be at least one character of A-Z a-z 0-9 - . _ ~ + /"
                  + " (optionally ending in =)");
        }
        this.tokens.add(t);
        i++;
      }
      return this;
    }

    /**
     * Sets the forwarder whose state store, outbox and counters the receiver uses (required).
     *
     * @param forwarder the forwarder
     * @return this builder
     */
    public Builder forwarder(CurrentsForwarder forwarder) {
      this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
      return this;
    }

    /**
     * Hands accepted events to a sink (for example a Kafka topic) instead of the forwarder's
     * outbox; the forwarder still provides the state store (identity map, parking), the counters
     * and the clock, and need not be started. Ids are not marked seen here: the sink's reader drops
     * the ones it already delivered.
     *
     * @param sink the sink, or null for the outbox (the default)
     * @return this builder
     */
    public Builder sink(CurrentsSink sink) {
      this.sink = sink;
      return this;
    }

    /**
     * Sets the transformer; default: {@link CurrentsTransformer#builder()} with the forwarder's
     * state store as identity map.
     *
     * @param transformer the transformer
     * @return this builder
     */
    public Builder transformer(CurrentsTransformer transformer) {
      this.transformer = Objects.requireNonNull(transformer, "transformer");
      return this;
    }

    /**
     * Sets the prefix of data fields on the transformer (default {@code _braze_}).
     *
     * @param prefix the prefix
     * @return this builder
     */
    public Builder prefix(String prefix) {
      CurrentsTransformer.builder().prefix(prefix); // validates now, naming the rule
      this.prefix = prefix;
      return this;
    }

    /**
     * Sets the identity rule on the transformer (default {@link IdentityRule#defaults()}); use
     * {@link IdentityRule#withExternalIdAs} for an account's custom identifier.
     *
     * @param identity the rule
     * @return this builder
     */
    public Builder identity(IdentityRule identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /**
     * Sets the largest body accepted (default 16 MiB); larger ones get 413 and Braze splits them.
     *
     * @param bytes at least 1 MiB, so that one event of 900 KB always fits
     * @return this builder
     */
    public Builder maxBodyBytes(long bytes) {
      if (bytes < 1024 * 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be at least 1 MiB, was " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Sets the most events one batch may hold (default 1,000; Braze sends up to 100); more get 413
     * and Braze splits them.
     *
     * @param events at least 1
     * @return this builder
     */
    public Builder maxEvents(int events) {
      if (events < 1) {
        throw new IllegalArgumentException("maxEvents must be at least 1, was " + events);
      }
      this.maxEvents = events;
      return this;
    }

    /**
     * Sets the bound of the outbox (defaults 100,000 events and 512 MiB); at the bound batches get
     * 503 until ODP catches up.
     *
     * @param messages the most events queued
     * @param bytes the most payload bytes queued
     * @return this builder
     */
    public Builder maxOutbox(long messages, long bytes) {
      if (messages < 1 || bytes < 1) {
        throw new IllegalArgumentException(
            "outbox bounds must be positive, were "
                + messages
                + " messages and "
                + bytes
                + " bytes");
      }
      this.maxOutboxMessages = messages;
      this.maxOutboxBytes = bytes;
      return this;
    }

    /**
     * Sets how long Currents ids are remembered to drop duplicates (default 7 days, how long Braze
     * keeps events it could not deliver).
     *
     * @param window a positive duration
     * @return this builder
     */
    public Builder dedupeWindow(Duration window) {
      Objects.requireNonNull(window, "dedupeWindow");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("dedupeWindow must be positive, was " + window);
      }
      this.dedupeWindow = window;
      return this;
    }

    /**
     * Sets the {@code Retry-After} sent with 503 (default 60 s); Braze uses its own backoff.
     *
     * @param retryAfter the suggested wait
     * @return this builder
     */
    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
      return this;
    }

    /**
     * Sets the clock (default: the forwarder's).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Reports each received batch, with the bearer token redacted, to an inspector.
     *
     * @param inspector the inspector, or null for none
     * @return this builder
     */
    public Builder inspector(EventInspector inspector) {
      this.inspector = inspector;
      return this;
    }

    /**
     * Sets the path reported to the inspector (default {@code /currents}).
     *
     * @param endpoint the path
     * @return this builder
     */
    public Builder endpoint(String endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Builds the receiver.
     *
     * @return the receiver
     * @throws IllegalArgumentException if no token was given
     * @throws NullPointerException if the forwarder is missing
     */
    public CurrentsReceiver build() {
      return new CurrentsReceiver(this);
    }
  }
}
