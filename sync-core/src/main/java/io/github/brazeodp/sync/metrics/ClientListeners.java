package io.github.brazeodp.sync.metrics;

import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.braze.BrazeExchange;
import io.github.brazeodp.braze.BrazeWait;
import io.github.brazeodp.odp.OdpEventListener;
import io.github.brazeodp.odp.OdpExchange;
import io.github.brazeodp.odp.OdpWait;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines client listeners, since each client takes one: for example the event inspector and the
 * metrics.
 *
 * <p>Every listener sees every exchange and every wait, in the given order; one that throws does
 * not stop the others (the failure is logged once per combined listener, since it would recur on
 * every request).
 */
public final class ClientListeners {
  private static final Logger LOG = LoggerFactory.getLogger(ClientListeners.class);

  private ClientListeners() {}

  /** Returns a Braze listener that passes each exchange and wait to all of {@code listeners}. */
  public static BrazeEventListener braze(BrazeEventListener... listeners) {
    List<BrazeEventListener> all = List.of(listeners);
    AtomicBoolean warned = new AtomicBoolean();
    return new BrazeEventListener() {
      @Override
      public void onExchange(BrazeExchange exchange) {
        each(all, warned, l -> l.onExchange(exchange));
      }

      @Override
      public void onWait(BrazeWait wait) {
        each(all, warned, l -> l.onWait(wait));
      }
    };
  }

  /** Returns an ODP listener that passes each exchange and wait to all of {@code listeners}. */
  public static OdpEventListener odp(OdpEventListener... listeners) {
    List<OdpEventListener> all = List.of(listeners);
    AtomicBoolean warned = new AtomicBoolean();
    return new OdpEventListener() {
      @Override
      public void onExchange(OdpExchange exchange) {
        each(all, warned, l -> l.onExchange(exchange));
      }

      @Override
      public void onWait(OdpWait wait) {
        each(all, warned, l -> l.onWait(wait));
      }
    };
  }

  private static <L> void each(List<L> all, AtomicBoolean warned, Consumer<L> call) {
    for (L l : all) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        warnOnce(warned, l, e);
      }
    }
  }

  private static void warnOnce(AtomicBoolean warned, Object listener, RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      LOG.warn(
          "Listener {} failed; the request and the other listeners are unaffected (further"
              + " failures of this combination are not logged)",
          Objects.toString(listener),
          e);
    }
  }
}
