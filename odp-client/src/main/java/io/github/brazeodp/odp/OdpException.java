package io.github.brazeodp.odp;

import java.util.Optional;

/**
 * Root of every exception the ODP client throws; unchecked.
 *
 * <p>Messages name the endpoint, the HTTP status and ODP's message, and never contain the API key.
 * When a batch call fails part-way, {@link #partialResult()} tells which rows earlier requests
 * delivered.
 */
public class OdpException extends RuntimeException {
  private final String endpoint;
  private volatile BatchResult partialResult;

  /**
   * Creates an exception.
   *
   * @param endpoint the API family name, e.g. {@code "events"}
   * @param message the message
   * @param cause the cause, may be null
   */
  public OdpException(String endpoint, String message, Throwable cause) {
    super(message, cause);
    this.endpoint = endpoint;
  }

  /** Returns the API family name, e.g. {@code "events"}. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * Returns the outcome of the rows of a batch call up to this failure: rows of requests that
   * finished are {@link RowStatus#ACCEPTED} (or rejected by a 400), the failed request's rows
   * {@link RowStatus#UNCONFIRMED}, rows never sent {@link RowStatus#NOT_SENT}. With several
   * requests in flight, the requests already running when one failed are waited for, so rows after
   * the failed ones may be accepted. Empty for non-batch calls.
   */
  public Optional<BatchResult> partialResult() {
    return Optional.ofNullable(partialResult);
  }

  void attachPartialResult(BatchResult result) {
    this.partialResult = result;
  }
}
