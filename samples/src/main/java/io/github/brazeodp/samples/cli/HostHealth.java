package io.github.brazeodp.samples.cli;

import com.squareup.moshi.JsonWriter;
import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.OutboxSize;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import okio.Buffer;

/**
 * The host's readiness, shared by the Currents receiver and the daemon: the store takes a write,
 * the outbox is under the bound past which posts are refused and, for the daemon, how the last
 * segment sync ended. What is wrong is named in {@code problems}.
 *
 * <p>ODP's last answer and a failed sync are reported but do not decide readiness: while ODP is
 * down the outbox is exactly where events should go, and taking the receiver out of its load
 * balancer because last night's sync failed would lose Currents traffic too.
 */
final class HostHealth {
  private HostHealth() {}

  /**
   * Probes the store (writing {@code scope}'s last success as the write check) and reports.
   *
   * @param forwarder the Currents forwarder, or null when the receiver does not run
   * @param receiver the Currents receiver, or null when it does not run
   * @param lastSync whether to report the last segment sync (the daemon does)
   */
  static CurrentsHttpServer.Health probe(
      SyncStateStore state,
      String scope,
      CurrentsForwarder forwarder,
      CurrentsReceiver receiver,
      boolean lastSync,
      Clock clock) {
    Instant now = clock.instant();
    List<String> problems = new ArrayList<>();
    boolean writable;
    OutboxSize size = null;
    long dead = -1;
    try {
      state.putLastSuccess(scope, now);
      size = state.outboxSize();
      dead = state.deadLetterCount();
      writable = true;
    } catch (RuntimeException e) {
      writable = false;
      problems.add("the state store takes no writes: " + e.getMessage());
    }
    boolean underBound = size != null;
    if (size != null && receiver != null) {
      if (size.messages() >= receiver.maxOutboxMessages()) {
        underBound = false;
        problems.add(
            "the outbox is full: "
                + size.messages()
                + " events of at most "
                + receiver.maxOutboxMessages()
                + "; Currents posts are refused until ODP takes them");
      } else if (size.bytes() >= receiver.maxOutboxBytes()) {
        underBound = false;
        problems.add(
            "the outbox is full: "
                + size.bytes()
                + " bytes of at most "
                + receiver.maxOutboxBytes()
                + "; Currents posts are refused until ODP takes them");
      }
    }
    ActivityRecord sync = null;
    if (lastSync && writable) {
      try {
        List<ActivityRecord> last = state.recentActivity(ActivityRecord.Flow.SEGMENT_SYNC, 1);
        sync = last.isEmpty() ? null : last.get(0);
      } catch (RuntimeException e) {
        problems.add("the activity log cannot be read: " + e.getMessage());
      }
      if (sync != null && sync.status() == ActivityRecord.Status.FAILED) {
        problems.add(
            "the last segment sync failed at "
                + sync.end()
                + (sync.reason() == null ? "" : ": " + sync.reason()));
      }
    }
    boolean ready = writable && underBound;
    Buffer buffer = new Buffer();
    try (JsonWriter json = JsonWriter.of(buffer)) {
      json.setSerializeNulls(true);
      json.beginObject();
      json.name("status").value(ready ? "UP" : "DOWN");
      json.name("store").value(writable ? "writable" : "failing");
      if (size != null) {
        json.name("outbox").beginObject();
        json.name("messages").value(size.messages());
        json.name("bytes").value(size.bytes());
        if (receiver != null) {
          json.name("max_messages").value(receiver.maxOutboxMessages());
          json.name("max_bytes").value(receiver.maxOutboxBytes());
        }
        json.endObject();
        json.name("dead_letters").value(dead);
      }
      if (forwarder != null) {
        json.name("last_odp_contact");
        if (forwarder.lastOdpContact().isPresent()) {
          json.value(forwarder.lastOdpContact().get().toString());
        } else {
          json.nullValue();
        }
      }
      if (lastSync && writable) {
        json.name("last_segment_sync");
        if (sync == null) {
          json.nullValue();
        } else {
          json.beginObject();
          json.name("status").value(sync.status().name());
          json.name("end").value(sync.end().toString());
          if (sync.reason() != null) {
            json.name("reason").value(sync.reason());
          }
          json.endObject();
        }
      }
      if (!problems.isEmpty()) {
        json.name("problems").beginArray();
        for (String p : problems) {
          json.value(p);
        }
        json.endArray();
      }
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CurrentsHttpServer.Health(ready, buffer.readUtf8());
  }
}
