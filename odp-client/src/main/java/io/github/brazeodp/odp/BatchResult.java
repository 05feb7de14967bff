package io.github.brazeodp.odp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The per-row outcome of a batch call, with every ODP complaint mapped back to the caller's input
 * index across all requests the call was split into.
 *
 * <p>Partial success is data, not an exception: a 400 whose {@code detail.invalids[]} names rows
 * marks those rows {@link RowStatus#REJECTED} and the rest of that request {@link
 * RowStatus#UNCONFIRMED}; a request refused whole without a row named is split until only the rows
 * ODP refuses on their own are rejected; other requests carry on. Immutable.
 */
public final class BatchResult {
  private static final RowStatus[] STATUSES = RowStatus.values();

  private final byte[] statuses;
  private final List<RowError> errors;
  private final int requests;

  BatchResult(byte[] statuses, List<RowError> errors, int requests) {
    this.statuses = statuses.clone();
    List<RowError> sorted = new ArrayList<>(errors);
    sorted.sort(Comparator.comparingInt(RowError::index));
    this.errors = List.copyOf(sorted);
    this.requests = requests;
  }

  /**
   * Creates a result from per-row statuses, for in-memory stand-ins of ODP; the client builds its
   * own results from ODP's responses.
   */
  public static BatchResult of(List<RowStatus> statuses, List<RowError> errors, int requests) {
    byte[] codes = new byte[statuses.size()];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (byte) statuses.get(i).ordinal();
    }
    return new BatchResult(codes, errors, requests);
  }

  /** Returns the number of input rows. */
  public int size() {
    return statuses.length;
  }

  /** Returns how many HTTP requests the call made, splits included (retries not counted). */
  public int requestCount() {
    return requests;
  }

  /**
   * Returns the outcome of input row {@code index}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not an input index
   */
  public RowStatus status(int index) {
    Objects.checkIndex(index, statuses.length);
    return STATUSES[statuses[index]];
  }

  /** Returns ODP's complaints about rejected rows, sorted by input index. */
  public List<RowError> errors() {
    return errors;
  }

  /** Returns the number of rows with {@code status}. */
  public int count(RowStatus status) {
    int n = 0;
    for (byte s : statuses) {
      if (s == status.ordinal()) {
        n++;
      }
    }
    return n;
  }

  /** Returns the input indexes with {@code status}, ascending. */
  public List<Integer> indexes(RowStatus status) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < statuses.length; i++) {
      if (statuses[i] == status.ordinal()) {
        out.add(i);
      }
    }
    return List.copyOf(out);
  }

  /** Returns true when every row was accepted. */
  public boolean allAccepted() {
    return count(RowStatus.ACCEPTED) == statuses.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatchResult r
        && r.requests == requests
        && Arrays.equals(r.statuses, statuses)
        && r.errors.equals(errors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(statuses), errors, requests);
  }

  @Override
  public String toString() {
    return "BatchResult{size="
        + statuses.length
        + ", requests="
        + requests
        + ", accepted="
        + count(RowStatus.ACCEPTED)
        + ", rejected="
        + count(RowStatus.REJECTED)
        + ", unconfirmed="
        + count(RowStatus.UNCONFIRMED)
        + ", notSent="
        + count(RowStatus.NOT_SENT)
        + "}";
  }
}
