/** Implementation details of sync-core; not public API. */
package io.github.brazeodp.sync.internal;
