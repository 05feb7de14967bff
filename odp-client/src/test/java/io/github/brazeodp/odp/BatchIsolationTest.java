package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.accepted;
import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** Whole-request refusals are split until only the rows ODP refuses on their own are refused. */
class BatchIsolationTest {
  private static final Pattern ID = Pattern.compile("\"idempotence_id\":\"(id-\\d+)\"");
  private static final Pattern EMAIL = Pattern.compile("\"email\":\"([^\"]+)\"");

  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  private static List<OdpEvent> events(int count, int poison) {
    List<OdpEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          OdpEvent.builder("product", i == poison ? "poison" : "add_to_cart")
              .identifier("email", "user" + i + "@example.com")
              .idempotenceId("id-" + i)
              .build());
    }
    return out;
  }

  private static List<String> matches(Pattern p, String body) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(body);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static MockResponse refused(String message) {
    return json(
        400,
        "{\"title\":\"Bad Request\",\"status\":400,\"detail\":{\"message\":\"" + message + "\"}}");
  }

  /**
   * An ODP stand-in that refuses, without naming a row, any request over {@code cap} objects or
   * holding an event with action {@code poison}, and records which ids it accepted.
   */
  static final class StrictOdp extends Dispatcher {
    final int cap;
    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    final AtomicInteger requests = new AtomicInteger();

    StrictOdp(int cap) {
      this.cap = cap;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      requests.incrementAndGet();
      String body = request.getBody().utf8();
      // Events are told apart by idempotence id, profiles by email.
      List<String> ids = matches(ID, body);
      if (ids.isEmpty()) {
        ids = matches(EMAIL, body);
      }
      if (ids.size() > cap) {
        return refused("A maximum batch size of " + cap + " is allowed in a single request");
      }
      if (body.contains("poison")) {
        return refused("unknown action poison");
      }
      accepted.addAll(ids);
      return accepted();
    }
  }

  @Test
  void aServerCappedAt50GetsEveryEventAndRefusesNone() {
    StrictOdp odp = new StrictOdp(50);
    server.setDispatcher(odp);
    OdpClient client = t.builder().batching(BatchSettings.builder().maxItems(500).build()).build();

    BatchResult result = client.events().send(events(500, -1));

    assertThat(result.allAccepted()).isTrue();
    assertThat(result.errors()).isEmpty();
    assertThat(odp.accepted).hasSize(500);
    // Halved four times (250, 125, 63, 32): 1 + 2 + 4 + 8 + 16 requests.
    assertThat(result.requestCount()).isEqualTo(31).isEqualTo(odp.requests.get());
  }

  @Test
  void onePoisonEventAmong500IsTheOnlyOneRefusedWithItsReason() {
    StrictOdp odp = new StrictOdp(500);
    server.setDispatcher(odp);
    OdpClient client = t.builder().batching(BatchSettings.builder().maxItems(500).build()).build();

    BatchResult result = client.events().send(events(500, 123));

    assertThat(result.count(RowStatus.ACCEPTED)).isEqualTo(499);
    assertThat(result.indexes(RowStatus.REJECTED)).containsExactly(123);
    assertThat(result.errors())
        .containsExactly(new RowError(123, null, "unknown action poison", 400));
    assertThat(odp.accepted).hasSize(499).doesNotContain("id-123");
    // log2(500) rounds of halving, two requests each, plus the first: bounded, not 500.
    assertThat(result.requestCount()).isLessThanOrEqualTo(1 + 2 * 9);
  }

  @Test
  void theDefaultCapIs100AndPoisonIsIsolatedInEveryRequest() {
    StrictOdp odp = new StrictOdp(100);
    server.setDispatcher(odp);

    List<OdpEvent> events = events(300, 250);
    BatchResult result = t.client().events().send(events);

    assertThat(BatchSettings.defaults().maxItems()).isEqualTo(100);
    assertThat(result.indexes(RowStatus.REJECTED)).containsExactly(250);
    assertThat(result.count(RowStatus.ACCEPTED)).isEqualTo(299);
  }

  @Test
  void a413And422AreSplitToo() {
    AtomicInteger n = new AtomicInteger();
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            int rows = matches(ID, request.getBody().utf8()).size();
            if (rows == 4) {
              return json(413, "{\"message\":\"Payload Too Large\"}");
            }
            if (rows == 2 && n.getAndIncrement() == 0) {
              return json(422, "{\"message\":\"Unprocessable\"}");
            }
            return accepted();
          }
        });

    BatchResult result = t.client().events().send(events(4, -1));

    assertThat(result.allAccepted()).isTrue();
    // 4 -> 2 (422) + 2; the first 2 -> 1 + 1.
    assertThat(result.requestCount()).isEqualTo(5);
  }

  @Test
  void a401IsNotSplit() {
    server.enqueue(json(401, "{\"message\":\"Unauthorized\"}"));

    assertThatThrownBy(() -> t.client().events().send(events(100, -1)))
        .isInstanceOfSatisfying(
            OdpAuthException.class,
            e -> {
              BatchResult partial = e.partialResult().orElseThrow();
              assertThat(partial.count(RowStatus.UNCONFIRMED)).isEqualTo(100);
              assertThat(partial.requestCount()).isEqualTo(1);
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aHardFailureOfOneHalfLeavesTheRestUnsentAndTheAcceptedHalfAccepted() {
    server.enqueue(refused("too big"));
    server.enqueue(accepted());
    server.enqueue(json(403, "{\"message\":\"Forbidden\"}"));
    OdpClient client = t.builder().retry(RetrySettings.none()).build();

    assertThatThrownBy(() -> client.events().send(events(8, -1)))
        .isInstanceOfSatisfying(
            OdpAuthException.class,
            e -> {
              BatchResult partial = e.partialResult().orElseThrow();
              assertThat(partial.indexes(RowStatus.ACCEPTED)).containsExactly(0, 1, 2, 3);
              assertThat(partial.indexes(RowStatus.UNCONFIRMED)).containsExactly(4, 5, 6, 7);
              assertThat(partial.requestCount()).isEqualTo(3);
            });
  }

  @Test
  void rowsNamedByInvalidsAreRejectedAndTheOthersStayUnconfirmedWithoutSplitting() {
    server.enqueue(
        json(
            400,
            "{\"title\":\"Bad Request\",\"status\":400,"
                + "\"detail\":{\"invalids\":[{\"event\":2,\"message\":\"bad email\"}]}}"));

    BatchResult result = t.client().events().send(events(4, -1));

    assertThat(result.indexes(RowStatus.REJECTED)).containsExactly(2);
    assertThat(result.indexes(RowStatus.UNCONFIRMED)).containsExactly(0, 1, 3);
    assertThat(result.errors()).containsExactly(new RowError(2, null, "bad email", 400));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void invalidsThatNameNoRowOfTheRequestAreSplitLikeAnUnnamedRefusal() {
    server.enqueue(
        json(
            400,
            "{\"title\":\"Bad Request\",\"status\":400,"
                + "\"detail\":{\"invalids\":[{\"event\":9,\"message\":\"out of range\"}]}}"));
    server.enqueue(accepted());
    server.enqueue(accepted());

    BatchResult result = t.client().events().send(events(2, -1));

    assertThat(result.allAccepted()).isTrue();
    assertThat(result.requestCount()).isEqualTo(3);
  }

  @Test
  void splitWorkIsBoundedByTheRequestSize() {
    // Every request is refused: halving down to single rows would take 2n - 1 requests.
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return refused("nothing is welcome");
          }
        });

    BatchResult result = t.client().events().send(events(16, -1));

    assertThat(result.count(RowStatus.REJECTED)).isEqualTo(16);
    assertThat(result.errors()).extracting(RowError::message).containsOnly("nothing is welcome");
    // At most 16 extra requests, 2 per split: 1 + 16 instead of 31.
    assertThat(result.requestCount()).isEqualTo(1 + 16);
    assertThat(server.getRequestCount()).isEqualTo(result.requestCount());
  }

  @Test
  void oneBadProfileNeverLosesItsBatch() {
    StrictOdp odp = new StrictOdp(100);
    server.setDispatcher(odp);
    List<ProfileUpdate> updates = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      updates.add(
          ProfileUpdate.builder()
              .identifier("email", (i == 17 ? "poison" : "user") + i + "@example.com")
              .build());
    }

    BatchResult result =
        t.builder().rateLimits(RateLimits.unlimited()).build().profiles().upsert(updates);

    assertThat(result.indexes(RowStatus.REJECTED)).containsExactly(17);
    assertThat(result.count(RowStatus.ACCEPTED)).isEqualTo(39);
    assertThat(odp.accepted).hasSize(39);
  }
}
