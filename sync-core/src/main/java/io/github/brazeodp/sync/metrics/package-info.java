/**
 * Metrics for the clients and flows, through an optional Micrometer binding.
 *
 * <p>Start from {@link io.github.brazeodp.sync.metrics.SyncMetrics#micrometer}: wire its {@code
 * brazeListener()} and {@code odpListener()} into the clients, call {@code record(report)} after
 * each run and {@code bindOutbox(store)} once. Micrometer is an optional dependency of sync-core:
 * applications that never touch this package do not need it on the class path.
 */
package io.github.brazeodp.sync.metrics;
