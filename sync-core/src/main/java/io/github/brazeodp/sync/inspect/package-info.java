/**
 * The event inspector: an opt-in record of every request and response exchanged with Braze, ODP and
 * the Currents receiver, with secrets redacted, for troubleshooting.
 *
 * <p>Start from {@link io.github.brazeodp.sync.inspect.EventInspector}: {@code
 * EventInspector.ringBuffer(200)} keeps the latest exchanges in memory, {@code
 * EventInspector.jsonLines(path)} appends them to a file; wire either into the clients with {@code
 * brazeListener()} and {@code odpListener()}.
 */
package io.github.brazeodp.sync.inspect;
