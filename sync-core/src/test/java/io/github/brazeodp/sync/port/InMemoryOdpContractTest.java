package io.github.brazeodp.sync.port;

import io.github.brazeodp.sync.fake.InMemoryOdp;

/** The ODP contract on the fake itself. */
class InMemoryOdpContractTest extends OdpGatewayContractTest {
  @Override
  OdpGateway connect(InMemoryOdp fake) {
    return fake;
  }
}
