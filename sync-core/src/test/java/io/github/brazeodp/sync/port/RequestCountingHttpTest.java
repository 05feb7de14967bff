package io.github.brazeodp.sync.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.adapter.BrazeClientGateway;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.adapter.RequestCounter;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.wire.BrazeWire;
import io.github.brazeodp.sync.fake.wire.OdpWire;
import io.github.brazeodp.sync.segments.SegmentSync;
import io.github.brazeodp.sync.segments.Selection;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The activity record's request counts against the servers' own: a segment sync over the real
 * clients, HTTP to the wire stand-ins, with failures that the clients retry.
 */
class RequestCountingHttpTest {
  private final TestTime time = new TestTime(Instant.parse("2026-11-29T02:00:00Z"));
  private final MockWebServer brazeServer = new MockWebServer();
  private final MockWebServer odpServer = new MockWebServer();
  private BrazeClient brazeClient;
  private OdpClient odpClient;

  @AfterEach
  void stop() {
    if (brazeClient != null) {
      brazeClient.close();
    }
    if (odpClient != null) {
      odpClient.close();
    }
    brazeServer.close();
    odpServer.close();
  }

  @Test
  void activityCountsEveryRequestAndRetryTheServersSaw() throws Exception {
    InMemoryBraze braze = new InMemoryBraze(time.clock, time.clock, TrackLimit.COMBINED_50);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      Map<String, Object> user = new LinkedHashMap<>();
      user.put("braze_id", "u" + i);
      user.put("email", "user" + i + "@example.com");
      user.put("first_name", "User" + i);
      braze.putUser(
          new com.squareup.moshi.Moshi.Builder()
              .build()
              .adapter(ExportedUser.class)
              .fromJsonValue(user));
      ids.add("u" + i);
    }
    braze.putSegment("seg", "All", ids);
    BrazeWire brazeWire =
        BrazeWire.builder(braze)
            .apiKey("b-key")
            .clock(time.clock)
            .sleeper(time.brazeSleeper())
            .build();
    OdpWire odpWire =
        OdpWire.builder(new InMemoryOdp())
            .apiKey("o-key")
            .clock(time.clock)
            .sleeper(time.odpSleeper())
            .build();
    brazeWire.failNext("/segments/list", 1, 503);
    odpWire.failNext("/v3/profiles", 2, 503);
    brazeServer.setDispatcher(new WireDispatcher(brazeWire::handle));
    odpServer.setDispatcher(new WireDispatcher(odpWire::handle));
    brazeServer.start();
    odpServer.start();

    RequestCounter counter = new RequestCounter();
    brazeClient =
        BrazeClient.builder()
            .apiKey("b-key")
            .baseUrl(brazeServer.url("/").toString())
            .clock(time.clock)
            .sleeper(time.brazeSleeper())
            .jitter(new SplittableRandom(7))
            .rateLimits(RateLimits.unlimited())
            .eventListener(counter::onBraze)
            .build();
    odpClient =
        OdpClient.builder()
            .apiKey("o-key")
            .baseUrl(odpServer.url("/v3/").toString())
            .clock(time.clock)
            .sleeper(time.odpSleeper())
            .rateLimits(io.github.brazeodp.odp.RateLimits.unlimited())
            .eventListener(counter::onOdp)
            .build();

    try (SyncStateStore state = SyncStateStore.inMemory()) {
      SyncReport report =
          SegmentSync.builder()
              .braze(new BrazeClientGateway(brazeClient, time.clock))
              .odp(new OdpClientGateway(odpClient))
              .state(state)
              .selection(Selection.all())
              .createMissingFields(true)
              .batchSize(10)
              .maxInFlight(1)
              .clock(time.clock)
              .requestCounter(counter)
              .build()
              .run();

      ActivityCounts counts = report.counts();
      assertThat(report.counts().sent()).isEqualTo(45);
      assertThat(counts.brazeCalls()).isEqualTo(brazeServer.getRequestCount());
      assertThat(counts.odpCalls()).isEqualTo(odpServer.getRequestCount());
      assertThat(counts.retried()).isEqualTo(3);
      // Every HTTP attempt, not every operation: 5 upserts and the field set-up alone are more.
      assertThat(counts.odpCalls()).isGreaterThan(5 + 2);
      assertThat(state.recentActivity(1).get(0).counts()).isEqualTo(counts);
    }
  }
}
