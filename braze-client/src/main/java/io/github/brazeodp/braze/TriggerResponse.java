package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.Optional;

/**
 * Braze's answer to a trigger send.
 *
 * <p>A paused or archived Canvas answers success with a {@code notice} and sends nothing: check
 * {@link #notice()} rather than trusting {@code "success"} alone.
 *
 * @param message normally {@code success}
 * @param dispatchId one id for the whole call
 * @param notice a warning such as "The Canvas is paused...", or null
 */
public record TriggerResponse(
    String message, @Json(name = "dispatch_id") String dispatchId, String notice) {

  /** Returns the notice, if Braze sent one. */
  public Optional<String> warning() {
    return Optional.ofNullable(notice);
  }

  /** Returns whether Braze said the Canvas is paused or archived, so nothing was sent. */
  public boolean nothingSent() {
    if (notice == null) {
      return false;
    }
    String n = notice.toLowerCase(java.util.Locale.ROOT);
    return n.contains("paused") || n.contains("archived");
  }
}
