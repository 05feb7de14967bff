package io.github.brazeodp.sync.port;

import io.github.brazeodp.sync.fake.InMemoryBraze;

/** The Braze contract on the fake itself. */
class InMemoryBrazeContractTest extends BrazeGatewayContractTest {
  @Override
  BrazeGateway connect(InMemoryBraze fake) {
    return fake;
  }
}
