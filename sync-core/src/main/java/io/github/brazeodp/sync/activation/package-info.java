/**
 * ODP → Braze activation (Flow 3 of the integration model): an {@link
 * io.github.brazeodp.sync.activation.Activation} enrolls an ODP segment (run by {@link
 * io.github.brazeodp.sync.activation.ActivationRunner}, on a {@link
 * io.github.brazeodp.sync.activation.Schedule} through {@link
 * io.github.brazeodp.sync.activation.ActivationScheduler}) or customers triggering ODP events (fed
 * to an {@link io.github.brazeodp.sync.activation.EventActivation}), renders up to 20 templated
 * Braze fields, and sends through a campaign, a Canvas or a profile update, at most once per
 * (activation, occurrence, customer) thanks to the state store's activation ledger.
 */
package io.github.brazeodp.sync.activation;
