package io.github.brazeodp.sync.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.sync.inspect.InspectedExchange.Source;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RingBufferInspectorTest {
  private static InspectedExchange numbered(int n) {
    return TestExchanges.exchange(Source.BRAZE, 200, "{\"n\":" + n + "}");
  }

  @Test
  void keepsTheLatestExchangesNewestLastAndCountsTheDropped() {
    RingBufferInspector ring = EventInspector.ringBuffer(3);
    for (int i = 1; i <= 5; i++) {
      ring.record(numbered(i));
    }

    assertThat(ring.snapshot())
        .extracting(InspectedExchange::requestBody)
        .containsExactly("{\"n\":3}", "{\"n\":4}", "{\"n\":5}");
    assertThat(ring.size()).isEqualTo(3);
    assertThat(ring.capacity()).isEqualTo(3);
    assertThat(ring.dropped()).isEqualTo(2);
  }

  @Test
  void snapshotBeforeFullIsInOrderAndDropsNothing() {
    RingBufferInspector ring = EventInspector.ringBuffer(10);
    ring.record(numbered(1));
    ring.record(numbered(2));

    assertThat(ring.snapshot())
        .extracting(InspectedExchange::requestBody)
        .containsExactly("{\"n\":1}", "{\"n\":2}");
    assertThat(ring.dropped()).isZero();
  }

  @Test
  void snapshotIsACopyTheBufferDoesNotChange() {
    RingBufferInspector ring = EventInspector.ringBuffer(2);
    ring.record(numbered(1));
    List<InspectedExchange> before = ring.snapshot();

    ring.record(numbered(2));
    ring.record(numbered(3));

    assertThat(before).extracting(InspectedExchange::requestBody).containsExactly("{\"n\":1}");
    assertThatThrownBy(() -> before.add(numbered(9)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void clearEmptiesTheBufferButKeepsTheDroppedCount() {
    RingBufferInspector ring = EventInspector.ringBuffer(1);
    ring.record(numbered(1));
    ring.record(numbered(2));

    ring.clear();
    ring.record(numbered(3));

    assertThat(ring.snapshot())
        .extracting(InspectedExchange::requestBody)
        .containsExactly("{\"n\":3}");
    assertThat(ring.dropped()).isEqualTo(1);
  }

  @Test
  void storesRedactedExchangesEvenWhenRecordedDirectly() {
    RingBufferInspector ring = EventInspector.ringBuffer(1);

    ring.record(TestExchanges.exchange(Source.CURRENTS, 200, "{\"api_key\":\"live\"}"));

    assertThat(ring.snapshot().get(0).requestBody()).isEqualTo("{\"api_key\":\"[REDACTED]\"}");
  }

  @Test
  void rejectsACapacityBelowOne() {
    assertThatThrownBy(() -> EventInspector.ringBuffer(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
  }

  @Test
  void staysBoundedAndOrderedUnderConcurrentWriters() throws Exception {
    int threads = 4;
    int perThread = 2_000;
    int capacity = 100;
    RingBufferInspector ring = EventInspector.ringBuffer(capacity);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    ring.record(
                        TestExchanges.exchange(
                            Source.ODP, 200, "{\"t\":" + thread + ",\"i\":" + i + "}"));
                    if (i % 500 == 0) {
                      assertThat(ring.snapshot().size()).isLessThanOrEqualTo(capacity);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<InspectedExchange> kept = ring.snapshot();
    assertThat(kept).hasSize(capacity);
    assertThat(ring.dropped()).isEqualTo((long) threads * perThread - capacity);
    // Each writer's exchanges appear in the order it recorded them; the newest survive.
    Map<Integer, Integer> lastSeen = new HashMap<>();
    for (InspectedExchange e : kept) {
      String body = e.requestBody();
      int thread = Integer.parseInt(body.substring(body.indexOf(':') + 1, body.indexOf(',')));
      int i = Integer.parseInt(body.substring(body.lastIndexOf(':') + 1, body.indexOf('}')));
      assertThat(i).isGreaterThan(lastSeen.getOrDefault(thread, -1));
      lastSeen.put(thread, i);
    }
    assertThat(lastSeen.values()).contains(perThread - 1);
  }
}
