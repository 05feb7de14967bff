package io.github.brazeodp.odp;

/**
 * Why one input row of a batch call was refused.
 *
 * @param index the row's index in the caller's input list (across all requests of the call)
 * @param field the field ODP named, or null
 * @param message ODP's message
 * @param status the HTTP status of ODP's refusal (400, 413 or 422), or 0 when the row was refused
 *     without an HTTP answer (client-side validation, in-memory stand-ins)
 */
public record RowError(int index, String field, String message, int status) {
  /** Creates an error without an HTTP status ({@code status} 0). */
  public RowError(int index, String field, String message) {
    this(index, field, message, 0);
  }
}
