package io.github.brazeodp.sync.port;

import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.braze.RetrySettings;
import io.github.brazeodp.sync.adapter.BrazeClientGateway;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.wire.BrazeWire;
import java.time.Duration;
import java.util.SplittableRandom;
import mockwebserver3.MockWebServer;

/**
 * The Braze contract on the real adapter over a real {@link BrazeClient}, talking HTTP to {@link
 * BrazeWire} on MockWebServer over the seeded fake.
 */
class BrazeClientGatewayContractTest extends BrazeGatewayContractTest {
  private MockWebServer server;
  private BrazeClient client;

  @Override
  BrazeGateway connect(InMemoryBraze fake) throws Exception {
    BrazeWire wire =
        BrazeWire.builder(fake)
            .apiKey("contract-key")
            .clock(time.clock)
            .sleeper(time.brazeSleeper())
            .build();
    server = new MockWebServer();
    server.setDispatcher(new WireDispatcher(wire::handle));
    server.start();
    client =
        BrazeClient.builder()
            .apiKey("contract-key")
            .baseUrl(server.url("/").toString())
            .clock(time.clock)
            .sleeper(time.brazeSleeper())
            .jitter(new SplittableRandom(7))
            .rateLimits(RateLimits.unlimited())
            .retry(
                RetrySettings.builder()
                    .maxAttempts(3)
                    .initialBackoff(Duration.ofMillis(100))
                    .maxBackoff(Duration.ofSeconds(1))
                    .build())
            .build();
    return new BrazeClientGateway(client, time.clock);
  }

  @Override
  void disconnect() {
    client.close();
    server.close();
  }
}
