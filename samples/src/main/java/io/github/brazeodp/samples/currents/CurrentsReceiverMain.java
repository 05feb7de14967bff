package io.github.brazeodp.samples.currents;

import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.currents.CurrentsTransformer;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A runnable Braze Currents receiver: {@code POST /currents} on the JDK's HTTP server, events
 * forwarded to ODP through a durable SQLite outbox.
 *
 * <p>Configured by environment variables:
 *
 * <table>
 *   <caption>Environment</caption>
 *   <tr><th>Variable</th><th>Meaning</th><th>Default</th></tr>
 *   <tr><td>{@code CURRENTS_TOKENS}</td><td>accepted bearer tokens, comma-separated
 *       (several while rotating)</td><td>required</td></tr>
 *   <tr><td>{@code ODP_API_KEY}</td><td>ODP private API key</td><td>required</td></tr>
 *   <tr><td>{@code ODP_BASE_URL}</td><td>ODP API base URL</td><td>from the key's region</td></tr>
 *   <tr><td>{@code PORT}</td><td>port to listen on</td><td>8080</td></tr>
 *   <tr><td>{@code STATE_DB}</td><td>SQLite state file (outbox, de-dup ids, activity)</td>
 *       <td>{@code braze-odp-state.db}</td></tr>
 *   <tr><td>{@code BRAZE_PREFIX}</td><td>prefix of the ODP data fields</td><td>{@code _braze_}</td></tr>
 *   <tr><td>{@code ODP_EXTERNAL_ID_IDENTIFIER}</td><td>the account's custom ODP identifier for
 *       Braze's external id</td><td>none</td></tr>
 *   <tr><td>{@code HTTP_THREADS}</td><td>requests handled at once</td><td>8</td></tr>
 * </table>
 */
public final class CurrentsReceiverMain {
  private CurrentsReceiverMain() {}

  /**
   * The settings of a running receiver.
   *
   * @param port the port, 0 for any free one
   * @param tokens the accepted bearer tokens
   * @param stateFile the SQLite state file
   * @param prefix the data field prefix
   * @param externalIdIdentifier the custom ODP identifier for Braze's external id, or null
   * @param threads HTTP worker threads
   */
  public record Settings(
      int port,
      List<String> tokens,
      Path stateFile,
      String prefix,
      String externalIdIdentifier,
      int threads) {
    /**
     * Reads the settings from environment variables.
     *
     * @param env the environment
     * @return the settings
     * @throws IllegalArgumentException naming the variable that is missing or wrong
     */
    public static Settings fromEnvironment(Map<String, String> env) {
      String tokens = required(env, "CURRENTS_TOKENS");
      return new Settings(
          integer(env, "PORT", 8080),
          Arrays.stream(tokens.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList(),
          Path.of(env.getOrDefault("STATE_DB", "braze-odp-state.db")),
          env.getOrDefault("BRAZE_PREFIX", CurrentsTransformer.DEFAULT_PREFIX),
          env.get("ODP_EXTERNAL_ID_IDENTIFIER"),
          integer(env, "HTTP_THREADS", 8));
    }
  }

  /** A started receiver: HTTP server, forwarder and store, closed in that order. */
  public static final class Running implements AutoCloseable {
    private final CurrentsHttpServer server;
    private final CurrentsForwarder forwarder;
    private final CurrentsReceiver receiver;
    private final SyncStateStore store;

    Running(
        CurrentsHttpServer server,
        CurrentsForwarder forwarder,
        CurrentsReceiver receiver,
        SyncStateStore store) {
      this.server = server;
      this.forwarder = forwarder;
      this.receiver = receiver;
      this.store = store;
    }

    /**
     * Returns the port the server listens on.
     *
     * @return the port
     */
    public int port() {
      return server.port();
    }

    /**
     * Returns the receiver, for its counters.
     *
     * @return the receiver
     */
    public CurrentsReceiver receiver() {
      return receiver;
    }

    /**
     * Returns the forwarder.
     *
     * @return the forwarder
     */
    public CurrentsForwarder forwarder() {
      return forwarder;
    }

    /** Stops taking posts, flushes the outbox (bounded) and closes the store. */
    @Override
    public void close() {
      server.close();
      forwarder.close();
      store.close();
    }
  }

  /**
   * Starts a receiver with {@code settings}, forwarding through {@code odp}.
   *
   * @param settings the settings
   * @param odp the ODP gateway
   * @return the running receiver
   * @throws IOException if the port cannot be bound
   */
  public static Running start(Settings settings, OdpGateway odp) throws IOException {
    SyncStateStore store = SyncStateStore.sqlite(settings.stateFile());
    try {
      CurrentsForwarder forwarder = CurrentsForwarder.builder().odp(odp).state(store).build();
      IdentityRule identity = IdentityRule.defaults();
      if (settings.externalIdIdentifier() != null) {
        identity = identity.withExternalIdAs(settings.externalIdIdentifier());
      }
      CurrentsReceiver receiver =
          CurrentsReceiver.builder()
              .tokens(settings.tokens())
              .forwarder(forwarder)
              .prefix(settings.prefix())
              .identity(identity)
              .build();
      // Drains what a previous run left in the outbox before new batches arrive.
      forwarder.start();
      CurrentsHttpServer server =
          CurrentsHttpServer.start(
              new InetSocketAddress(settings.port()), receiver, settings.threads());
      return new Running(server, forwarder, receiver, store);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Runs the receiver until the process is stopped.
   *
   * @param args unused; configuration comes from the environment
   * @throws Exception if the receiver cannot start
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    Settings settings = Settings.fromEnvironment(env);
    OdpClient.Builder odp = OdpClient.builder().apiKey(required(env, "ODP_API_KEY"));
    if (env.get("ODP_BASE_URL") != null) {
      odp.baseUrl(env.get("ODP_BASE_URL"));
    }
    OdpClient client = odp.build();
    Running running = start(settings, new OdpClientGateway(client));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  client.close();
                  stopped.countDown();
                },
                "currents-shutdown"));
    System.out.println(
        "Braze Currents receiver on http://0.0.0.0:"
            + running.port()
            + CurrentsHttpServer.PATH
            + ", state in "
            + settings.stateFile().toAbsolutePath());
    stopped.await();
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("environment variable " + name + " is required");
    }
    return v;
  }

  private static int integer(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "environment variable " + name + " must be a whole number, was \"" + v + "\"", e);
    }
  }
}
