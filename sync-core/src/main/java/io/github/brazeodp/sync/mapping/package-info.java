/**
 * Field mapping rules of the segment sync: which Braze export fields become which ODP customer
 * fields, how values are transformed and converted, and how the rules are checked against the ODP
 * customer schema before a run.
 *
 * <p>Start from {@link io.github.brazeodp.sync.mapping.FieldMappings#defaults()}, adjust with
 * {@code add}, {@code remove} and {@code without}, check with {@code validate(schema)} and map each
 * exported user with {@code apply(user)} on the validated rules. All types are immutable and safe
 * to share between threads.
 */
package io.github.brazeodp.sync.mapping;
