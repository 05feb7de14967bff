package io.github.brazeodp.odp.internal;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/** Adds the ODP key to requests for the configured API host only. */
public final class AuthInterceptor implements Interceptor {
  private static final String USER_AGENT = "braze-odp-sync/odp-client";

  private final String apiKey;
  private final String host;

  /**
   * Creates the interceptor.
   *
   * @param apiKey the ODP key sent as {@code x-api-key}
   * @param host the only host that may receive the key
   */
  public AuthInterceptor(String apiKey, String host) {
    this.apiKey = apiKey;
    this.host = host;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    // Defence in depth: a redirect or a presigned download must never carry the key off-host.
    if (!request.url().host().equals(host)) {
      return chain.proceed(request);
    }
    return chain.proceed(
        request
            .newBuilder()
            .header("x-api-key", apiKey)
            .header("Accept", "application/json")
            .header("User-Agent", USER_AGENT)
            .build());
  }

  @Override
  public String toString() {
    return "AuthInterceptor{host=" + host + "}";
  }
}
