package io.github.brazeodp.sync.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.RateLimits;
import io.github.brazeodp.odp.RetrySettings;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.wire.OdpWire;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * The ODP contract on the real adapter over a real {@link OdpClient}, talking HTTP to {@link
 * OdpWire} on MockWebServer over the seeded fake.
 */
class OdpClientGatewayContractTest extends OdpGatewayContractTest {
  private MockWebServer server;
  private OdpClient client;
  private OdpWire wire;

  @Override
  OdpGateway connect(InMemoryOdp fake) throws Exception {
    wire =
        OdpWire.builder(fake)
            .apiKey("contract-odp-key")
            .clock(time.clock)
            .sleeper(time.odpSleeper())
            .exportReadyAfter(Duration.ofSeconds(30))
            .build();
    server = new MockWebServer();
    server.setDispatcher(new WireDispatcher(wire::handle));
    server.start();
    client =
        OdpClient.builder()
            .apiKey("contract-odp-key")
            .baseUrl(server.url("/v3/").toString())
            .clock(time.clock)
            .sleeper(time.odpSleeper())
            .rateLimits(RateLimits.unlimited())
            .retry(
                RetrySettings.builder()
                    .maxAttempts(3)
                    .initialBackoff(Duration.ofMillis(100))
                    .maxBackoff(Duration.ofSeconds(1))
                    .seed(7)
                    .build())
            .build();
    return new OdpClientGateway(client);
  }

  @Override
  void disconnect() {
    client.close();
    server.close();
  }

  @Test
  void eventsExportWaitsOutTheBusyAnswerAndAsksAgain() {
    odp.putEvent(
        OdpEvent.builder("order", "purchase")
            .identifier("email", "ann@example.com")
            .ts(T0)
            .idempotenceId("ev-1")
            .build());
    wire.busyExports(2);

    List<ExportRow> rows;
    try (Stream<ExportRow> stream =
        new OdpClientGateway(client).exportEvents(null, List.of("idempotence_id"))) {
      rows = stream.toList();
    }

    assertThat(rows).extracting(r -> r.get("idempotence_id")).containsExactly("ev-1");
  }
}
