package io.github.brazeodp.odp;

import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import io.github.brazeodp.odp.internal.AuthInterceptor;
import io.github.brazeodp.odp.internal.DownloadHopPolicy;
import io.github.brazeodp.odp.internal.EventBatcher;
import io.github.brazeodp.odp.internal.ExchangeInterceptor;
import io.github.brazeodp.odp.internal.MoshiSupport;
import io.github.brazeodp.odp.internal.OdpHttpApi;
import io.github.brazeodp.odp.internal.Pacer;
import io.github.brazeodp.odp.internal.Wire;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import retrofit2.Retrofit;
import retrofit2.converter.moshi.MoshiConverterFactory;

/**
 * The entry point of the Optimizely Data Platform (ODP) v3 client: one immutable, thread-safe
 * object per account, shared by all threads.
 *
 * <pre>{@code
 * try (OdpClient odp = OdpClient.builder().apiKey(key).build()) {
 *   BatchResult r = odp.events().send(events);
 * }
 * }</pre>
 *
 * <p>Requests from many threads run concurrently over one connection pool. Every call is retried
 * per {@link RetrySettings} and paced per {@link RateLimits}. The API key is never logged, never in
 * an exception message and never in {@code toString()}.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/authentication">ODP
 *     authentication</a>
 */
public final class OdpClient implements AutoCloseable {
  private final Builder config;
  private final String baseUrl;
  private final OkHttpClient ownedClient;
  private final Transport transport;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final EventsService events;
  private final ProfilesService profiles;
  private final ListsService lists;
  private final SchemaService schema;
  private final SegmentsService segments;
  private final ExportsService exports;
  private final ExecutorService batchExecutor;

  private OdpClient(Builder b, HttpUrl url) {
    this.config = b.copy();
    this.baseUrl = url.toString();
    // OkHttp keeps 5 idle connections by default; a batch call with more requests in flight would
    // close the extra ones after every call and open them again for the next.
    OkHttpClient host =
        b.okHttpClient != null
            ? b.okHttpClient
            : new OkHttpClient.Builder()
                .connectionPool(
                    new ConnectionPool(Math.max(5, b.batching.maxInFlight()), 5, TimeUnit.MINUTES))
                .build();
    OkHttpClient base =
        host.newBuilder()
            .socketFactory(
                io.github.brazeodp.odp.internal.NoDelaySockets.wrapDefault(host.socketFactory()))
            .build();
    this.ownedClient = b.okHttpClient == null ? host : null;
    boolean defaults = b.okHttpClient == null;

    OkHttpClient.Builder api = base.newBuilder();
    timeouts(api, b, defaults);
    // Redirects would carry x-api-key to wherever they point; ODP's API does not redirect.
    api.followRedirects(false).followSslRedirects(false);
    api.addInterceptor(new AuthInterceptor(b.apiKey, url.host()));
    OkHttpClient.Builder files = base.newBuilder();
    timeouts(files, b, defaults);
    // An export file can be large; the read timeout still catches a stalled download.
    files.callTimeout(Duration.ZERO);
    // Pre-signed file URLs come from a response body; every hop is checked before it is sent.
    files
        .followRedirects(false)
        .followSslRedirects(false)
        .addInterceptor(
            new DownloadHopPolicy(
                b.allowPrivateDownloadHosts || DownloadHopPolicy.isLoopbackHost(url.host()),
                host.dns()));
    if (b.eventListener != null) {
      ExchangeInterceptor exchanges = new ExchangeInterceptor(b.eventListener, b.exchangeBodyLimit);
      api.addInterceptor(exchanges);
      files.addInterceptor(exchanges);
    }

    Moshi moshi = MoshiSupport.create();
    OdpHttpApi http =
        new Retrofit.Builder()
            .baseUrl(url)
            .client(api.build())
            .addConverterFactory(MoshiConverterFactory.create(moshi))
            .build()
            .create(OdpHttpApi.class);

    Map<OdpApi, Pacer> pacers = new EnumMap<>(OdpApi.class);
    for (OdpApi a : OdpApi.values()) {
      b.rateLimits.perSecond(a).ifPresent(rate -> pacers.put(a, new Pacer(b.clock, rate)));
    }
    this.transport =
        new Transport(
            new RetryPolicy(b.retry, b.clock),
            pacers,
            new ErrorMapper(moshi.adapter(Wire.ErrorBody.class), b.exchangeBodyLimit, b.clock),
            b.clock,
            b.sleeper,
            b.eventListener);
    EventBatcher batcher = new EventBatcher(b.batching.maxItems(), b.batching.maxBytes());
    this.batchExecutor = batchExecutor();
    BatchSender sender =
        new BatchSender(transport, batcher, b.batching.maxInFlight(), batchExecutor);
    RowEncoder encoder = new RowEncoder(b.batching, batcher.maxRowBytes());

    this.events = new EventsService(sender, encoder, http);
    this.profiles =
        new ProfilesService(
            transport, sender, encoder, http, moshi.adapter(Wire.ProfileBody.class));
    this.lists =
        new ListsService(
            transport,
            sender,
            encoder,
            http,
            moshi.adapter(Wire.ListsBody.class),
            moshi.adapter(Wire.CreatedListBody.class));
    this.schema =
        new SchemaService(
            transport,
            http,
            moshi.adapter(Types.newParameterizedType(List.class, SchemaField.class)),
            moshi.adapter(Wire.FieldsBody.class),
            moshi.adapter(SchemaField.class));
    this.segments = new SegmentsService(transport, http, moshi.adapter(Wire.GraphQlResponse.class));
    this.exports =
        new ExportsService(
            transport, http, files.build(), moshi.adapter(ExportJob.class), b.exportPolling);
  }

  /**
   * Threads for the requests of batch calls that are in flight at once. They are created on demand
   * and end after 30 s idle, so a client that is never closed leaks no thread; daemon, so they
   * never keep the host's JVM alive.
   */
  private static ExecutorService batchExecutor() {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        30,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "odp-batch-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private static void timeouts(OkHttpClient.Builder ok, Builder b, boolean defaults) {
    if (defaults || b.connectTimeout != null) {
      ok.connectTimeout(b.connectTimeout != null ? b.connectTimeout : Builder.CONNECT_TIMEOUT);
    }
    if (defaults || b.readTimeout != null) {
      ok.readTimeout(b.readTimeout != null ? b.readTimeout : Builder.READ_TIMEOUT);
    }
    if (defaults || b.callTimeout != null) {
      ok.callTimeout(b.callTimeout != null ? b.callTimeout : Builder.CALL_TIMEOUT);
    }
  }

  /** Returns a builder with the defaults; only {@code apiKey} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this client's settings, to derive a client that differs in a few. A
   * host-supplied {@link OkHttpClient} is carried over; otherwise the new client makes its own.
   */
  public Builder newBuilder() {
    return config.copy();
  }

  /** Returns the events service. */
  public EventsService events() {
    return events;
  }

  /** Returns the profiles service. */
  public ProfilesService profiles() {
    return profiles;
  }

  /** Returns the lists service. */
  public ListsService lists() {
    return lists;
  }

  /** Returns the schema service. */
  public SchemaService schema() {
    return schema;
  }

  /** Returns the segments (GraphQL audiences) service. */
  public SegmentsService segments() {
    return segments;
  }

  /** Returns the segment-export service. */
  public ExportsService exports() {
    return exports;
  }

  /** Returns the v3 base URL in use, ending in {@code /}. */
  public String baseUrl() {
    return baseUrl;
  }

  /**
   * Stops the client; idempotent. When the client created its own {@link OkHttpClient}, its
   * dispatcher is shut down and idle connections are evicted; a host-supplied client is left alone.
   * Later calls throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    transport.close();
    batchExecutor.shutdown();
    if (ownedClient != null) {
      ownedClient.dispatcher().executorService().shutdown();
      ownedClient.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "OdpClient{baseUrl=" + baseUrl + ", apiKey=[REDACTED]}";
  }

  static boolean isSecureOrLoopback(HttpUrl url) {
    return url.isHttps() || DownloadHopPolicy.isLoopbackHost(url.host());
  }

  /** Builds {@link OdpClient}s; not thread-safe. */
  public static final class Builder {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    private static final int DEFAULT_BODY_LIMIT = 64 * 1024;

    private String apiKey;
    private OdpRegion region;
    private String baseUrl;
    private OkHttpClient okHttpClient;
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration callTimeout;
    private RetrySettings retry = RetrySettings.defaults();
    private RateLimits rateLimits = RateLimits.defaults();
    private BatchSettings batching = BatchSettings.defaults();
    private ExportPolling exportPolling = ExportPolling.defaults();
    private OdpEventListener eventListener;
    private int exchangeBodyLimit = DEFAULT_BODY_LIMIT;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private boolean allowPrivateDownloadHosts;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.apiKey = apiKey;
      b.region = region;
      b.baseUrl = baseUrl;
      b.okHttpClient = okHttpClient;
      b.connectTimeout = connectTimeout;
      b.readTimeout = readTimeout;
      b.callTimeout = callTimeout;
      b.retry = retry;
      b.rateLimits = rateLimits;
      b.batching = batching;
      b.exportPolling = exportPolling;
      b.eventListener = eventListener;
      b.exchangeBodyLimit = exchangeBodyLimit;
      b.clock = clock;
      b.sleeper = sleeper;
      b.allowPrivateDownloadHosts = allowPrivateDownloadHosts;
      return b;
    }

    /**
     * Sets the ODP API key (public or private, per the calls you make); required. Its suffix picks
     * the region unless {@link #region} or {@link #baseUrl} is set.
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /**
     * Allows export-file downloads from hosts on private, loopback and link-local addresses
     * (default: refused, so a forged file URL cannot reach internal services). Loopback is allowed
     * anyway when the base URL itself is a loopback host (a sandbox). Cloud metadata addresses
     * (169.254.169.254, fd00:ec2::254, metadata.google.internal) are always refused.
     */
    public Builder allowPrivateDownloadHosts(boolean allow) {
      this.allowPrivateDownloadHosts = allow;
      return this;
    }

    /** Sets the region, overriding detection from the key. */
    public Builder region(OdpRegion region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * Sets the v3 base URL, e.g. {@code https://api.eu1.odp.optimizely.com/v3/}, overriding the
     * region. It must be https; plain http is accepted only for loopback hosts (tests).
     */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /**
     * Uses the host's OkHttp client (its pool, dispatcher and interceptors); the ODP client derives
     * from it with {@code newBuilder()} and never shuts it down.
     */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      this.okHttpClient = Objects.requireNonNull(okHttpClient, "okHttpClient");
      return this;
    }

    /** Sets the connect timeout (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = nonNegative("connectTimeout", timeout);
      return this;
    }

    /** Sets the read timeout (default 30 s), also for export downloads. */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = nonNegative("readTimeout", timeout);
      return this;
    }

    /** Sets the timeout of one API attempt (default 60 s); export downloads have none. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = nonNegative("callTimeout", timeout);
      return this;
    }

    /** Sets the retry policy (default {@link RetrySettings#defaults()}). */
    public Builder retry(RetrySettings retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** Sets the per-API request budgets (default {@link RateLimits#defaults()}). */
    public Builder rateLimits(RateLimits rateLimits) {
      this.rateLimits = Objects.requireNonNull(rateLimits, "rateLimits");
      return this;
    }

    /** Sets batch caps and row validation (default {@link BatchSettings#defaults()}). */
    public Builder batching(BatchSettings batching) {
      this.batching = Objects.requireNonNull(batching, "batching");
      return this;
    }

    /** Sets how export jobs are polled (default {@link ExportPolling#defaults()}). */
    public Builder exportPolling(ExportPolling exportPolling) {
      this.exportPolling = Objects.requireNonNull(exportPolling, "exportPolling");
      return this;
    }

    /** Sets a listener told about every HTTP attempt. */
    public Builder eventListener(OdpEventListener eventListener) {
      this.eventListener = Objects.requireNonNull(eventListener, "eventListener");
      return this;
    }

    /**
     * Sets how many bytes of each body an {@link OdpExchange} and exceptions keep (default 64 KiB).
     */
    public Builder exchangeBodyLimit(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("exchangeBodyLimit: must be >= 0, was " + bytes);
      }
      this.exchangeBodyLimit = bytes;
      return this;
    }

    /** Sets the clock used for retry budgets, pacing and polling (tests pass a fake). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the sleeper used for every wait (tests pass a recording one). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalArgumentException if the key is missing or malformed, or the base URL is not
     *     https (or http to a loopback host)
     */
    public OdpClient build() {
      if (apiKey == null || apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey: required");
      }
      for (int i = 0; i < apiKey.length(); i++) {
        char c = apiKey.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          // Checked here because OkHttp's own header error would quote the value.
          throw new IllegalArgumentException(
              "apiKey: must be printable ASCII without spaces (bad character at index " + i + ")");
        }
      }
      String raw =
          baseUrl != null
              ? baseUrl
              : (region != null ? region : OdpRegion.fromApiKey(apiKey)).baseUrl();
      HttpUrl url = HttpUrl.parse(raw.endsWith("/") ? raw : raw + "/");
      if (url == null) {
        throw new IllegalArgumentException("baseUrl: not an http(s) URL: " + raw);
      }
      if (!isSecureOrLoopback(url)) {
        throw new IllegalArgumentException(
            "baseUrl: must use https (plain http only for loopback hosts): " + raw);
      }
      return new OdpClient(this, url);
    }

    private static Duration nonNegative(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + ": must not be negative, was " + d);
      }
      return d;
    }

    @Override
    public String toString() {
      return "OdpClient.Builder{apiKey="
          + (apiKey == null ? "null" : "[REDACTED]")
          + ", region="
          + region
          + ", baseUrl="
          + baseUrl
          + ", retry="
          + retry
          + ", rateLimits="
          + rateLimits
          + ", batching="
          + batching
          + "}";
    }
  }
}
