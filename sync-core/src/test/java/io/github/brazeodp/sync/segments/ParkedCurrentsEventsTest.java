package io.github.brazeodp.sync.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Currents event for a user ODP cannot identify yet waits until a segment sync learns them. */
class ParkedCurrentsEventsTest {
  private static final String TOKEN = "cGFya2VkLXRlc3QtdG9rZW4";
  private final World w = new World();

  @Test
  void theSegmentSyncLearnsTheUserAndTheParkedEventIsForwardedOnce() {
    try (CurrentsForwarder forwarder =
        CurrentsForwarder.builder()
            .odp(w.odp)
            .state(w.state)
            .clock(w.clock)
            .parkedCheckInterval(Duration.ZERO)
            .build()) {
      CurrentsReceiver receiver =
          CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).build();
      byte[] body =
          ("{\"events\":[{\"event_type\":\"users.behaviors.app.SessionStart\",\"id\":\"cur-1\","
                  + "\"time\":2033802504,\"user\":{\"user_id\":\"b1\"},\"properties\":{}}]}")
              .getBytes(StandardCharsets.UTF_8);
      assertThat(receiver.handle(Map.of("Authorization", List.of("Bearer " + TOKEN)), body).body())
          .contains("\"unmatched\":1");
      assertThat(forwarder.drainOnce().forwarded()).isZero();

      w.braze.putUser(World.user("b1", "ann@example.com"));
      w.braze.putSegment("seg", "All", List.of("b1"));
      w.sync(Selection.all()).build().run();

      assertThat(forwarder.drainOnce().forwarded()).isEqualTo(1);
      assertThat(forwarder.drainOnce().forwarded()).isZero();
      List<OdpEvent> currents =
          w.odp.events().stream().filter(e -> "cur-1".equals(e.idempotenceId())).toList();
      assertThat(currents)
          .singleElement()
          .satisfies(e -> assertThat(e.identifiers()).containsEntry("email", "ann@example.com"));
      assertThat(w.state.parkedCount()).isZero();
    }
  }
}
