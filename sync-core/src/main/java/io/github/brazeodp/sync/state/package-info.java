/**
 * Durable state of the sync flows: checkpoints, diff hashes, segment membership, the identity map,
 * Currents de-duplication and outbox, the activation ledger and the activity log.
 *
 * <p>Start from {@link io.github.brazeodp.sync.state.SyncStateStore}: {@code
 * SyncStateStore.inMemory()} for tests and short-lived processes, {@code
 * SyncStateStore.sqlite(path)} for a single host that must survive restarts. Both behave the same;
 * every write is transactional and several writes commit together through {@link
 * io.github.brazeodp.sync.state.SyncStateStore#transaction}.
 */
package io.github.brazeodp.sync.state;
