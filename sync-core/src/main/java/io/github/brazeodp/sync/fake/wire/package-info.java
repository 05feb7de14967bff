/**
 * Framework-neutral HTTP stand-ins for Braze and ODP over the in-memory fakes: {@link
 * io.github.brazeodp.sync.fake.wire.BrazeWire} and {@link
 * io.github.brazeodp.sync.fake.wire.OdpWire} answer a {@link
 * io.github.brazeodp.sync.fake.wire.WireRequest} with a {@link
 * io.github.brazeodp.sync.fake.wire.WireResponse} in the real wire formats, so any HTTP server
 * (MockWebServer in tests, the JDK's server in the sandboxes) can host them.
 */
package io.github.brazeodp.sync.fake.wire;
