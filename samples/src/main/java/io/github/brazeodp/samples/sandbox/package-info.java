/**
 * Local Braze and ODP sandboxes: real HTTP servers on 127.0.0.1 that speak the real wire formats
 * over the in-memory fakes, plus a seeded demo world.
 */
package io.github.brazeodp.samples.sandbox;
