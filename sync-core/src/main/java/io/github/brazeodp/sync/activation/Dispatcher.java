package io.github.brazeodp.sync.activation;

import io.github.brazeodp.braze.BrazeApiException;
import io.github.brazeodp.braze.BrazeAuthException;
import io.github.brazeodp.braze.BrazeBadRequestException;
import io.github.brazeodp.braze.BrazeError;
import io.github.brazeodp.braze.BrazeException;
import io.github.brazeodp.braze.BrazeIoException;
import io.github.brazeodp.braze.BrazeNotFoundException;
import io.github.brazeodp.braze.BrazeRateLimitException;
import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.TrackBatcher;
import io.github.brazeodp.braze.TrackEvent;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.TrackResponse;
import io.github.brazeodp.braze.TriggerResponse;
import io.github.brazeodp.braze.TriggerSend;
import io.github.brazeodp.braze.UserAttributes;
import io.github.brazeodp.sync.RunStats;
import io.github.brazeodp.sync.port.BrazeGateway;
import io.github.brazeodp.sync.state.LedgerClaim;
import io.github.brazeodp.sync.state.LedgerState;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Sends batches of rendered customers to Braze for one activation, with the ledger around every
 * campaign and Canvas call. Shared by segment runs and event micro-batches; not thread-safe (one
 * run or one flush at a time).
 *
 * <p>What each Braze answer does to the ledger and the run:
 *
 * <table>
 *   <caption>Braze answers</caption>
 *   <tr><th>Answer</th><th>Ledger</th><th>Run</th></tr>
 *   <tr><td>201, no notice</td><td>SENT + dispatch id</td><td>continues</td></tr>
 *   <tr><td>201, Canvas paused/archived notice</td><td>FAILED (nothing sent)</td>
 *       <td>stops (FAILED); a rerun after resuming the Canvas sends everyone</td></tr>
 *   <tr><td>400 Invalid Campaign/Canvas ID, 401/403, 404</td><td>FAILED</td>
 *       <td>stops with {@link ActivationException}</td></tr>
 *   <tr><td>other 4xx</td><td>FAILED, customers rejected</td><td>continues</td></tr>
 *   <tr><td>429 after the client's retries</td><td>FAILED</td><td>stops (FAILED); rerun later</td></tr>
 *   <tr><td>connection refused (request never left)</td><td>FAILED</td><td>continues</td></tr>
 *   <tr><td>timeout after sending, 5xx, unreadable answer</td><td>UNKNOWN</td>
 *       <td>continues; never resent automatically</td></tr>
 *   <tr><td>anything else thrown</td><td>UNKNOWN (Error: left PENDING)</td><td>rethrown</td></tr>
 * </table>
 *
 * <p>After {@value #MAX_CONSECUTIVE_FAILURES} batches in a row that did not succeed the run stops,
 * so a broken setup does not burn through a million customers.
 */
final class Dispatcher {
  static final int MAX_CONSECUTIVE_FAILURES = 3;

  /**
   * One rendered customer to send, in the occurrence it belongs to.
   *
   * @param time when the triggering ODP event happened (the custom event's {@code time}), or null
   *     to use the time of the send
   */
  record Item(String occurrence, Activation.Rendered rendered, String location, Instant time) {
    Item(String occurrence, Activation.Rendered rendered, String location) {
      this(occurrence, rendered, location, null);
    }

    String key() {
      return rendered.key();
    }
  }

  /**
   * Why a run must stop.
   *
   * @param message what happened, for people
   * @param fatal true to throw {@link ActivationException}, false to end the run as failed
   * @param cause the failure, or null
   */
  record Halt(String message, boolean fatal, RuntimeException cause) {}

  private final Activation activation;
  private final BrazeGateway braze;
  private final SyncStateStore state;
  private final Clock clock;
  private final RunStats stats;
  private final boolean dry;
  private final Set<String> notices = new HashSet<>();
  private int consecutiveFailures;

  Dispatcher(
      Activation activation,
      BrazeGateway braze,
      SyncStateStore state,
      Clock clock,
      RunStats stats,
      boolean dry) {
    this.activation = activation;
    this.braze = braze;
    this.state = state;
    this.clock = clock;
    this.stats = stats;
    this.dry = dry;
  }

  /** Returns how many customers one call carries. */
  int batchSize() {
    return activation.touchpoint().sendsMessages()
        ? TriggerSend.MAX_RECIPIENTS
        : braze.trackLimit().max();
  }

  /**
   * Sends one batch, then its custom events when the activation has them and the batch did not stop
   * the run; returns why the run must stop, or empty to go on.
   */
  Optional<Halt> send(List<Item> batch) {
    if (batch.isEmpty()) {
      return Optional.empty();
    }
    Optional<Halt> halt =
        activation.touchpoint().sendsMessages() ? sendMessages(batch) : sendProfiles(batch);
    if (halt.isEmpty() && activation.customEventName().isPresent()) {
      halt = sendCustomEvents(batch);
    }
    return halt;
  }

  // ---- custom events ---------------------------------------------------------------------------

  /**
   * Sends the batch's Braze custom events through {@code /users/track}, split under the track
   * limit, with the same ledger discipline as messages (pending before the call, unknown when the
   * answer is lost), under the activation's custom-event ledger name.
   */
  private Optional<Halt> sendCustomEvents(List<Item> batch) {
    String ledger = activation.name() + Activation.CUSTOM_EVENT_LEDGER_SUFFIX;
    List<Item> withEvent = new ArrayList<>();
    for (Item item : batch) {
      if (item.rendered().customEvent() != null) {
        withEvent.add(item);
      }
    }
    if (withEvent.isEmpty()) {
      return Optional.empty();
    }
    if (dry) {
      stats.count(ActivationCounts.CUSTOM_EVENTS_SENT, withEvent.size());
      return Optional.empty();
    }
    List<Item> claimed =
        claimPending(
            ledger,
            withEvent,
            (claim, copies) ->
                stats.count(
                    ActivationCounts.CUSTOM_EVENTS_SKIPPED, claim.skipped().size() + copies));
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    TrackRequest.Builder request = TrackRequest.builder();
    for (Item item : claimed) {
      Activation.CustomEvent event = item.rendered().customEvent();
      Instant time = item.time() != null ? item.time() : clock.instant();
      TrackEvent tracked =
          TrackEvent.of(
              activation.target().userIdentifier(item.rendered().targetValue()),
              event.name(),
              time);
      request.event(
          event.properties().isEmpty() ? tracked : tracked.withProperties(event.properties()));
    }
    for (TrackBatcher.Chunk chunk : new TrackBatcher(braze.trackLimit()).split(request.build())) {
      int from = chunk.eventsFrom();
      List<Item> part = claimed.subList(from, from + chunk.request().events().size());
      TrackResponse response;
      stats.brazeCall();
      try {
        response = braze.track(chunk.request());
      } catch (BrazeException e) {
        boolean certainlyNot =
            (e instanceof BrazeApiException api && api.status() < 500)
                || (e instanceof BrazeIoException io && !io.requestSent());
        markIn(
            ledger, part, certainlyNot ? LedgerState.FAILED : LedgerState.UNKNOWN, e.getMessage());
        stats.count(
            certainlyNot ? ActivationCounts.CUSTOM_EVENTS_FAILED : ActivationCounts.UNKNOWN_OUTCOME,
            part.size());
        if (e instanceof BrazeRateLimitException
            || e instanceof BrazeAuthException
            || e instanceof BrazeNotFoundException) {
          return Optional.of(
              new Halt(
                  "/users/track (custom events): " + e.getMessage(),
                  !(e instanceof BrazeRateLimitException),
                  e));
        }
        return failure(e);
      }
      Set<Integer> refused = new HashSet<>();
      for (BrazeError error : response.errors()) {
        Integer index = error.index();
        if ("events".equals(error.inputArray()) && index != null && index < part.size()) {
          if (refused.add(index)) {
            stats.rejected(
                "Braze refused the custom event: " + error.message(), part.get(index).key());
          }
        } else {
          stats.problem("Braze reported: " + error, "/users/track");
        }
      }
      List<Item> accepted = new ArrayList<>();
      List<Item> rejected = new ArrayList<>();
      for (int i = 0; i < part.size(); i++) {
        (refused.contains(i) ? rejected : accepted).add(part.get(i));
      }
      markIn(ledger, accepted, LedgerState.SENT, null);
      markIn(ledger, rejected, LedgerState.FAILED, "Braze refused the custom event");
      stats.count(ActivationCounts.CUSTOM_EVENTS_SENT, accepted.size());
    }
    return Optional.empty();
  }

  private void markIn(String ledger, List<Item> items, LedgerState outcome, String reason) {
    if (items.isEmpty()) {
      return;
    }
    Map<String, List<String>> byOccurrence = new LinkedHashMap<>();
    for (Item item : items) {
      byOccurrence.computeIfAbsent(item.occurrence(), o -> new ArrayList<>()).add(item.key());
    }
    state.transaction(
        tx ->
            byOccurrence.forEach(
                (occurrence, keys) ->
                    tx.markOutcome(
                        ledger, occurrence, keys, outcome, null, reason, clock.instant())));
  }

  // ---- campaigns and Canvases ------------------------------------------------------------------

  private Optional<Halt> sendMessages(List<Item> batch) {
    String name = activation.name();
    if (dry) {
      Set<String> seen = new HashSet<>();
      for (Item item : batch) {
        Optional<LedgerState> previous =
            state.ledgerEntry(name, item.occurrence(), item.key()).map(e -> e.state());
        if (!seen.add(item.occurrence() + "\n" + item.key())
            || previous.filter(s -> s == LedgerState.SENT).isPresent()) {
          stats.count(ActivationCounts.SKIPPED_ALREADY_SENT, 1);
        } else if (previous.filter(LedgerState::mayHaveBeenSent).isPresent()) {
          stats.count(ActivationCounts.SKIPPED_UNKNOWN, 1);
        } else {
          stats.sent(1);
        }
      }
      return Optional.empty();
    }
    // Record every customer as pending BEFORE the call: a crash from here on leaves them pending,
    // and a rerun turns pending into unknown instead of messaging them again.
    List<Item> claimed =
        claimPending(
            name,
            batch,
            (claim, copies) -> {
              claim
                  .skipped()
                  .forEach(
                      (k, st) ->
                          stats.count(
                              st == LedgerState.SENT
                                  ? ActivationCounts.SKIPPED_ALREADY_SENT
                                  : ActivationCounts.SKIPPED_UNKNOWN,
                              1));
              // The same customer twice in one batch: claimed once, the copy is skipped.
              stats.count(ActivationCounts.SKIPPED_ALREADY_SENT, copies);
            });
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    List<Recipient> recipients = new ArrayList<>();
    for (Item item : claimed) {
      Activation.Rendered r = item.rendered();
      Recipient recipient = activation.target().recipient(r.targetValue());
      if (!r.attributes().isEmpty()) {
        recipient = recipient.withAttributes(r.attributes());
      }
      if (!r.properties().isEmpty()) {
        recipient = recipient.withProperties(r.properties());
      }
      recipients.add(recipient);
    }
    Touchpoint touchpoint = activation.touchpoint();
    TriggerSend send = TriggerSend.to(touchpoint.id(), recipients);
    String what = describe(touchpoint);
    TriggerResponse response;
    stats.brazeCall();
    try {
      response =
          touchpoint.kind() == Touchpoint.Kind.CAMPAIGN
              ? braze.triggerCampaign(send)
              : braze.triggerCanvas(send);
    } catch (BrazeException e) {
      return failedMessages(claimed, what, e);
    } catch (RuntimeException e) {
      // Not an answer from Braze: nobody can tell whether the request left.
      mark(claimed, LedgerState.UNKNOWN, null, "send failed unexpectedly: " + e);
      stats.count(ActivationCounts.UNKNOWN_OUTCOME, claimed.size());
      throw e;
    }
    if (response.nothingSent()) {
      String notice = response.notice();
      mark(claimed, LedgerState.FAILED, response.dispatchId(), "nothing sent: " + notice);
      stats.count(ActivationCounts.NOT_SENT, claimed.size());
      return Optional.of(
          new Halt(
              what
                  + " answered with a notice and sent nothing: \""
                  + notice
                  + "\" The run stopped; the customers are marked failed, so a rerun of the"
                  + " occurrence sends them once the Canvas is live again.",
              false,
              null));
    }
    if (response.notice() != null && notices.add(response.notice())) {
      stats.note(what + " notice: " + response.notice());
    }
    mark(claimed, LedgerState.SENT, response.dispatchId(), null);
    stats.sent(claimed.size());
    consecutiveFailures = 0;
    return Optional.empty();
  }

  private Optional<Halt> failedMessages(List<Item> claimed, String what, BrazeException e) {
    int n = claimed.size();
    String reason = e.getMessage();
    if (e instanceof BrazeRateLimitException) {
      mark(claimed, LedgerState.FAILED, null, "rate limited: " + reason);
      stats.count(ActivationCounts.RATE_LIMITED, n);
      return Optional.of(
          new Halt(
              what
                  + ": Braze kept answering 429 after the client's retries; the run stopped."
                  + " The customers not sent are marked failed: rerun the occurrence later.",
              false,
              e));
    }
    if (e instanceof BrazeBadRequestException bad && unknownTouchpoint(bad)) {
      mark(claimed, LedgerState.FAILED, null, reason);
      stats.count(ActivationCounts.NOT_SENT, n);
      return Optional.of(
          new Halt(
              what
                  + " is unknown to Braze ("
                  + bad.brazeMessage()
                  + "): check the id and that it is API-triggered. Nothing was sent.",
              true,
              e));
    }
    if (e instanceof BrazeAuthException || e instanceof BrazeNotFoundException) {
      mark(claimed, LedgerState.FAILED, null, reason);
      stats.count(ActivationCounts.NOT_SENT, n);
      return Optional.of(new Halt(what + ": " + reason, true, e));
    }
    if (e instanceof BrazeApiException api && api.status() < 500) {
      mark(claimed, LedgerState.FAILED, null, reason);
      for (Item item : claimed) {
        stats.rejected("Braze refused the batch: " + reason, item.key());
      }
      return failure(e);
    }
    if (e instanceof BrazeIoException io && !io.requestSent()) {
      mark(claimed, LedgerState.FAILED, null, reason);
      stats.count(ActivationCounts.NOT_SENT, n);
      return failure(e);
    }
    // Timeout after sending, 5xx, an unreadable answer: Braze may have messaged them.
    mark(claimed, LedgerState.UNKNOWN, null, reason);
    stats.count(ActivationCounts.UNKNOWN_OUTCOME, n);
    return failure(e);
  }

  private static boolean unknownTouchpoint(BrazeBadRequestException e) {
    String message = e.brazeMessage() == null ? "" : e.brazeMessage().toLowerCase(Locale.ROOT);
    return message.contains("invalid campaign id") || message.contains("invalid canvas id");
  }

  private Optional<Halt> failure(BrazeException e) {
    consecutiveFailures++;
    if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
      return Optional.of(
          new Halt(
              consecutiveFailures
                  + " batches in a row did not succeed; the run stopped. Last error: "
                  + e.getMessage(),
              false,
              e));
    }
    return Optional.empty();
  }

  private void mark(List<Item> items, LedgerState outcome, String dispatchId, String reason) {
    Map<String, List<String>> byOccurrence = new LinkedHashMap<>();
    for (Item item : items) {
      byOccurrence.computeIfAbsent(item.occurrence(), o -> new ArrayList<>()).add(item.key());
    }
    state.transaction(
        tx ->
            byOccurrence.forEach(
                (occurrence, keys) ->
                    tx.markOutcome(
                        activation.name(),
                        occurrence,
                        keys,
                        outcome,
                        dispatchId,
                        reason,
                        clock.instant())));
  }

  private static String describe(Touchpoint t) {
    return (t.kind() == Touchpoint.Kind.CAMPAIGN ? "campaign " : "Canvas ") + t.id();
  }

  // ---- profile-only ----------------------------------------------------------------------------

  /**
   * Writes attributes through {@code /users/track}. No ledger: attribute writes are idempotent, so
   * a rerun (or a retry by the client after a timeout) writes the same values again.
   */
  private Optional<Halt> sendProfiles(List<Item> batch) {
    if (dry) {
      stats.sent(batch.size());
      return Optional.empty();
    }
    TrackRequest.Builder request = TrackRequest.builder();
    for (Item item : batch) {
      Activation.Rendered r = item.rendered();
      request.attributes(
          UserAttributes.builder(activation.target().userIdentifier(r.targetValue()))
              .setAll(r.attributes())
              .build());
    }
    TrackResponse response;
    stats.brazeCall();
    try {
      response = braze.track(request.build());
    } catch (BrazeRateLimitException e) {
      stats.count(ActivationCounts.RATE_LIMITED, batch.size());
      return Optional.of(
          new Halt(
              "/users/track kept answering 429 after the client's retries; the run stopped."
                  + " Profile updates are idempotent: rerun the occurrence later.",
              false,
              e));
    } catch (BrazeAuthException | BrazeNotFoundException e) {
      stats.count(ActivationCounts.NOT_SENT, batch.size());
      return Optional.of(new Halt("/users/track: " + e.getMessage(), true, e));
    } catch (BrazeApiException e) {
      if (e.status() < 500) {
        for (Item item : batch) {
          stats.rejected("Braze refused the batch: " + e.getMessage(), item.key());
        }
      } else {
        stats.count(ActivationCounts.UNKNOWN_OUTCOME, batch.size());
      }
      return failure(e);
    } catch (BrazeIoException e) {
      stats.count(
          e.requestSent() ? ActivationCounts.UNKNOWN_OUTCOME : ActivationCounts.NOT_SENT,
          batch.size());
      return failure(e);
    } catch (BrazeException e) {
      stats.count(ActivationCounts.UNKNOWN_OUTCOME, batch.size());
      return failure(e);
    }
    Set<Integer> refused = new HashSet<>();
    for (BrazeError error : response.errors()) {
      Integer index = error.index();
      if ("attributes".equals(error.inputArray()) && index != null && index < batch.size()) {
        if (refused.add(index)) {
          stats.rejected(
              "Braze refused the attributes: " + error.message(), batch.get(index).key());
        }
      } else {
        stats.problem("Braze reported: " + error, "/users/track");
      }
    }
    stats.sent(batch.size() - refused.size());
    consecutiveFailures = 0;
    return Optional.empty();
  }

  /**
   * Records the items' customers as pending in {@code ledger} (one per customer and occurrence) in
   * one transaction and returns the items this run may send; {@code skipped} hears each claim with
   * the number of copies of a customer the batch held beyond the first.
   */
  private List<Item> claimPending(
      String ledger, List<Item> items, BiConsumer<LedgerClaim, Integer> skipped) {
    Map<String, List<Item>> byOccurrence = new LinkedHashMap<>();
    for (Item item : items) {
      byOccurrence.computeIfAbsent(item.occurrence(), o -> new ArrayList<>()).add(item);
    }
    return state.transactionResult(
        tx -> {
          List<Item> out = new ArrayList<>();
          for (Map.Entry<String, List<Item>> e : byOccurrence.entrySet()) {
            Map<String, Item> firstByKey = new LinkedHashMap<>();
            e.getValue().forEach(i -> firstByKey.putIfAbsent(i.key(), i));
            LedgerClaim claim =
                tx.recordPending(ledger, e.getKey(), firstByKey.keySet(), clock.instant());
            claim.claimed().forEach(k -> out.add(firstByKey.get(k)));
            skipped.accept(claim, e.getValue().size() - firstByKey.size());
          }
          return out;
        });
  }
}
