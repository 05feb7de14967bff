package io.github.brazeodp.samples.cli;

import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.BrazeInstance;
import io.github.brazeodp.braze.ExportLimits;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpRegion;
import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.currents.kafka.KafkaCurrentsForwarder;
import io.github.brazeodp.sync.currents.kafka.KafkaCurrentsSink;
import io.github.brazeodp.sync.mapping.FieldMapping;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.mapping.Transform;
import io.github.brazeodp.sync.segments.Selection;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The host's configuration file, read strictly: unknown keys and unset secrets are errors that name
 * the key. Secrets are never in the file: keys ending in {@code Env} name the environment variable
 * that holds them.
 *
 * <p>See {@code samples/config.example.json} and the README's configuration reference.
 */
record HostConfig(
    Braze braze,
    Odp odp,
    Path stateFile,
    Postgres postgres,
    SegmentSync segmentSync,
    Currents currents,
    Daemon daemon,
    List<Activation> activations,
    Map<String, ActivationsConfig.EventPolling> eventPolling,
    Ui ui) {

  record Braze(
      String apiKey,
      String baseUrl,
      TrackLimit trackLimit,
      ExportLimits exportLimits,
      boolean allowPrivateDownloadHosts) {}

  record Odp(String apiKey, OdpRegion region, String baseUrl, boolean allowPrivateDownloadHosts) {}

  record SegmentSync(
      Selection selection,
      FieldMappings mappings,
      IdentityRule identity,
      boolean createMissingFields,
      int batchSize,
      int concurrentExports) {}

  /**
   * The Currents receiver's settings. {@code variables} are the configured token variables; {@code
   * tokens} the values of those that are set (a rotation slot may be empty).
   */
  record Currents(
      int port,
      String path,
      List<String> variables,
      List<String> tokens,
      int bodyLimitBytes,
      Kafka kafka) {
    /** Tells whether the receiver is configured: the daemon serves it only then. */
    boolean enabled() {
      return !variables.isEmpty();
    }

    /**
     * Fails unless at least one token is set: only the commands that serve Currents call this, so
     * the other commands run with the two API keys alone.
     */
    void requireToken(String command) {
      if (variables.isEmpty()) {
        throw new ConfigException(
            "missing config key currents.tokensEnv: "
                + command
                + " needs at least one bearer token for the Currents receiver");
      }
      if (tokens.isEmpty()) {
        throw new ConfigException(
            "none of the environment variables named by currents.tokensEnv "
                + variables
                + " is set: "
                + command
                + " needs at least one bearer token for the Currents receiver");
      }
    }
  }

  /**
   * The daemon's settings; {@code name} names its cluster-wide lease {@code daemon/<name>}, so that
   * of all replicas sharing one state store exactly one runs the schedules; {@code healthPort} and
   * {@code healthHost} say where it serves {@code /health} and {@code /metrics} when the Currents
   * receiver (whose port serves them) does not run.
   */
  record Daemon(LocalTime syncAt, ZoneId zone, String name, int healthPort, String healthHost) {
    String leaseScope() {
      return "daemon/" + name;
    }

    /** Where the daemon serves its health when the receiver does not; fails on an unknown host. */
    java.net.InetSocketAddress healthAddress() {
      java.net.InetSocketAddress a = new java.net.InetSocketAddress(healthHost, healthPort);
      if (a.isUnresolved()) {
        throw new ConfigException(
            "daemon.healthHost \"" + healthHost + "\" does not resolve to an address");
      }
      return a;
    }
  }

  /**
   * The PostgreSQL state store ({@code state.postgres}); null in {@link HostConfig#postgres} when
   * the SQLite file is used. {@code password} is the value of the variable {@code passwordEnv}
   * names, and never printed.
   */
  record Postgres(String url, String user, String passwordEnv, String password) {
    @Override
    public String toString() {
      return "Postgres[url=" + url + ", user=" + user + ", passwordEnv=" + passwordEnv + "]";
    }

    SyncStateStore open() {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(url);
      ds.setUser(user);
      ds.setPassword(password);
      return SyncStateStore.postgres(ds);
    }
  }

  /**
   * Opens the configured state store: PostgreSQL when {@code state.postgres} is set, else SQLite.
   */
  SyncStateStore openState() {
    return postgres != null ? postgres.open() : SyncStateStore.sqlite(stateFile);
  }

  /** Where the state is, for log lines: the SQLite file or the PostgreSQL URL (no password). */
  String stateDescription() {
    return postgres != null
        ? "PostgreSQL " + postgres.url() + " as " + postgres.user()
        : stateFile.toAbsolutePath().toString();
  }

  /**
   * The Kafka hand-off ({@code currents.kafka}), null when absent: receivers append to {@code
   * topic}, {@code currents-forwarder} members of {@code groupId} deliver it. {@code properties}
   * are passed to the clients, those of {@code propertiesEnv} read from the named variables.
   */
  record Kafka(
      String bootstrapServers,
      String topic,
      String dlqTopic,
      String groupId,
      Map<String, String> properties) {}

  /** The default of {@code daemon.healthPort}: the Currents port's, since only one is opened. */
  static final int DEFAULT_HEALTH_PORT = 8080;

  /** The default port of the troubleshooting page when {@code --ui} is given without one. */
  static final int DEFAULT_UI_PORT = 8081;

  /**
   * The troubleshooting page's settings: {@code port} is null unless {@code ui.port} is set; {@code
   * token} is the value of the variable {@code tokenEnv} names, or null.
   */
  record Ui(Integer port, String host, String tokenEnv, String token) {
    /**
     * Returns where the page listens, the {@code --ui} port winning over {@code ui.port}, or null
     * when neither enables it. Fails (exit 64) when the host is not a loopback address and no token
     * is set, naming what is missing.
     *
     * @param flag the {@code --ui} value: null when absent, 0 for a free port, -1 for "--ui" alone
     */
    java.net.InetSocketAddress address(Integer flag) {
      int p;
      if (flag == null) {
        if (port == null) {
          return null;
        }
        p = port;
      } else if (flag == -1) {
        p = port == null ? DEFAULT_UI_PORT : port;
      } else {
        p = flag;
      }
      if (p < 0 || p > 65_535) {
        throw new ConfigException("--ui port must be from 0 to 65535, was " + p);
      }
      java.net.InetSocketAddress a = new java.net.InetSocketAddress(host, p);
      if (a.isUnresolved()) {
        throw new ConfigException("ui.host \"" + host + "\" does not resolve to an address");
      }
      if (!a.getAddress().isLoopbackAddress() && token == null) {
        throw new ConfigException(
            tokenEnv == null
                ? "ui.host is "
                    + host
                    + ", not a loopback address: set ui.tokenEnv to the environment variable"
                    + " holding the bearer token the page must then require"
                : "ui.host is "
                    + host
                    + ", not a loopback address, and the environment variable "
                    + tokenEnv
                    + " (named by ui.tokenEnv) is not set: the page needs its bearer token");
      }
      return a;
    }
  }

  private static final int MIN_BODY_LIMIT = 1024 * 1024;

  private static final Set<String> SECTIONS =
      Set.of(
          "braze", "odp", "state", "segmentSync", "currents", "daemon", "activations", "log", "ui");

  /**
   * Opens the store of a command that needs no API keys: the SQLite file {@code state} (--state),
   * else the store the config file configures, reading only its {@code state} section: the SQLite
   * file, which must exist, or the PostgreSQL database with the credentials its variables hold.
   */
  static SyncStateStore openStateOf(Path state, Path config, Function<String, String> env) {
    Path file = state;
    if (file == null) {
      if (config == null) {
        throw new ConfigException("give --state FILE or --config FILE");
      }
      JsonConfig st =
          JsonConfig.read(config, env)
              .allow(SECTIONS)
              .object("state")
              .allow(Set.of("sqlite", "postgres"));
      Postgres postgres = postgres(st, env);
      if (postgres != null) {
        return postgres.open();
      }
      file = Path.of(st.string("sqlite", "braze-odp-sync.db"));
    }
    if (!Files.exists(file)) {
      throw new ConfigException("state file not found: " + file);
    }
    return SyncStateStore.sqlite(file);
  }

  /**
   * Reads only {@code log.format}, so that logging is set up before a command loads the rest; null
   * when the key is absent.
   */
  static HostLogging.Format logFormatOf(Path file) {
    return logFormat(JsonConfig.read(file, name -> null).allow(SECTIONS));
  }

  private static HostLogging.Format logFormat(JsonConfig root) {
    JsonConfig log = root.object("log").allow(Set.of("format"));
    String format = log.string("format", null);
    return format == null ? null : HostLogging.Format.parse(format, log.qualified("format"));
  }

  static HostConfig load(Path file, Function<String, String> env) {
    JsonConfig root = JsonConfig.read(file, env).allow(SECTIONS);
    logFormat(root);
    JsonConfig b =
        root.object("braze")
            .allow(
                Set.of(
                    "apiKeyEnv",
                    "instance",
                    "baseUrl",
                    "trackLimit",
                    "exportLimits",
                    "allowPrivateDownloadHosts"));
    JsonConfig o =
        root.object("odp")
            .allow(Set.of("apiKeyEnv", "region", "baseUrl", "allowPrivateDownloadHosts"));
    JsonConfig st = root.object("state").allow(Set.of("sqlite", "postgres"));
    JsonConfig ss =
        root.object("segmentSync")
            .allow(
                Set.of(
                    "segments",
                    "prefix",
                    "mappings",
                    "identity",
                    "createMissingFields",
                    "batchSize",
                    "concurrentExports"));
    JsonConfig cu =
        root.object("currents")
            .allow(Set.of("port", "path", "tokensEnv", "bodyLimitBytes", "kafka"));
    JsonConfig d =
        root.object("daemon")
            .allow(Set.of("segmentSyncAt", "zone", "name", "healthPort", "healthHost"));
    return new HostConfig(
        braze(b),
        odp(o),
        Path.of(st.string("sqlite", "braze-odp-sync.db")),
        postgres(st, env),
        segmentSync(ss),
        currents(cu, env),
        daemon(d, file),
        ActivationsConfig.read(root),
        ActivationsConfig.polling(root),
        ui(root.object("ui").allow(Set.of("port", "host", "tokenEnv")), env));
  }

  /** Returns how the host polls ODP for the events of an event-enrolled activation. */
  ActivationsConfig.EventPolling polling(String activation) {
    return eventPolling.getOrDefault(activation, ActivationsConfig.EventPolling.DEFAULTS);
  }

  /** Returns the activation named {@code name}, or fails naming the ones that exist. */
  Activation activation(String name) {
    return activations.stream()
        .filter(a -> a.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ConfigException(
                    "no activation named \""
                        + name
                        + "\" in the config's activations; known: "
                        + activations.stream().map(Activation::name).toList()));
  }

  private static Braze braze(JsonConfig b) {
    String apiKey = b.secret("apiKeyEnv");
    try {
      BrazeClient.builder().apiKey(apiKey);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "the environment variable named by " + b.qualified("apiKeyEnv") + ": " + e.getMessage());
    }
    String baseUrl = b.string("baseUrl", null);
    if (baseUrl != null) {
      try {
        BrazeClient.builder().baseUrl(baseUrl);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            b.qualified("baseUrl")
                + " must be an https URL (plain http only to a loopback host), found "
                + JsonConfig.describe(baseUrl)
                + ": "
                + e.getMessage());
      }
    } else {
      String instance = b.string("instance", "US_01");
      try {
        baseUrl =
            BrazeInstance.valueOf(instance.toUpperCase(Locale.ROOT).replace('-', '_')).restUrl();
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            b.qualified("instance")
                + " must be one of "
                + List.of(BrazeInstance.values())
                + ", was \""
                + instance
                + "\"");
      }
    }
    String limit = b.string("trackLimit", "COMBINED_50");
    TrackLimit trackLimit =
        switch (limit) {
          case "COMBINED_50" -> TrackLimit.COMBINED_50;
          case "COMBINED_75" -> TrackLimit.COMBINED_75;
          case "LEGACY_75_PER_ARRAY" -> TrackLimit.LEGACY_75_PER_ARRAY;
          default ->
              throw new ConfigException(
                  b.qualified("trackLimit")
                      + " must be COMBINED_50, COMBINED_75 or LEGACY_75_PER_ARRAY, was \""
                      + limit
                      + "\"");
        };
    return new Braze(
        apiKey,
        baseUrl,
        trackLimit,
        exportLimits(b.object("exportLimits")),
        b.bool("allowPrivateDownloadHosts", false));
  }

  private static ExportLimits exportLimits(JsonConfig l) {
    l.allow(Set.of("maxLineBytes", "maxEntryBytes", "maxCompressionRatio"));
    ExportLimits defaults = ExportLimits.defaults();
    int line = l.integer("maxLineBytes", defaults.maxLineBytes());
    long entry = l.longInteger("maxEntryBytes", defaults.maxEntryBytes());
    int ratio = l.integer("maxCompressionRatio", defaults.maxCompressionRatio());
    try {
      return new ExportLimits(line, entry, ratio);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(l.where() + "." + e.getMessage());
    }
  }

  private static Odp odp(JsonConfig o) {
    String apiKey = o.secret("apiKeyEnv");
    String region = o.string("region", null);
    OdpRegion r = null;
    if (region != null) {
      try {
        r = OdpRegion.valueOf(region.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            o.qualified("region") + " must be US, EU or AU, was \"" + region + "\"");
      }
    }
    String baseUrl = o.string("baseUrl", null);
    OdpClient.Builder check = OdpClient.builder().apiKey(apiKey);
    if (baseUrl != null) {
      check.baseUrl(baseUrl);
    } else if (r != null) {
      check.region(r);
    }
    // The builder is the one place that knows what ODP accepts; build and drop a client to ask it.
    try (OdpClient unused = check.build()) {
      // nothing to do: building is the check
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (message.startsWith("baseUrl")) {
        throw new ConfigException(
            o.qualified("baseUrl")
                + " must be an https URL (plain http only to a loopback host), found "
                + JsonConfig.describe(baseUrl)
                + ": "
                + message);
      }
      throw new ConfigException(
          "the environment variable named by " + o.qualified("apiKeyEnv") + ": " + message);
    }
    return new Odp(apiKey, r, baseUrl, o.bool("allowPrivateDownloadHosts", false));
  }

  private static SegmentSync segmentSync(JsonConfig s) {
    Object segments = s.raw("segments");
    Selection selection;
    if (segments == null) {
      selection = Selection.none();
    } else if ("all".equals(segments)) {
      selection = Selection.all();
    } else if (segments instanceof List) {
      selection = Selection.segments(s.strings("segments"));
    } else {
      throw new ConfigException(
          s.qualified("segments")
              + " must be \"all\" or an array of segment ids or names, found "
              + JsonConfig.describe(segments));
    }
    String prefix = s.string("prefix", FieldMappings.DEFAULT_PREFIX);
    FieldMappings mappings;
    try {
      mappings = FieldMappings.defaults(prefix);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(s.qualified("prefix") + ": " + e.getMessage());
    }
    JsonConfig m = s.object("mappings").allow(Set.of("add", "remove"));
    for (String target : m.strings("remove")) {
      mappings = mappings.remove(target);
    }
    for (JsonConfig rule : m.objects("add")) {
      rule.allow(Set.of("source", "target", "transform", "constant"));
      try {
        FieldMapping mapping =
            rule.has("constant")
                ? FieldMapping.constant(rule.requiredString("target"), rule.raw("constant"))
                : FieldMapping.of(rule.requiredString("source"), rule.requiredString("target"));
        if (rule.has("transform")) {
          mapping = mapping.with(transform(rule));
        }
        mappings = mappings.add(mapping);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(rule.qualified("") + " " + e.getMessage());
      }
    }
    JsonConfig id = s.object("identity").allow(Set.of("externalIdIdentifier"));
    IdentityRule identity = IdentityRule.defaults();
    if (id.has("externalIdIdentifier")) {
      identity = identity.withExternalIdAs(id.requiredString("externalIdIdentifier"));
    }
    return new SegmentSync(
        selection,
        mappings,
        identity,
        s.bool("createMissingFields", false),
        positive(s, "batchSize", 500),
        positive(s, "concurrentExports", 4));
  }

  private static Transform transform(JsonConfig rule) {
    Object t = rule.raw("transform");
    if (t instanceof String name) {
      return switch (name) {
        case "lowercase" -> Transform.lowerCase();
        case "uppercase" -> Transform.upperCase();
        case "date" -> Transform.dateFormat(Transform.DateOutput.DATE);
        case "epochSeconds" -> Transform.dateFormat(Transform.DateOutput.EPOCH_SECONDS);
        case "isoInstant" -> Transform.dateFormat(Transform.DateOutput.ISO_INSTANT);
        default ->
            throw new ConfigException(
                rule.qualified("transform")
                    + " must be lowercase, uppercase, date, epochSeconds, isoInstant or"
                    + " {\"split\": {\"separator\": \" \", \"index\": 0}}, was \""
                    + name
                    + "\"");
      };
    }
    if (t instanceof Map<?, ?> map
        && map.size() == 1
        && map.get("split") instanceof Map<?, ?> split) {
      Object sep = split.get("separator");
      Object index = split.get("index");
      if (sep instanceof String s && index instanceof Number n) {
        return Transform.split(s, n.intValue());
      }
    }
    throw new ConfigException(
        rule.qualified("transform")
            + " must be a transform name or {\"split\": {\"separator\": \" \", \"index\": 0}},"
            + " found "
            + JsonConfig.describe(t));
  }

  private static Currents currents(JsonConfig c, Function<String, String> env) {
    List<String> tokens = new java.util.ArrayList<>();
    List<String> variables = c.strings("tokensEnv");
    for (int i = 0; i < variables.size(); i++) {
      String value = env.apply(variables.get(i));
      if (value == null || value.isBlank()) {
        // A rotation slot may be empty; the commands that serve Currents need one set.
        continue;
      }
      try {
        CurrentsReceiver.builder().tokens(value);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "environment variable "
                + variables.get(i)
                + " (named by "
                + c.qualified("tokensEnv")
                + "["
                + i
                + "]) is not a bearer token: use Base64 characters and -._~+/ only");
      }
      tokens.add(value);
    }
    int port = c.integer("port", 8080);
    if (port < 0 || port > 65_535) {
      throw new ConfigException(c.qualified("port") + " must be from 0 to 65535, was " + port);
    }
    String path = c.string("path", CurrentsHttpServer.PATH);
    if (!path.equals(CurrentsHttpServer.PATH)) {
      // The sample server answers on one fixed path; a proxy in front can map any public path.
      throw new ConfigException(
          c.qualified("path")
              + " must be \""
              + CurrentsHttpServer.PATH
              + "\", was \""
              + path
              + "\"");
    }
    int bodyLimit = c.integer("bodyLimitBytes", 16 * 1024 * 1024);
    if (bodyLimit < MIN_BODY_LIMIT) {
      // One Currents event may be 900 KB; a smaller limit would refuse it forever.
      throw new ConfigException(
          c.qualified("bodyLimitBytes")
              + " must be at least "
              + MIN_BODY_LIMIT
              + " (1 MiB), was "
              + bodyLimit);
    }
    Kafka kafka = c.has("kafka") ? kafka(c.object("kafka"), env) : null;
    return new Currents(port, path, List.copyOf(variables), List.copyOf(tokens), bodyLimit, kafka);
  }

  private static Kafka kafka(JsonConfig k, Function<String, String> env) {
    k.allow(
        Set.of("bootstrapServers", "topic", "dlqTopic", "groupId", "properties", "propertiesEnv"));
    String servers = k.requiredString("bootstrapServers");
    String topic = k.requiredString("topic");
    String dlqTopic = k.string("dlqTopic", topic + "-dlq");
    String groupId = k.string("groupId", "braze-odp-sync-currents");
    Map<String, String> properties = new java.util.LinkedHashMap<>();
    JsonConfig props = k.object("properties");
    props
        .entries()
        .forEach(
            (name, value) -> {
              if (!(value instanceof String
                  || value instanceof Number
                  || value instanceof Boolean)) {
                throw new ConfigException(
                    props.qualified(name)
                        + " must be a string, number or boolean, found "
                        + JsonConfig.describe(value));
              }
              properties.put(name, value instanceof Number n ? number(n) : value.toString());
            });
    // Secrets such as sasl.jaas.config come from the environment, never from the file.
    JsonConfig fromEnv = k.object("propertiesEnv");
    for (String name : fromEnv.entries().keySet()) {
      properties.put(name, fromEnv.secret(name));
    }
    check(k, "bootstrapServers", () -> KafkaCurrentsSink.builder().bootstrapServers(servers));
    check(k, "topic", () -> KafkaCurrentsSink.builder().topic(topic));
    check(k, "dlqTopic", () -> KafkaCurrentsForwarder.builder().dlqTopic(dlqTopic));
    if (dlqTopic.equals(topic)) {
      throw new ConfigException(
          k.qualified("dlqTopic") + " must differ from topic, both were " + topic);
    }
    if (groupId.isBlank()) {
      throw new ConfigException(k.qualified("groupId") + " must not be blank");
    }
    check(k, "properties", () -> KafkaCurrentsSink.builder().properties(properties));
    return new Kafka(
        servers, topic, dlqTopic, groupId, java.util.Collections.unmodifiableMap(properties));
  }

  /** Runs a builder's own check, turning its message into one naming the config key. */
  private static void check(JsonConfig c, String key, Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      // The builders name their own field ("properties.x: ..."); say where it is in the file.
      throw new ConfigException(m.startsWith(key) ? c.qualified(m) : c.qualified(key) + ": " + m);
    }
  }

  private static String number(Number n) {
    double d = n.doubleValue();
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.toString();
  }

  private static Ui ui(JsonConfig u, Function<String, String> env) {
    Integer port = null;
    if (u.has("port")) {
      port = u.integer("port", DEFAULT_UI_PORT);
      if (port < 0 || port > 65_535) {
        throw new ConfigException(u.qualified("port") + " must be from 0 to 65535, was " + port);
      }
    }
    String host = u.string("host", "127.0.0.1");
    String tokenEnv = u.string("tokenEnv", null);
    String token = tokenEnv == null ? null : env.apply(tokenEnv);
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (token != null && token.length() < 16) {
      throw new ConfigException(
          "environment variable "
              + tokenEnv
              + " (named by "
              + u.qualified("tokenEnv")
              + ") holds a token of "
              + token.length()
              + " characters; use at least 16");
    }
    return new Ui(port, host, tokenEnv, token);
  }

  /** Reads {@code state.postgres}, or returns null when it is absent. */
  static Postgres postgres(JsonConfig st, Function<String, String> env) {
    if (!st.has("postgres")) {
      return null;
    }
    if (st.has("sqlite")) {
      throw new ConfigException(
          "set either "
              + st.qualified("sqlite")
              + " or "
              + st.qualified("postgres")
              + ", not both: the state lives in one store");
    }
    JsonConfig pg = st.object("postgres").allow(Set.of("url", "userEnv", "passwordEnv"));
    String url = pg.requiredString("url");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new ConfigException(
          pg.qualified("url")
              + " must be a PostgreSQL JDBC URL such as"
              + " \"jdbc:postgresql://db:5432/braze?currentSchema=braze_odp\", found "
              + JsonConfig.describe(url));
    }
    if (url.contains("password=")) {
      throw new ConfigException(
          pg.qualified("url")
              + " must not hold the password; name its environment variable in "
              + pg.qualified("passwordEnv"));
    }
    try {
      new PGSimpleDataSource().setURL(url);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          pg.qualified("url") + " is not a valid PostgreSQL JDBC URL: " + e.getMessage());
    }
    String user = pg.secret("userEnv");
    String password = pg.secret("passwordEnv");
    return new Postgres(url, user, pg.requiredString("passwordEnv"), password);
  }

  private static Daemon daemon(JsonConfig d, Path file) {
    LocalTime at;
    ZoneId zone;
    try {
      at = LocalTime.parse(d.string("segmentSyncAt", "02:00"));
    } catch (DateTimeParseException e) {
      throw new ConfigException(d.qualified("segmentSyncAt") + " must be HH:mm, e.g. \"02:00\"");
    }
    try {
      zone = ZoneId.of(d.string("zone", "UTC"));
    } catch (RuntimeException e) {
      throw new ConfigException(
          d.qualified("zone") + " must be an IANA time zone such as Europe/Paris");
    }
    // By default the config file's name: replicas of one deployment share their config.
    String fileName = file.getFileName() == null ? "host" : file.getFileName().toString();
    String name = d.string("name", fileName.replaceFirst("\\.json$", ""));
    if (name.isBlank()) {
      throw new ConfigException(d.qualified("name") + " must not be blank");
    }
    int healthPort = d.integer("healthPort", DEFAULT_HEALTH_PORT);
    if (healthPort < 0 || healthPort > 65_535) {
      throw new ConfigException(
          d.qualified("healthPort") + " must be from 0 to 65535, was " + healthPort);
    }
    return new Daemon(at, zone, name, healthPort, d.string("healthHost", "0.0.0.0"));
  }

  private static int positive(JsonConfig c, String key, int fallback) {
    int v = c.integer(key, fallback);
    if (v < 1) {
      throw new ConfigException(c.qualified(key) + " must be at least 1, was " + v);
    }
    return v;
  }
}
