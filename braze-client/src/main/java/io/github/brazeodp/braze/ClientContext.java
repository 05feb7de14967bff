package io.github.brazeodp.braze;

import io.github.brazeodp.braze.internal.BrazeApi;
import io.github.brazeodp.braze.internal.Transport;
import java.time.Clock;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/** What the services of one client share. */
record ClientContext(
    BrazeApi api,
    Transport transport,
    OkHttpClient http,
    HttpUrl baseUrl,
    Clock clock,
    Sleeper sleeper,
    TrackLimit trackLimit,
    String trackBulkHeader,
    ExportLimits exportLimits) {

  static Transport.Endpoint endpoint(String path, EndpointFamily family, Transport.Safety safety) {
    return new Transport.Endpoint(path, family, safety);
  }
}
