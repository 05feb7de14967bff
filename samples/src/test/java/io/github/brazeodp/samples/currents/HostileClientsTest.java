package io.github.brazeodp.samples.currents;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiver host against clients that are slow, wrong or greedy, over real sockets. */
class HostileClientsTest {
  static final String TOKEN = "aG9zdGlsZS10ZXN0LXRva2Vu";
  private static final String EVENT =
      "{\"event_type\":\"users.messages.email.Open\",\"id\":\"%s\",\"time\":2033802504,"
          + "\"user\":{\"user_id\":\"b-1\"},\"properties\":{\"email_address\":\"a@example.com\"}}";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static CurrentsForwarder forwarder(SyncStateStore store, InMemoryOdp odp) {
    return CurrentsForwarder.builder().odp(odp).state(store).build();
  }

  private HttpResponse<String> post(int port, String id) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/currents"))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"events\":[" + EVENT.formatted(id) + "]}"))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void slowClientsDoNotStarveALegitimatePost() throws Exception {
    InMemoryOdp odp = new InMemoryOdp();
    List<Socket> slow = new ArrayList<>();
    try (SyncStateStore store = SyncStateStore.inMemory();
        CurrentsForwarder forwarder = forwarder(store, odp)) {
      CurrentsReceiver receiver =
          CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).build();
      try (CurrentsHttpServer server =
          CurrentsHttpServer.builder(receiver)
              .address(new InetSocketAddress("127.0.0.1", 0))
              .threads(2)
              .start()) {
        // 200 clients stuck in their headers and 100 stuck in a body they promised: on a thread
        // per connection server (the JDK's, pool of 8) the first 8 alone block everyone.
        for (int i = 0; i < 300; i++) {
          Socket s = new Socket("127.0.0.1", server.port());
          slow.add(s);
          OutputStream out = s.getOutputStream();
          if (i % 3 == 0) {
            out.write(
                ("POST /currents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + TOKEN
                        + "\r\nContent-Length: 100000\r\n\r\n{\"events\":[")
                    .getBytes(StandardCharsets.US_ASCII));
          } else {
            out.write(
                "POST /currents HTTP/1.1\r\nHost: x\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
          }
          out.flush();
        }
        // The legitimate post has the client's 5 s timeout: a starved server fails the test.
        long start = System.nanoTime();
        HttpResponse<String> ok = post(server.port(), "legit-1");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("\"queued\":1");
        System.out.println(
            "legitimate POST among 300 slow connections answered in " + millis + " ms");
        assertThat(store.outboxSize().messages() + odp.events().size()).isEqualTo(1);
      }
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void aBodyThatDoesNotArriveInTimeIs408() throws Exception {
    InMemoryOdp odp = new InMemoryOdp();
    try (SyncStateStore store = SyncStateStore.inMemory();
        CurrentsForwarder forwarder = forwarder(store, odp)) {
      CurrentsReceiver receiver =
          CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).build();
      try (CurrentsHttpServer server =
              CurrentsHttpServer.builder(receiver)
                  .address(new InetSocketAddress("127.0.0.1", 0))
                  .bodyTimeout(Duration.ofMillis(300))
                  .idleTimeout(Duration.ofSeconds(5))
                  .start();
          Socket s = new Socket("127.0.0.1", server.port())) {
        s.setSoTimeout(5_000);
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST /currents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + TOKEN
                    + "\r\nContent-Length: 1000\r\n\r\n{\"events\":[")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        assertThat(status).startsWith("HTTP/1.1 408");
      }
    }
  }

  @Test
  void inFlightBodyBytesAreBoundedAcrossRequests() throws Exception {
    InMemoryOdp odp = new InMemoryOdp();
    try (SyncStateStore store = SyncStateStore.inMemory();
        CurrentsForwarder forwarder = forwarder(store, odp)) {
      CurrentsReceiver receiver =
          CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).build();
      long limit = receiver.maxBodyBytes();
      try (CurrentsHttpServer server =
              CurrentsHttpServer.builder(receiver)
                  .address(new InetSocketAddress("127.0.0.1", 0))
                  .maxInFlightBytes(limit)
                  .start();
          Socket first = new Socket("127.0.0.1", server.port());
          Socket second = new Socket("127.0.0.1", server.port())) {
        // The first request's promised body takes the whole budget while it trickles in.
        OutputStream out = first.getOutputStream();
        out.write(
            ("POST /currents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + TOKEN
                    + "\r\nContent-Length: "
                    + limit
                    + "\r\n\r\n{")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.inFlightBodyBytes() == 0 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        assertThat(server.inFlightBodyBytes()).isEqualTo(limit);
        second.setSoTimeout(5_000);
        second
            .getOutputStream()
            .write(
                ("POST /currents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + TOKEN
                        + "\r\nContent-Length: 20\r\n\r\n{\"events\":[]}       ")
                    .getBytes(StandardCharsets.US_ASCII));
        String reply = readHead(second.getInputStream());
        assertThat(reply).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 5");
      }
    }
  }

  @Test
  void healthAnswersWithoutATokenAndReportsReadiness() throws Exception {
    InMemoryOdp odp = new InMemoryOdp();
    try (SyncStateStore store = SyncStateStore.inMemory();
        CurrentsForwarder forwarder = forwarder(store, odp)) {
      CurrentsReceiver receiver =
          CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).build();
      boolean[] ready = {true};
      try (CurrentsHttpServer server =
          CurrentsHttpServer.builder(receiver)
              .address(new InetSocketAddress("127.0.0.1", 0))
              .health(
                  () ->
                      new CurrentsHttpServer.Health(
                          ready[0], "{\"status\":\"" + (ready[0] ? "UP" : "DOWN") + "\"}"))
              .start()) {
        URI health = URI.create("http://127.0.0.1:" + server.port() + "/health");
        HttpResponse<String> up =
            http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("{\"status\":\"UP\"}");
        ready[0] = false;
        HttpResponse<String> down =
            http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(down.statusCode()).isEqualTo(503);
        HttpResponse<String> live =
            http.send(
                HttpRequest.newBuilder(URI.create(health + "/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
      }
    }
  }

  /**
   * Wrong-token 16 MiB posts, 8 at once, then right-token posts over the 16 MiB limit, 4 at once,
   * against a server in a child JVM with a 64 MiB heap (half the bar's 128 MiB): each is refused
   * from its headers (401, 413), before its body is read, so the heap never sees them. Buffered,
   * the four over-limit bodies alone would be 64 MiB.
   */
  @Test
  void largeBodiesWithAWrongTokenOrOverTheLimitCannotExhaustASmallHeap(@TempDir Path dir)
      throws Exception {
    Path log = dir.resolve("child.log");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                SmallHeapReceiver.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      int port = awaitPort(log, child);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<String>> replies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          replies.add(pool.submit(() -> postWithoutReading(port, "d3Jvbmc", 16 << 20)));
        }
        for (Future<String> reply : replies) {
          assertThat(reply.get(60, TimeUnit.SECONDS)).startsWith("HTTP/1.1 401");
        }
        List<Future<String>> overLimit = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          overLimit.add(pool.submit(() -> postWithoutReading(port, TOKEN, (16 << 20) + 1)));
        }
        for (Future<String> reply : overLimit) {
          assertThat(reply.get(60, TimeUnit.SECONDS)).startsWith("HTTP/1.1 413");
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(child.isAlive()).as(Files.readString(log)).isTrue();
      assertThat(post(port, "after-the-storm").statusCode()).isEqualTo(200);
      assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    } finally {
      child.destroy();
      child.waitFor(10, TimeUnit.SECONDS);
      child.destroyForcibly();
    }
  }

  /** Sends the headers and as much of a large body as the server takes; returns its reply head. */
  private static String postWithoutReading(int port, String token, int bodyBytes)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /currents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + token
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + bodyBytes
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      try {
        for (int sent = 0; sent < bodyBytes; sent += chunk.length) {
          out.write(chunk);
        }
        out.flush();
      } catch (IOException closedByServer) {
        // Expected: the server answered from the headers and closed the connection.
      }
      return readHead(s.getInputStream());
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }

  private static int awaitPort(Path log, Process child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          if (line.startsWith("PORT ")) {
            return Integer.parseInt(line.substring(5).strip());
          }
        }
      }
      if (!child.isAlive()) {
        throw new IllegalStateException("child exited: " + Files.readString(log));
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("child did not start: " + Files.readString(log));
  }

  /** The child JVM: a receiver on an in-memory store, until killed. */
  static final class SmallHeapReceiver {
    private SmallHeapReceiver() {}

    public static void main(String[] args) throws Exception {
      SyncStateStore store = SyncStateStore.inMemory();
      CurrentsForwarder forwarder = forwarder(store, new InMemoryOdp());
      CurrentsReceiver receiver =
          CurrentsReceiver.builder().tokens(TOKEN).forwarder(forwarder).build();
      CurrentsHttpServer server =
          CurrentsHttpServer.builder(receiver)
              .address(new InetSocketAddress("127.0.0.1", 0))
              .start();
      System.out.println("PORT " + server.port());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
