/**
 * Typed client for the Braze REST API.
 *
 * <p>Start with {@link io.github.brazeodp.braze.BrazeClient#builder()}. Everything under {@code
 * io.github.brazeodp.braze.internal} is an implementation detail and may change without notice.
 */
package io.github.brazeodp.braze;
