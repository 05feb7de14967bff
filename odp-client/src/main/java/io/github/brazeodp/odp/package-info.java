/** Placeholder until the module's issue lands. */
package io.github.brazeodp.odp;
