package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.accepted;
import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** One batch call keeps several requests in flight and still maps outcomes to its rows. */
class PipeliningTest {
  private static final Pattern FIRST_ID = Pattern.compile("\"idempotence_id\":\"id-(\\d+)\"");

  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  private static List<OdpEvent> events(int count) {
    List<OdpEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          OdpEvent.builder("product", "view")
              .identifier("email", "u" + i + "@example.com")
              .idempotenceId("id-" + i)
              .build());
    }
    return out;
  }

  private static int firstRow(RecordedRequest request) {
    Matcher m = FIRST_ID.matcher(request.getBody().utf8());
    if (!m.find()) {
      throw new AssertionError("no event in " + request.getBody().utf8());
    }
    return Integer.parseInt(m.group(1));
  }

  /**
   * Holds requests until {@code inFlight} of them are waiting, then answers them newest first, so
   * responses complete out of order; records the most requests it ever saw at once.
   */
  static class Gate extends Dispatcher {
    final int inFlight;
    final AtomicInteger current = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final Object lock = new Object();
    int waiting;
    int released;

    Gate(int inFlight) {
      this.inFlight = inFlight;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      int now = current.incrementAndGet();
      most.accumulateAndGet(now, Math::max);
      int row = firstRow(request);
      try {
        synchronized (lock) {
          waiting++;
          lock.notifyAll();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
          // Wait until a full round is here (or the call's tail, which is smaller).
          while (waiting < inFlight && released == 0 && System.nanoTime() < deadline) {
            lock.wait(50);
          }
          released++;
        }
        // Later rows answer first: out-of-order completion.
        Thread.sleep(Math.max(0, 40 - row / 10));
        return answer(row);
      } finally {
        current.decrementAndGet();
      }
    }

    MockResponse answer(int row) {
      return accepted();
    }
  }

  @Test
  void keepsAtMostNInFlightAndMapsRowsInOrder() {
    Gate gate =
        new Gate(4) {
          @Override
          MockResponse answer(int row) {
            // The request holding rows 30..39 names its third row.
            if (row == 30) {
              return json(
                  400,
                  "{\"title\":\"Bad Request\",\"status\":400,"
                      + "\"detail\":{\"invalids\":[{\"event\":2,\"message\":\"bad\"}]}}");
            }
            return accepted();
          }
        };
    server.setDispatcher(gate);
    OdpClient client =
        t.builder().batching(BatchSettings.builder().maxItems(10).maxInFlight(4).build()).build();

    BatchResult result = client.events().send(events(200));

    assertThat(gate.most.get()).isEqualTo(4);
    assertThat(result.requestCount()).isEqualTo(20);
    assertThat(result.indexes(RowStatus.REJECTED)).containsExactly(32);
    assertThat(result.errors()).containsExactly(new RowError(32, null, "bad", 400));
    assertThat(result.indexes(RowStatus.UNCONFIRMED))
        .containsExactly(30, 31, 33, 34, 35, 36, 37, 38, 39);
    assertThat(result.count(RowStatus.ACCEPTED)).isEqualTo(190);
  }

  @Test
  void theDefaultKeepsThirtyTwoInFlight() {
    Gate gate = new Gate(32);
    server.setDispatcher(gate);

    BatchResult result = t.client().events().send(events(4_000));

    assertThat(BatchSettings.defaults().maxInFlight()).isEqualTo(32);
    assertThat(result.allAccepted()).isTrue();
    assertThat(result.requestCount()).isEqualTo(40);
    assertThat(gate.most.get()).isEqualTo(32);
  }

  @Test
  void aHardFailureStopsNewRequestsAndReportsTheInFlightOnes() throws Exception {
    CountDownLatch failed = new CountDownLatch(1);
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            int row = firstRow(request);
            if (row == 10) {
              failed.countDown();
              return json(401, "{\"message\":\"Unauthorized\"}");
            }
            // The others of the first round answer well after the failure reached the client.
            failed.await(5, TimeUnit.SECONDS);
            Thread.sleep(500);
            return accepted();
          }
        });
    OdpClient client =
        t.builder().batching(BatchSettings.builder().maxItems(10).maxInFlight(3).build()).build();

    assertThatThrownBy(() -> client.events().send(events(100)))
        .isInstanceOfSatisfying(
            OdpAuthException.class,
            e -> {
              BatchResult partial = e.partialResult().orElseThrow();
              assertThat(partial.indexes(RowStatus.UNCONFIRMED))
                  .containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
              assertThat(partial.count(RowStatus.ACCEPTED)).isEqualTo(20);
              assertThat(partial.count(RowStatus.NOT_SENT)).isEqualTo(70);
              assertThat(partial.requestCount()).isEqualTo(3);
            });
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void profileUpsertsArePipelinedToo() {
    Gate gate = new Gate(3);
    server.setDispatcher(gate);
    List<ProfileUpdate> updates = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      updates.add(
          ProfileUpdate.builder()
              .identifier("email", "p" + i + "@example.com")
              .attribute("idempotence_id", "id-" + i)
              .build());
    }
    OdpClient client =
        t.builder()
            .rateLimits(RateLimits.unlimited())
            .batching(BatchSettings.builder().maxItems(1).maxInFlight(3).build())
            .build();

    BatchResult result = client.profiles().upsert(updates);

    assertThat(result.allAccepted()).isTrue();
    assertThat(gate.most.get()).isEqualTo(3);
  }

  @Test
  void aClosedClientRefusesBatchCalls() {
    OdpClient client = t.client();
    client.close();

    assertThatThrownBy(() -> client.events().send(events(300)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void maxInFlightIsValidated() {
    assertThatThrownBy(() -> BatchSettings.builder().maxInFlight(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlight must be between 1 and 64: 0");
    assertThatThrownBy(() -> BatchSettings.builder().maxInFlight(65))
        .hasMessage("maxInFlight must be between 1 and 64: 65");
  }
}
