package io.github.brazeodp.sync.state;

/**
 * How much the durable outbox holds, so that a receiver can refuse new events at a bound.
 *
 * @param messages the number of messages
 * @param bytes the sum of the payloads' UTF-8 sizes
 */
public record OutboxSize(long messages, long bytes) {}
