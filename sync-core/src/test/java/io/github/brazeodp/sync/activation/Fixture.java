package io.github.brazeodp.sync.activation;

import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Braze and ODP fakes, an in-memory state store and a hand-moved clock. */
final class Fixture {
  static final Instant T0 = Instant.parse("2025-03-28T07:00:00Z");

  final ManualClock clock = new ManualClock(T0);
  final InMemoryBraze braze =
      new InMemoryBraze(clock, clock::advance, TrackLimit.COMBINED_50)
          .putCampaign("camp")
          .putCanvas("live", InMemoryBraze.CanvasState.ACTIVE)
          .putCanvas("paused", InMemoryBraze.CanvasState.PAUSED);
  final InMemoryOdp odp =
      new InMemoryOdp()
          .putField("ext_id", FieldType.STRING)
          .putField("company_name", FieldType.STRING)
          .putSegment("everyone", c -> true);
  final SyncStateStore state = SyncStateStore.inMemory();

  /** Adds customers c0..c(n-1) with email, ext_id e<i>, first_name F<i> and a company. */
  Fixture customers(int n) {
    for (int i = 0; i < n; i++) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("email", "c" + i + "@example.com");
      c.put("ext_id", "e" + i);
      c.put("first_name", "F" + i);
      c.put("company_name", "Co" + i);
      odp.putCustomer(c);
    }
    return this;
  }

  ActivationRunner runner() {
    return ActivationRunner.builder().braze(braze).odp(odp).state(state).clock(clock).build();
  }

  static Activation.Builder campaign(String name) {
    return Activation.builder(name)
        .segment("everyone")
        .target(TargetIdentifier.externalId("ext_id"))
        .touchpoint(Touchpoint.campaign("camp"))
        .field("first_name", "{{ customer.first_name | upcase }}")
        .field("company", "{{ customer.company_name | default: \"none\" }}");
  }
}
