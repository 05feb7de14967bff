package io.github.brazeodp.braze;

import com.squareup.moshi.Json;
import java.util.List;

/**
 * Braze's answer to one {@code /users/track} request.
 *
 * <p>{@code "success"} with a non-empty {@link #errors()} is a partial success: the rows named in
 * the errors were rejected and every other row was processed.
 *
 * @param message Braze's message, normally {@code success}
 * @param attributesProcessed number of attribute objects queued, when reported
 * @param eventsProcessed number of events queued, when reported
 * @param purchasesProcessed number of purchases queued, when reported
 * @param errors the rejected rows ({@code input_array} and {@code index} of this request)
 */
public record TrackResponse(
    String message,
    @Json(name = "attributes_processed") Integer attributesProcessed,
    @Json(name = "events_processed") Integer eventsProcessed,
    @Json(name = "purchases_processed") Integer purchasesProcessed,
    List<BrazeError> errors) {
  /** Copies the errors. */
  public TrackResponse {
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /** Returns whether Braze rejected none of the rows. */
  public boolean fullySucceeded() {
    return errors.isEmpty();
  }
}
