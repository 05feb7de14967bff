package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the host's {@code GET /health} reports. */
class CurrentsHealthTest {
  private static final Map<String, List<String>> HEADERS =
      Map.of("Authorization", List.of("Bearer aGVhbHRoLXRva2Vu"));

  private static byte[] batch(String... ids) {
    StringBuilder b = new StringBuilder("{\"events\":[");
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"event_type\":\"users.messages.email.Open\",\"id\":\"")
          .append(ids[i])
          .append("\",\"time\":2033802504,\"user\":{\"user_id\":\"b\"},")
          .append("\"properties\":{\"email_address\":\"u@example.com\"}}");
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));

  @Test
  void readyWhileTheStoreTakesWritesAndTheOutboxIsUnderItsBound() {
    SyncStateStore store = SyncStateStore.inMemory();
    try (CurrentsForwarder forwarder =
        CurrentsForwarder.builder().odp(new InMemoryOdp()).state(store).clock(clock).build()) {
      CurrentsReceiver receiver =
          CurrentsReceiver.builder()
              .tokens("aGVhbHRoLXRva2Vu")
              .forwarder(forwarder)
              .maxOutbox(2, 512L * 1024 * 1024)
              .build();

      CurrentsHttpServer.Health up = CurrentsService.health(store, forwarder, receiver, clock);
      assertThat(up.ready()).isTrue();
      assertThat(up.json())
          .isEqualTo(
              "{\"status\":\"UP\",\"store\":\"writable\",\"outbox\":{\"messages\":0,\"bytes\":0,"
                  + "\"max_messages\":2,\"max_bytes\":536870912},\"dead_letters\":0,"
                  + "\"last_odp_contact\":null}");

      assertThat(receiver.handle(HEADERS, batch("a", "b")).status()).isEqualTo(200);
      forwarder.drainOnce();
      // The stand-in accepted both: the outbox is empty again and ODP was contacted.
      CurrentsHttpServer.Health contacted =
          CurrentsService.health(store, forwarder, receiver, clock);
      assertThat(contacted.json()).contains("\"last_odp_contact\":\"2026-12-01T10:00:00Z\"");

      assertThat(receiver.handle(HEADERS, batch("c", "d")).status()).isEqualTo(200);
      CurrentsHttpServer.Health full = CurrentsService.health(store, forwarder, receiver, clock);
      assertThat(full.ready()).isFalse();
      assertThat(full.json())
          .startsWith("{\"status\":\"DOWN\",\"store\":\"writable\"")
          .contains(
              "\"problems\":[\"the outbox is full: 2 events of at most 2; Currents posts are"
                  + " refused until ODP takes them\"]");

      store.close();
      CurrentsHttpServer.Health failing = CurrentsService.health(store, forwarder, receiver, clock);
      assertThat(failing.ready()).isFalse();
      assertThat(failing.json())
          .startsWith(
              "{\"status\":\"DOWN\",\"store\":\"failing\",\"last_odp_contact\":\"2026-12-01T10:00:00Z\","
                  + "\"problems\":[\"the state store takes no writes: ")
          .endsWith("\"]}");
    }
  }
}
