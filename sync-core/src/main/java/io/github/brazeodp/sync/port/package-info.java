/**
 * Ports: the narrow interfaces through which the flows reach Braze and ODP, so that the real
 * clients and the in-memory fakes are interchangeable.
 */
package io.github.brazeodp.sync.port;
