/**
 * The Braze ↔ ODP flows: segment sync ({@code segments}), Currents forwarding, activation; the
 * ports they use ({@code port}), adapters over the real clients ({@code adapter}), in-memory fakes
 * ({@code fake}), the state store ({@code state}), mapping rules ({@code mapping}) and the event
 * inspector ({@code inspect}).
 */
package io.github.brazeodp.sync;
