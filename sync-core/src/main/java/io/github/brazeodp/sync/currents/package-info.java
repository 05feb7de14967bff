/**
 * Braze Currents forwarding (Flow 2): receive Currents batches, turn each event into an ODP event,
 * de-duplicate, queue durably and forward to ODP without losing an event.
 *
 * <p>Start from {@link io.github.brazeodp.sync.currents.CurrentsReceiver}, which answers Braze's
 * HTTP posts, and {@link io.github.brazeodp.sync.currents.CurrentsForwarder}, which drains the
 * durable outbox into ODP. {@link io.github.brazeodp.sync.currents.CurrentsTransformer} holds the
 * mapping rules of one event.
 */
package io.github.brazeodp.sync.currents;
