package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.accepted;
import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class ClientConfigTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  @Test
  void detectsRegionFromKeySuffix() {
    assertThat(OdpRegion.fromApiKey("public-eu1.secret-part")).isEqualTo(OdpRegion.EU);
    assertThat(OdpRegion.fromApiKey("abc-au1.xyz")).isEqualTo(OdpRegion.AU);
    assertThat(OdpRegion.fromApiKey("abc-au1")).isEqualTo(OdpRegion.AU);
    assertThat(OdpRegion.fromApiKey("abc.xyz-eu1")).isEqualTo(OdpRegion.US);
    assertThat(OdpRegion.fromApiKey("W4WzcEs-ABgXorzY7h1LCQ")).isEqualTo(OdpRegion.US);

    assertThat(OdpClient.builder().apiKey("k-eu1.s").build().baseUrl())
        .isEqualTo("https://api.eu1.odp.optimizely.com/v3/");
    assertThat(OdpClient.builder().apiKey("k-au1.s").build().baseUrl())
        .isEqualTo("https://api.au1.odp.optimizely.com/v3/");
    assertThat(OdpClient.builder().apiKey("k.s").build().baseUrl())
        .isEqualTo("https://api.zaius.com/v3/");
    assertThat(OdpClient.builder().apiKey("k-eu1.s").region(OdpRegion.US).build().baseUrl())
        .isEqualTo("https://api.zaius.com/v3/");
  }

  @Test
  void baseUrlMustBeHttpsExceptLoopback() {
    assertThatThrownBy(
            () -> OdpClient.builder().apiKey("k").baseUrl("http://api.zaius.com/v3").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("baseUrl: must use https");
    assertThatThrownBy(() -> OdpClient.builder().apiKey("k").baseUrl("ftp://x/v3").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("baseUrl:");
    assertThat(
            OdpClient.builder().apiKey("k").baseUrl("http://127.0.0.1:8080/v3").build().baseUrl())
        .isEqualTo("http://127.0.0.1:8080/v3/");
    assertThat(OdpClient.builder().apiKey("k").baseUrl("https://odp.example/v3").build().baseUrl())
        .isEqualTo("https://odp.example/v3/");
  }

  @Test
  void keyIsValidatedWithoutBeingQuoted() {
    assertThatThrownBy(() -> OdpClient.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("apiKey: required");
    assertThatThrownBy(() -> OdpClient.builder().apiKey("top-secret\r\nx").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("apiKey:")
        .message()
        .doesNotContain("top-secret");
  }

  @Test
  void keyNeverAppearsInToStringExceptionsOrExchanges() {
    server.enqueue(json(403, "{\"message\":\"Forbidden\"}"));
    OdpClient client = t.client();

    assertThat(client.toString()).doesNotContain(TestSupport.KEY).contains("[REDACTED]");
    assertThat(client.newBuilder().toString()).doesNotContain(TestSupport.KEY);
    assertThat(t.builder().toString()).doesNotContain(TestSupport.KEY);
    assertThatThrownBy(() -> client.lists().list())
        .isInstanceOfSatisfying(
            OdpAuthException.class,
            e -> {
              assertThat(e.getMessage())
                  .doesNotContain(TestSupport.KEY)
                  .contains("Forbidden", "403");
              assertThat(e.toString()).doesNotContain(TestSupport.KEY);
              assertThat(e.body()).doesNotContain(TestSupport.KEY);
            });
    OdpExchange exchange = t.exchanges.get(0);
    assertThat(exchange.requestHeaders().get("x-api-key")).containsExactly("[REDACTED]");
    assertThat(exchange.toString()).doesNotContain(TestSupport.KEY);
    assertThat(exchange.endpoint()).isEqualTo("lists");
    assertThat(exchange.method()).isEqualTo("GET");
    assertThat(exchange.responseBody()).isEqualTo("{\"message\":\"Forbidden\"}");
  }

  @Test
  void exchangeBodiesAreTruncatedAtTheCap() {
    server.enqueue(json(202, "{\"title\":\"Accepted\",\"padding\":\"" + "y".repeat(500) + "\"}"));
    OdpClient client = t.builder().exchangeBodyLimit(100).build();

    client
        .events()
        .send(
            List.of(
                OdpEvent.builder("t", "a")
                    .identifier("email", "a@b.c")
                    .data("d", "x".repeat(500))
                    .build()));

    OdpExchange exchange = t.exchanges.get(0);
    assertThat(exchange.requestBody()).startsWith("[{\"type\":\"t\"").contains("...[truncated");
    assertThat(exchange.requestBody().length()).isLessThan(140);
    assertThat(exchange.responseBody()).contains("...[truncated");
  }

  @Test
  void aThrowingListenerNeverBreaksARequest() {
    server.enqueue(accepted());
    OdpClient client =
        t.builder()
            .eventListener(
                e -> {
                  throw new IllegalStateException("listener bug");
                })
            .build();

    BatchResult result =
        client
            .events()
            .send(List.of(OdpEvent.builder("t", "a").identifier("email", "a@b.c").build()));

    assertThat(result.allAccepted()).isTrue();
  }

  @Test
  void closeIsIdempotentLeavesHostClientAloneAndRejectsLaterCalls() {
    OkHttpClient host = new OkHttpClient();
    OdpClient client = t.builder().okHttpClient(host).build();
    client.close();
    client.close();

    assertThat(host.dispatcher().executorService().isShutdown()).isFalse();
    assertThatThrownBy(() -> client.lists().list())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    host.dispatcher().executorService().shutdown();
  }

  @Test
  void newBuilderDerivesAClientWithOtherSettings() {
    server.enqueue(json(200, "{\"lists\":[]}"));
    OdpClient base = t.client();
    OdpClient derived = base.newBuilder().retry(RetrySettings.none()).build();

    assertThat(derived.baseUrl()).isEqualTo(base.baseUrl());
    assertThat(derived.lists().list()).isEmpty();
    base.close();
    derived.close();
  }

  @Test
  void oneClientServesManyThreadsAtOnce() throws Exception {
    int calls = 8;
    for (int i = 0; i < calls; i++) {
      server.enqueue(json(200, "{\"lists\":[{\"list_id\":\"l\",\"name\":\"L\"}]}"));
    }
    OdpClient client = t.builder().rateLimits(RateLimits.unlimited()).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<OdpList>>> futures =
          pool.invokeAll(java.util.Collections.nCopies(calls, () -> client.lists().list()));
      for (Future<List<OdpList>> f : futures) {
        assertThat(f.get()).extracting(OdpList::listId).containsExactly("l");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(server.getRequestCount()).isEqualTo(calls);
  }
}
