/**
 * In-memory Braze and ODP for tests: seed them, inspect what the code under test did, and inject
 * failures. They pass the same contract tests as the adapters over the real clients.
 */
package io.github.brazeodp.sync.fake;
