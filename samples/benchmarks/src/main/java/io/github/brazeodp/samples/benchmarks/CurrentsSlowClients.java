package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hostile-client load for the Currents host: opens many slow connections (slowloris: half stuck in
 * their headers, half, holding the token, in a 20 KB body they promised; each trickles a byte every
 * 2 s so that the idle timeout never fires, until the 30 s body timeout closes the second half)
 * against the sample server on a SQLite store, then times legitimate posts of 100 events among
 * them. The bar: 1,000 slow connections do not delay a legitimate post beyond 1 s.
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.CurrentsSlowClients [slowConnections] [posts]</pre>
 *
 * Defaults: 1,000 slow connections, 50 timed posts (after 5 warm-up posts).
 */
public final class CurrentsSlowClients {
  private static final String TOKEN = "c2xvdy1jbGllbnRzLXRva2Vu";

  private CurrentsSlowClients() {}

  /**
   * Runs the load.
   *
   * @param args slow connections, timed posts
   * @throws Exception if the load cannot run
   */
  public static void main(String[] args) throws Exception {
    int slowCount = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int posts = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    Path dir = Files.createTempDirectory("currents-slow");
    List<Socket> slow = new ArrayList<>();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try (SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"));
        CurrentsForwarder forwarder =
            CurrentsForwarder.builder().odp(new InMemoryOdp()).state(store).build()) {
      forwarder.start();
      CurrentsReceiver receiver =
          CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).build();
      try (CurrentsHttpServer server =
          CurrentsHttpServer.builder(receiver)
              .address(new InetSocketAddress("127.0.0.1", 0))
              .start()) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/currents");
        for (int i = 0; i < 5; i++) {
          post(http, uri, "warm-" + i);
        }
        for (int i = 0; i < slowCount; i++) {
          Socket s = new Socket("127.0.0.1", server.port());
          slow.add(s);
          String head =
              i % 2 == 0
                  ? "POST /currents HTTP/1.1\r\nHost: x\r\nX-Slow: "
                  : "POST /currents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nContent-Length: 20000\r\n\r\n{\"events\":[";
          s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        }
        trickle.scheduleWithFixedDelay(
            () -> {
              for (Socket s : slow) {
                try {
                  OutputStream out = s.getOutputStream();
                  out.write(' ');
                  out.flush();
                } catch (IOException closed) {
                  // The server closed it (body timeout); it no longer holds anything.
                }
              }
            },
            0,
            2,
            TimeUnit.SECONDS);
        long[] millis = new long[posts];
        for (int i = 0; i < posts; i++) {
          long start = System.nanoTime();
          int status = post(http, uri, "timed-" + i);
          millis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          if (status != 200) {
            throw new IllegalStateException("legitimate post answered " + status);
          }
        }
        Arrays.sort(millis);
        System.out.printf(
            "%d slow connections open; %d legitimate posts of 100 events: p50 %d ms, p99 %d ms,"
                + " max %d ms%n",
            slowCount,
            posts,
            millis[posts / 2],
            millis[Math.min(posts - 1, (int) Math.ceil(posts * 0.99) - 1)],
            millis[posts - 1]);
      }
    } finally {
      trickle.shutdownNow();
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  private static int post(HttpClient http, URI uri, String prefix) throws Exception {
    StringBuilder body = new StringBuilder("{\"events\":[");
    for (int i = 0; i < 100; i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append("{\"event_type\":\"users.messages.email.Open\",\"id\":\"")
          .append(prefix)
          .append('-')
          .append(i)
          .append("\",\"time\":2033802504,\"user\":{\"user_id\":\"b-")
          .append(i)
          .append("\"},\"properties\":{\"email_address\":\"u")
          .append(i)
          .append("@example.com\"}}");
    }
    body.append("]}");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
