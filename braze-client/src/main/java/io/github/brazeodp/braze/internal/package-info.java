/**
 * Implementation details of the Braze client: HTTP pipeline, retries, pacing, JSON. Not public API.
 */
package io.github.brazeodp.braze.internal;
