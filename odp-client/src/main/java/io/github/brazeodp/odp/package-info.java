/**
 * Typed Java client for the Optimizely Data Platform (ODP) v3 API.
 *
 * <p>Start with {@link io.github.brazeodp.odp.OdpClient#builder()}. Services: {@code events()},
 * {@code profiles()}, {@code lists()}, {@code schema()}, {@code segments()} and {@code exports()}.
 * Everything in {@code io.github.brazeodp.odp.internal} is an implementation detail.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/authentication">ODP
 *     API reference</a>
 */
package io.github.brazeodp.odp;
