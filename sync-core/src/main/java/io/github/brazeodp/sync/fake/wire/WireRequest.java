package io.github.brazeodp.sync.fake.wire;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP request as a stand-in sees it, independent of the server hosting it.
 *
 * @param method the HTTP method, upper case
 * @param path the decoded path, e.g. {@code /users/track}, without the query
 * @param query the decoded query parameters, in order; never null
 * @param headers the headers, names lower-cased so look-ups ignore case; never null
 * @param body the request body; empty when there is none
 */
public record WireRequest(
    String method,
    String path,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    byte[] body) {
  /** Validates the request, lower-cases header names and copies everything. */
  public WireRequest {
    method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
    Objects.requireNonNull(path, "path");
    query = copy(query, false);
    headers = copy(headers, true);
    body = body == null ? new byte[0] : body.clone();
  }

  /** Returns a request without a body. */
  public static WireRequest of(String method, String path, Map<String, List<String>> query) {
    return new WireRequest(method, path, query, Map.of(), null);
  }

  /** Returns a copy with one more header. */
  public WireRequest withHeader(String name, String value) {
    Map<String, List<String>> h = new LinkedHashMap<>(headers);
    h.put(name.toLowerCase(Locale.ROOT), List.of(value));
    return new WireRequest(method, path, query, h, body);
  }

  /** Returns a copy with a UTF-8 body. */
  public WireRequest withBody(String text) {
    return new WireRequest(method, path, query, headers, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the first value of a header, ignoring case, or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Returns the first value of a query parameter, or null. */
  public String queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Returns the body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Returns a copy of the body bytes. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> in, boolean lower) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (in != null) {
      in.forEach(
          (k, v) -> {
            String key = lower ? k.toLowerCase(Locale.ROOT) : k;
            out.merge(
                key,
                List.copyOf(v),
                (a, b) -> {
                  List<String> all = new java.util.ArrayList<>(a);
                  all.addAll(b);
                  return List.copyOf(all);
                });
          });
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WireRequest r
        && method.equals(r.method)
        && path.equals(r.path)
        && query.equals(r.query)
        && headers.equals(r.headers)
        && java.util.Arrays.equals(body, r.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, path, query, headers, java.util.Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    // Headers are left out: they carry API keys.
    return "WireRequest{" + method + " " + path + ", " + body.length + " bytes}";
  }
}
