package com.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.adapter.BrazeClientGateway;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.mapping.FieldMapping;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.segments.SegmentSync;
import io.github.brazeodp.sync.segments.Selection;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's examples, compiled and run in a project that only has the published artifacts. */
class ReadmeExamplesTest {
  private static ExportedUser ann() {
    return ExportedUser.builder()
        .brazeId("b1")
        .email("Ann@Example.com")
        .firstName("Ann")
        .customAttribute("loyalty_tier", "gold")
        .build();
  }

  /** "Quick start: segment sync", over HTTP to the sandboxes instead of a Braze instance. */
  @Test
  void segmentSyncQuickStart(@TempDir Path dir) {
    InMemoryBraze fakeBraze = new InMemoryBraze();
    fakeBraze.putUser(ann()).putSegment("seg-1", "Gold members", List.of("b1"));
    InMemoryOdp fakeOdp = new InMemoryOdp();
    try (BrazeSandbox brazeSandbox = new BrazeSandbox(fakeBraze);
        OdpSandbox odpSandbox = new OdpSandbox(fakeOdp);
        BrazeClient braze =
            BrazeClient.builder()
                .apiKey(brazeSandbox.apiKey())
                .baseUrl(brazeSandbox.baseUrl())
                .build();
        OdpClient odp =
            OdpClient.builder().apiKey(odpSandbox.apiKey()).baseUrl(odpSandbox.baseUrl()).build();
        SyncStateStore state = SyncStateStore.sqlite(dir.resolve("state/braze-odp.db"))) {
      SyncReport report =
          SegmentSync.builder()
              .braze(new BrazeClientGateway(braze, Clock.systemUTC()))
              .odp(new OdpClientGateway(odp))
              .state(state)
              .selection(Selection.segments("Gold members"))
              .mappings(
                  FieldMappings.defaults()
                      .add(FieldMapping.customAttribute("loyalty_tier", "_braze_loyalty_tier")))
              .createMissingFields(true)
              .build()
              .run();

      assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
      assertThat(fakeOdp.customer("email", "ann@example.com"))
          .containsEntry("_braze_loyalty_tier", "gold");
    }
  }

  /** "Testing with the fakes". */
  @Test
  void testingWithTheFakes() {
    ManualClock time = new ManualClock(Instant.parse("2026-11-29T02:00:00Z"));
    InMemoryBraze braze = new InMemoryBraze(time, time, TrackLimit.COMBINED_50);
    InMemoryOdp odp = new InMemoryOdp().putField("_braze_loyalty_tier", FieldType.STRING);
    braze.putUser(ann()).putSegment("seg-1", "Gold members", List.of("b1"));

    SyncReport report =
        SegmentSync.builder()
            .braze(braze)
            .odp(odp)
            .state(SyncStateStore.inMemory())
            .clock(time)
            .selection(Selection.segments("Gold members"))
            .mappings(
                FieldMappings.defaults()
                    .add(FieldMapping.customAttribute("loyalty_tier", "_braze_loyalty_tier")))
            .createMissingFields(true)
            .build()
            .run();

    assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(odp.customer("email", "ann@example.com"))
        .containsEntry("_braze_loyalty_tier", "gold");
    assertThat(odp.events("segment_entered")).hasSize(1);
  }
}
