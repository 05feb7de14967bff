/**
 * The host's troubleshooting page: the activity log with a chart of runs, the Currents outbox and
 * dead letters, and the live event inspector, served read-only on an embedded Jetty of its own.
 */
package io.github.brazeodp.samples.ui;
