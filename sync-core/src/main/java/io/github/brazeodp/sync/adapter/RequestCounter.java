package io.github.brazeodp.sync.adapter;

import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.braze.BrazeExchange;
import io.github.brazeodp.odp.OdpEventListener;
import io.github.brazeodp.odp.OdpExchange;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the HTTP attempts of the Braze and ODP clients as the servers see them, retries included,
 * so that activity records report requests rather than operations.
 *
 * <p>Register {@link #onBraze} and {@link #onOdp} as (or, with {@link
 * io.github.brazeodp.sync.metrics.ClientListeners}, beside) the clients' event listeners; the
 * clients call it once per attempt. A flow reads a {@link #snapshot()} when it starts and when it
 * ends and reports the difference, so one counter can serve every run of a host; runs that overlap
 * in one process share the counter and each sees the other's requests.
 *
 * <pre>{@code
 * RequestCounter requests = new RequestCounter();
 * BrazeClient braze = BrazeClient.builder()...eventListener(requests::onBraze).build();
 * OdpClient odp = OdpClient.builder()...eventListener(requests::onOdp).build();
 * SegmentSync.builder()...requestCounter(requests).build().run();
 * }</pre>
 */
public final class RequestCounter {
  private final AtomicLong brazeRequests = new AtomicLong();
  private final AtomicLong brazeRetries = new AtomicLong();
  private final AtomicLong odpRequests = new AtomicLong();
  private final AtomicLong odpRetries = new AtomicLong();

  /** Creates a counter at zero. */
  public RequestCounter() {}

  /**
   * Counts one Braze attempt; usable as a {@link BrazeEventListener}.
   *
   * @param exchange the attempt
   */
  public void onBraze(BrazeExchange exchange) {
    brazeRequests.incrementAndGet();
    if (exchange.attempt() > 1) {
      brazeRetries.incrementAndGet();
    }
  }

  /**
   * Counts one ODP attempt; usable as an {@link OdpEventListener}.
   *
   * @param exchange the attempt
   */
  public void onOdp(OdpExchange exchange) {
    odpRequests.incrementAndGet();
    if (exchange.attempt() > 1) {
      odpRetries.incrementAndGet();
    }
  }

  /**
   * Returns the counts so far.
   *
   * @return a snapshot
   */
  public Counts snapshot() {
    return new Counts(brazeRequests.get(), brazeRetries.get(), odpRequests.get(), odpRetries.get());
  }

  /**
   * HTTP attempts counted at one moment.
   *
   * @param brazeRequests attempts sent to Braze, retries included
   * @param brazeRetries of those, the retries
   * @param odpRequests attempts sent to ODP, retries included
   * @param odpRetries of those, the retries
   */
  public record Counts(long brazeRequests, long brazeRetries, long odpRequests, long odpRetries) {
    /**
     * Returns what was counted since {@code earlier}.
     *
     * @param earlier an earlier snapshot of the same counter
     * @return the difference
     */
    public Counts since(Counts earlier) {
      return new Counts(
          brazeRequests - earlier.brazeRequests,
          brazeRetries - earlier.brazeRetries,
          odpRequests - earlier.odpRequests,
          odpRetries - earlier.odpRetries);
    }
  }
}
