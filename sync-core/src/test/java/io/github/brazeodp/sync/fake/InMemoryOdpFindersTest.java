package io.github.brazeodp.sync.fake;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryOdpFindersTest {
  private final InMemoryOdp odp = new InMemoryOdp();

  private static OdpEvent event(String type, String action, String email) {
    return OdpEvent.builder(type, action).identifier("email", email).build();
  }

  @Test
  void emailLookUpsIgnoreCaseLikeOdp() {
    odp.upsertProfiles(
        List.of(
            ProfileUpdate.builder()
                .identifier("email", "Ann@Example.com")
                .attribute("first_name", "Ann")
                .build()));
    odp.upsertProfiles(
        List.of(
            ProfileUpdate.builder()
                .identifier("email", "ann@example.com")
                .attribute("last_name", "Lee")
                .build()));

    assertThat(odp.customers()).hasSize(1);
    assertThat(odp.customer("email", "ANN@example.COM"))
        .containsEntry("first_name", "Ann")
        .containsEntry("last_name", "Lee");
    assertThat(odp.audiencesOf("email", "ann@EXAMPLE.com")).isPresent();
  }

  @Test
  void otherIdentifiersStayCaseSensitive() {
    odp.putIdentifier("braze_external_id")
        .putCustomer(Map.of("braze_external_id", "Ext-1", "first_name", "Bo"));

    assertThat(odp.customer("braze_external_id", "Ext-1")).containsEntry("first_name", "Bo");
    assertThat(odp.customer("braze_external_id", "ext-1")).isNull();
  }

  @Test
  void eventsAreFoundByActionTypeAndCustomer() {
    odp.sendEvents(
        List.of(
            event("braze", "segment_entered", "ann@example.com"),
            event("braze", "custom_event", "Ann@example.com"),
            event("braze", "segment_entered", "bo@example.com"),
            event("order", "segment_entered", "cy@example.com")));

    assertThat(odp.events("segment_entered"))
        .extracting(e -> e.identifiers().get("email"))
        .containsExactly("ann@example.com", "bo@example.com", "cy@example.com");
    assertThat(odp.events("braze", "segment_entered")).hasSize(2);
    assertThat(odp.events("segment_exited")).isEmpty();
    assertThat(odp.eventsOf("email", "ANN@example.com"))
        .extracting(OdpEvent::action)
        .containsExactly("segment_entered", "custom_event");
  }
}
