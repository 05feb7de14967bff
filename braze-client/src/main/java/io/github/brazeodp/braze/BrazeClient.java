package io.github.brazeodp.braze;

import io.github.brazeodp.braze.internal.BrazeApi;
import io.github.brazeodp.braze.internal.ExchangeInterceptor;
import io.github.brazeodp.braze.internal.HopPolicy;
import io.github.brazeodp.braze.internal.Json;
import io.github.brazeodp.braze.internal.JsonBody;
import io.github.brazeodp.braze.internal.NoDelaySockets;
import io.github.brazeodp.braze.internal.RatePacer;
import io.github.brazeodp.braze.internal.Transport;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import retrofit2.Call;
import retrofit2.Retrofit;
import retrofit2.converter.moshi.MoshiConverterFactory;

/**
 * Entry point of the Braze REST client: immutable, thread-safe, one per API key.
 *
 * <pre>{@code
 * try (BrazeClient braze = BrazeClient.builder()
 *     .apiKey(System.getenv("BRAZE_API_KEY"))
 *     .instance(BrazeInstance.US_01)
 *     .build()) {
 *   for (Segment s : braze.segments().list()) { ... }
 * }
 * }</pre>
 *
 * <p>Share one client across threads: its rate budgets and connection pool are per client. Close it
 * to release the threads and connections it created (a host-supplied {@link OkHttpClient} is left
 * alone).
 */
public final class BrazeClient implements AutoCloseable {
  private final Builder config;
  private final ClientContext ctx;
  private final boolean ownsHttp;
  private final UsersService users;
  private final SegmentsService segments;
  private final ExportsService exports;
  private final MessagingService messaging;

  private BrazeClient(Builder b) {
    this.config = b.copy();
    HttpUrl baseUrl = HttpUrl.get(b.baseUrl.endsWith("/") ? b.baseUrl : b.baseUrl + "/");
    this.ownsHttp = b.okHttpClient == null;
    OkHttpClient.Builder http = ownsHttp ? new OkHttpClient.Builder() : b.okHttpClient.newBuilder();
    http.connectTimeout(b.connectTimeout)
        .readTimeout(b.readTimeout)
        .writeTimeout(b.readTimeout)
        .callTimeout(b.callTimeout)
        // OkHttp would otherwise silently repeat a request on some connection failures, which a
        // trigger send must never be; our own retry policy decides instead.
        .retryOnConnectionFailure(false)
        // Redirects are followed by HopPolicy, which checks every hop before it is sent.
        .followRedirects(false)
        .followSslRedirects(false)
        .socketFactory(
            NoDelaySockets.wrapDefault(
                ownsHttp ? javax.net.SocketFactory.getDefault() : b.okHttpClient.socketFactory()))
        .addInterceptor(
            new HopPolicy(
                b.allowPrivateDownloadHosts || isLoopback(baseUrl.host()),
                ownsHttp ? okhttp3.Dns.SYSTEM : b.okHttpClient.dns()))
        .addInterceptor(
            new ExchangeInterceptor(baseUrl, b.apiKey, b.listener, b.clock, b.listenerBodyCap))
        .addNetworkInterceptor(ExchangeInterceptor.networkMarker());
    OkHttpClient client = http.build();
    Retrofit retrofit =
        new Retrofit.Builder()
            .baseUrl(baseUrl)
            .client(client)
            .addConverterFactory(MoshiConverterFactory.create(Json.moshi()))
            .build();
    RatePacer pacer = new RatePacer(b.rateLimits, b.clock, b.sleeper, b.listener);
    Transport transport = new Transport(b.retry, pacer, b.clock, b.sleeper, b.random, b.listener);
    this.ctx =
        new ClientContext(
            retrofit.create(BrazeApi.class),
            transport,
            client,
            baseUrl,
            b.clock,
            b.sleeper,
            b.trackLimit,
            b.trackBulkHeader,
            b.exportLimits);
    this.users = new UsersService(ctx);
    this.segments = new SegmentsService(ctx);
    this.exports = new ExportsService(ctx);
    this.messaging = new MessagingService(ctx);
  }

  /** Returns a new builder with Braze's defaults (instance US-01). */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this client's settings, to derive a variant. */
  public Builder newBuilder() {
    return config.copy();
  }

  /** Returns {@code /users/track} and {@code /users/export/ids}. */
  public UsersService users() {
    return users;
  }

  /** Returns {@code /segments/list} and {@code /segments/details}. */
  public SegmentsService segments() {
    return segments;
  }

  /** Returns segment exports. */
  public ExportsService exports() {
    return exports;
  }

  /** Returns campaign and Canvas trigger sends. */
  public MessagingService messaging() {
    return messaging;
  }

  /** Returns how many objects one {@code /users/track} request of this client may carry. */
  public TrackLimit trackLimit() {
    return ctx.trackLimit();
  }

  /** Returns the REST base URL this client talks to. */
  public String baseUrl() {
    return ctx.baseUrl().toString();
  }

  /**
   * Checks that the key holds every permission the integration needs, without changing data.
   *
   * <p>Each probe sends a request Braze must refuse with 400 when the key is allowed (an empty
   * {@code /users/track} body, a trigger with an empty campaign id, ...), 403 when the permission
   * is missing, 401 when the key is invalid or belongs to another instance. {@code segments.list}
   * is probed with a harmless read of page 0.
   */
  public KeyVerification verifyKey() {
    Map<String, KeyVerification.Verdict> verdicts = new LinkedHashMap<>();
    verdicts.put(
        "users.track",
        probe(
            "/users/track",
            EndpointFamily.USERS_TRACK,
            a -> ctx.api().trackRaw(new JsonBody(Map.of()), a)));
    verdicts.put(
        "users.export.segment",
        probe(
            "/users/export/segment",
            EndpointFamily.DEFAULT,
            a ->
                ctx.api()
                    .exportSegmentRaw(
                        new JsonBody(
                            Map.of("segment_id", "", "fields_to_export", List.of("braze_id"))),
                        a)));
    verdicts.put(
        "segments.list",
        probe("/segments/list", EndpointFamily.DEFAULT, a -> ctx.api().listSegments(0, "asc", a)));
    verdicts.put(
        "campaigns.trigger.send",
        probe(
            "/campaigns/trigger/send",
            EndpointFamily.MESSAGING,
            a ->
                ctx.api()
                    .triggerCampaign(
                        new JsonBody(Map.of("campaign_id", "", "recipients", List.of())), a)));
    verdicts.put(
        "canvas.trigger.send",
        probe(
            "/canvas/trigger/send",
            EndpointFamily.MESSAGING,
            a ->
                ctx.api()
                    .triggerCanvas(
                        new JsonBody(Map.of("canvas_id", "", "recipients", List.of())), a)));
    return new KeyVerification(baseUrl(), verdicts, summarize(verdicts));
  }

  private KeyVerification.Verdict probe(
      String path, EndpointFamily family, Function<ExchangeInterceptor.Attempt, Call<?>> call) {
    try {
      ctx.transport()
          .execute(
              new Transport.Endpoint(path, family, Transport.Safety.SEND),
              a -> {
                @SuppressWarnings("unchecked")
                Call<Object> c = (Call<Object>) call.apply(a);
                return c;
              });
      return KeyVerification.Verdict.GRANTED;
    } catch (BrazeBadRequestException e) {
      return KeyVerification.Verdict.GRANTED;
    } catch (BrazeAuthException e) {
      return e.status() == 401
          ? KeyVerification.Verdict.KEY_REJECTED
          : KeyVerification.Verdict.DENIED;
    } catch (BrazeException e) {
      return KeyVerification.Verdict.UNKNOWN;
    }
  }

  private String summarize(Map<String, KeyVerification.Verdict> verdicts) {
    if (verdicts.values().stream().allMatch(v -> v == KeyVerification.Verdict.GRANTED)) {
      return "the key holds every permission the integration needs at " + baseUrl();
    }
    if (verdicts.values().stream().allMatch(v -> v == KeyVerification.Verdict.KEY_REJECTED)) {
      return "every probe answered 401 at "
          + baseUrl()
          + ": the key is invalid, or belongs to another Braze instance (check the dashboard URL"
          + " against the instance), or was pasted with quotes";
    }
    StringBuilder sb = new StringBuilder("missing or unverified permissions at " + baseUrl() + ":");
    verdicts.forEach(
        (permission, verdict) -> {
          if (verdict != KeyVerification.Verdict.GRANTED) {
            sb.append(' ').append(permission).append('=').append(verdict);
          }
        });
    return sb.toString();
  }

  /** Releases the threads and pooled connections this client created. */
  @Override
  public void close() {
    if (ownsHttp) {
      ctx.http().dispatcher().executorService().shutdown();
      ctx.http().connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "BrazeClient{baseUrl=" + baseUrl() + ", apiKey=[REDACTED]}";
  }

  static void checkUrl(String field, String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      throw new IllegalArgumentException(field + " is not an http(s) URL: \"" + url + "\"");
    }
    if (parsed.scheme().equals("http") && !isLoopback(parsed.host())) {
      throw new IllegalArgumentException(
          field
              + " uses plain http to a non-loopback host ("
              + parsed.host()
              + "); use https so the API key is not sent in clear text");
    }
  }

  static void checkDownloadUrl(String field, String url) {
    checkUrl(field, url);
  }

  private static boolean isLoopback(String host) {
    return HopPolicy.isLoopbackHost(host);
  }

  /** Builds a {@link BrazeClient}. */
  public static final class Builder {
    private String apiKey;
    private String baseUrl = BrazeInstance.US_01.restUrl();
    private OkHttpClient okHttpClient;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private Duration callTimeout = Duration.ZERO;
    private RetrySettings retry = RetrySettings.defaults();
    private RateLimits rateLimits = RateLimits.defaults();
    private TrackLimit trackLimit = TrackLimit.COMBINED_50;
    private String trackBulkHeader;
    private BrazeEventListener listener = BrazeEventListener.none();
    private int listenerBodyCap = 64 * 1024;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private RandomGenerator random = new SecureRandom();
    private ExportLimits exportLimits = ExportLimits.defaults();
    private boolean allowPrivateDownloadHosts;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.apiKey = apiKey;
      b.baseUrl = baseUrl;
      b.okHttpClient = okHttpClient;
      b.connectTimeout = connectTimeout;
      b.readTimeout = readTimeout;
      b.callTimeout = callTimeout;
      b.retry = retry;
      b.rateLimits = rateLimits;
      b.trackLimit = trackLimit;
      b.trackBulkHeader = trackBulkHeader;
      b.listener = listener;
      b.listenerBodyCap = listenerBodyCap;
      b.clock = clock;
      b.sleeper = sleeper;
      b.random = random;
      b.exportLimits = exportLimits;
      b.allowPrivateDownloadHosts = allowPrivateDownloadHosts;
      return b;
    }

    /** Sets the REST API key (required). It is sent only to the Braze base URL. */
    public Builder apiKey(String apiKey) {
      Validation.notNull("apiKey", apiKey);
      String trimmed = apiKey.strip();
      if (trimmed.isEmpty()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      if (trimmed.startsWith("\"") || trimmed.startsWith("'")) {
        throw new IllegalArgumentException(
            "apiKey starts with a quote; Braze answers 401 to quoted keys");
      }
      this.apiKey = trimmed;
      return this;
    }

    /** Targets a known Braze instance. */
    public Builder instance(BrazeInstance instance) {
      this.baseUrl = Objects.requireNonNull(instance, "instance").restUrl();
      return this;
    }

    /** Targets any REST base URL: a new instance, a proxy, or a local sandbox over http. */
    public Builder baseUrl(String baseUrl) {
      Validation.notNull("baseUrl", baseUrl);
      checkUrl("baseUrl", baseUrl);
      this.baseUrl = baseUrl;
      return this;
    }

    /** Derives the HTTP client from the host's, sharing its pool and dispatcher. */
    public Builder okHttpClient(OkHttpClient client) {
      this.okHttpClient = Objects.requireNonNull(client, "okHttpClient");
      return this;
    }

    /** Sets the connect timeout (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
      return this;
    }

    /** Sets the read and write timeout (default 60 s). */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = Objects.requireNonNull(timeout, "readTimeout");
      return this;
    }

    /** Sets a timeout for one whole attempt (default none; export downloads can be long). */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Objects.requireNonNull(timeout, "callTimeout");
      return this;
    }

    /** Sets the retry policy. */
    public Builder retry(RetrySettings retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** Sets the client-side rate budgets. */
    public Builder rateLimits(RateLimits rateLimits) {
      this.rateLimits = Objects.requireNonNull(rateLimits, "rateLimits");
      return this;
    }

    /** Sets how many objects one {@code /users/track} request may carry (default 50 combined). */
    public Builder trackLimit(TrackLimit trackLimit) {
      this.trackLimit = Objects.requireNonNull(trackLimit, "trackLimit");
      return this;
    }

    /**
     * Sends {@code name: true} on {@code /users/track} requests, for accounts that route bulk
     * traffic by header. Braze's docs once named {@code X-Braze-Bulk}, Segment sends {@code
     * X-Braze-Batch}; by default no header is sent.
     */
    public Builder trackBulkHeader(String name) {
      this.trackBulkHeader = name == null ? null : Validation.notBlank("trackBulkHeader", name);
      return this;
    }

    /** Sets the listener that sees every HTTP attempt, secrets redacted. */
    public Builder eventListener(BrazeEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "eventListener");
      return this;
    }

    /** Sets how many characters of each body the listener receives (default 64 KiB). */
    public Builder listenerBodyCap(int characters) {
      if (characters < 0) {
        throw new IllegalArgumentException("listenerBodyCap must not be negative");
      }
      this.listenerBodyCap = characters;
      return this;
    }

    /** Sets the clock used for rate-limit resets, budgets and deadlines. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the sleeper used for every wait. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Sets the random source of backoff jitter, for reproducible tests. */
    public Builder jitter(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "jitter");
      return this;
    }

    /**
     * Sets the bounds on reading export archives (default {@link ExportLimits#defaults()}); {@link
     * ExportReadOptions#limits(ExportLimits)} overrides them per read.
     */
    public Builder exportLimits(ExportLimits limits) {
      this.exportLimits = Objects.requireNonNull(limits, "exportLimits");
      return this;
    }

    /**
     * Allows export downloads from hosts on private, loopback and link-local addresses (default:
     * refused, so that a forged export URL cannot reach internal services). Loopback is allowed
     * anyway when the base URL itself is a loopback host (a sandbox). Cloud metadata addresses
     * (169.254.169.254, fd00:ec2::254, metadata.google.internal) are always refused.
     */
    public Builder allowPrivateDownloadHosts(boolean allow) {
      this.allowPrivateDownloadHosts = allow;
      return this;
    }

    /** Builds the client. */
    public BrazeClient build() {
      if (apiKey == null) {
        throw new IllegalStateException("apiKey is required");
      }
      return new BrazeClient(this);
    }

    @Override
    public String toString() {
      return "BrazeClient.Builder{baseUrl=" + baseUrl + ", apiKey=[REDACTED]}";
    }
  }
}
