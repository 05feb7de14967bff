package io.github.brazeodp.samples.boot;

import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.segments.Selection;

/** The configured segment sync: what to export and how to map it. */
public record SegmentSyncPlan(
    Selection selection,
    FieldMappings mappings,
    IdentityRule identity,
    boolean createMissingFields,
    int batchSize,
    int concurrentExports) {}
