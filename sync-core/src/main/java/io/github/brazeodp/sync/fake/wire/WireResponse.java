package io.github.brazeodp.sync.fake.wire;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * An HTTP response of a stand-in: status, headers and a body held in memory or streamed, or the
 * instruction to drop the connection without answering.
 *
 * <p>Immutable. A host writes {@link #status()}, {@link #headers()} and the bytes of {@link
 * #openBody()}; when {@link #dropConnection()} is true it closes the socket instead, which the
 * client sees as an I/O error after sending.
 */
public final class WireResponse {
  private final int status;
  private final Map<String, List<String>> headers;
  private final byte[] bytes;
  private final Supplier<InputStream> stream;
  private final boolean drop;

  private WireResponse(
      int status,
      Map<String, List<String>> headers,
      byte[] bytes,
      Supplier<InputStream> stream,
      boolean drop) {
    this.status = status;
    this.headers = headers;
    this.bytes = bytes;
    this.stream = stream;
    this.drop = drop;
  }

  /** Returns a response with a JSON body. */
  public static WireResponse json(int status, String json) {
    return bytes(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns a response with a body held in memory. */
  public static WireResponse bytes(int status, String contentType, byte[] body) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    h.put("content-type", List.of(contentType));
    return new WireResponse(status, h, body.clone(), null, false);
  }

  /**
   * Returns a response whose body is produced as it is read, for export downloads of any size;
   * {@code body} is called once per response written.
   */
  public static WireResponse stream(int status, String contentType, Supplier<InputStream> body) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    h.put("content-type", List.of(contentType));
    return new WireResponse(status, h, null, Objects.requireNonNull(body, "body"), false);
  }

  /** Returns the instruction to close the connection without any response. */
  public static WireResponse dropped() {
    return new WireResponse(0, Map.of(), new byte[0], null, true);
  }

  /** Returns a copy with one header set (replacing values of the same name). */
  public WireResponse withHeader(String name, String value) {
    Map<String, List<String>> h = new LinkedHashMap<>(headers);
    h.put(name.toLowerCase(Locale.ROOT), List.of(value));
    return new WireResponse(status, h, bytes, stream, drop);
  }

  /** Returns the status code; 0 for a dropped connection. */
  public int status() {
    return status;
  }

  /** Returns the headers, names lower-cased. */
  public Map<String, List<String>> headers() {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
    return copy;
  }

  /** Returns the first value of a header, ignoring case, or null. */
  public String header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** Returns whether the host should close the connection instead of answering. */
  public boolean dropConnection() {
    return drop;
  }

  /** Returns whether the body is streamed (its length is unknown in advance). */
  public boolean streamed() {
    return stream != null;
  }

  /** Returns the body length in bytes, or -1 when it is streamed. */
  public long contentLength() {
    return stream != null ? -1 : bytes.length;
  }

  /** Opens the body; the caller closes the stream. */
  public InputStream openBody() {
    return stream != null ? stream.get() : new ByteArrayInputStream(bytes);
  }

  /**
   * Returns the whole body as UTF-8 text, reading a streamed body to its end (meant for tests and
   * small bodies).
   */
  public String bodyText() {
    try (InputStream in = openBody()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return drop
        ? "WireResponse{dropped}"
        : "WireResponse{"
            + status
            + ", "
            + (stream != null ? "streamed" : bytes.length + " bytes")
            + "}";
  }
}
