package io.github.brazeodp.odp.internal;

/**
 * Per-attempt facts carried on each OkHttp request as a tag, so interceptors can report them.
 *
 * @param endpoint stable family name of the API, e.g. {@code "events"}
 * @param attempt 1-based attempt number within one logical call
 * @param captureBodies false for binary downloads, whose bodies are not worth copying into events
 */
public record ExchangeTag(String endpoint, int attempt, boolean captureBodies) {}
