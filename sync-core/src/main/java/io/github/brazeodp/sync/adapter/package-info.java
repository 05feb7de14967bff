/** Adapters of the ports over the real Braze and ODP clients. */
package io.github.brazeodp.sync.adapter;
