package io.github.brazeodp.sync.port;

import io.github.brazeodp.sync.fake.wire.WireRequest;
import io.github.brazeodp.sync.fake.wire.WireResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;
import okio.Buffer;

/** Hosts a wire stand-in on MockWebServer: each recorded request goes to the handler. */
final class WireDispatcher extends Dispatcher {
  private final Function<WireRequest, WireResponse> handler;

  WireDispatcher(Function<WireRequest, WireResponse> handler) {
    this.handler = handler;
  }

  static WireRequest toWire(RecordedRequest recorded) {
    HttpUrl url = recorded.getUrl();
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (String name : url.queryParameterNames()) {
      query.put(name, url.queryParameterValues(name));
    }
    return new WireRequest(
        recorded.getMethod(),
        "/" + String.join("/", url.pathSegments()),
        query,
        recorded.getHeaders().toMultimap(),
        recorded.getBody() == null ? new byte[0] : recorded.getBody().toByteArray());
  }

  @Override
  public MockResponse dispatch(RecordedRequest recorded) {
    WireResponse response = handler.apply(toWire(recorded));
    if (response.dropConnection()) {
      return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
    }
    MockResponse.Builder b = new MockResponse.Builder().code(response.status());
    response.headers().forEach((name, values) -> values.forEach(v -> b.addHeader(name, v)));
    // Test exports are small: buffering keeps Content-Length framing simple.
    Buffer body = new Buffer();
    try (InputStream in = response.openBody()) {
      body.readFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.body(body).build();
  }
}
