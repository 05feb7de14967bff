/**
 * How to host the SDK: a command-line host ({@code cli}), local Braze and ODP sandboxes ({@code
 * sandbox}), and a Currents receiver on the JDK's HTTP server ({@code currents}).
 */
package io.github.brazeodp.samples;
