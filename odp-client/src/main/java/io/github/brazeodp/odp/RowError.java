package io.github.brazeodp.odp;

/**
 * Why ODP rejected one input row of a batch call.
 *
 * @param index the row's index in the caller's input list (across all requests of the call)
 * @param field the field ODP named, or null
 * @param message ODP's message
 */
public record RowError(int index, String field, String message) {}
