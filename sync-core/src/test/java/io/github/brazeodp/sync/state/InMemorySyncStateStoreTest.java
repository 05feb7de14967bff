package io.github.brazeodp.sync.state;

/** Runs the store contract against the in-memory store. */
class InMemorySyncStateStoreTest extends SyncStateStoreContractTest {

  @Override
  SyncStateStore newStore() {
    return SyncStateStore.inMemory();
  }
}
