package io.github.brazeodp.odp.internal;

import io.github.brazeodp.odp.OdpUrlRefusedException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Checks every hop of an export-file download before it is sent. OkHttp's redirect following is off
 * on the download client; this interceptor follows at most {@link #MAX_REDIRECTS} redirects itself,
 * each only to https or plain http on a loopback host, and refuses hosts that resolve to a private,
 * loopback, link-local or cloud-metadata address unless private hosts are allowed (metadata
 * addresses are refused even then). Mirrors the Braze client's rule; the two clients share no code.
 */
public final class DownloadHopPolicy implements Interceptor {
  /** Redirects followed per download before giving up. */
  public static final int MAX_REDIRECTS = 5;

  static final String METADATA = "a cloud metadata address";
  private static final Set<String> METADATA_HOSTS =
      Set.of("metadata.google.internal", "metadata.goog", "metadata");

  private final boolean allowPrivate;
  private final Dns dns;

  public DownloadHopPolicy(boolean allowPrivate, Dns dns) {
    this.allowPrivate = allowPrivate;
    this.dns = dns;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    for (int hop = 0; ; hop++) {
      check(request.url(), hop);
      Response response = chain.proceed(request);
      int code = response.code();
      String location = response.header("Location");
      boolean redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
      if (!redirect || location == null) {
        return response;
      }
      HttpUrl next = response.request().url().resolve(location);
      response.close();
      if (next == null) {
        throw new OdpUrlRefusedException(
            "refused a redirect from "
                + shown(request.url())
                + " to a location that is not an http(s) URL",
            shown(request.url()));
      }
      if (hop >= MAX_REDIRECTS) {
        throw new OdpUrlRefusedException(
            "refused to follow more than "
                + MAX_REDIRECTS
                + " redirects from "
                + shown(chain.request().url()),
            shown(chain.request().url()));
      }
      request = request.newBuilder().url(next).get().build();
    }
  }

  private void check(HttpUrl url, int hop) throws IOException {
    if (!url.isHttps() && !isLoopbackHost(url.host())) {
      throw new OdpUrlRefusedException(
          (hop == 0 ? "refused " : "refused a redirect to ")
              + "plain http to a non-loopback host: "
              + shown(url)
              + "; only https (or http to a loopback host) is followed",
          shown(url));
    }
    String host = url.host().toLowerCase(Locale.ROOT);
    if (METADATA_HOSTS.contains(host)) {
      throw refused(url, "a cloud metadata host");
    }
    // Resolved before any connection; OkHttp resolves again, so a name whose answer changes
    // between the two lookups is not caught.
    List<InetAddress> addresses =
        looksLikeIp(host) ? List.of(InetAddress.getByName(host)) : dns.lookup(host);
    for (InetAddress address : addresses) {
      String kind = classify(address);
      if (kind != null && (kind.equals(METADATA) || !allowPrivate)) {
        throw refused(url, kind + " (" + address.getHostAddress() + ")");
      }
    }
  }

  private OdpUrlRefusedException refused(HttpUrl url, String what) {
    return new OdpUrlRefusedException(
        "refused to download from "
            + shown(url)
            + ": its host is "
            + what
            + (what.startsWith(METADATA) || allowPrivate
                ? ""
                : "; allow it with OdpClient.Builder.allowPrivateDownloadHosts(true)"),
        shown(url));
  }

  /** Returns which kind of non-public address this is, or null for a public one. */
  public static String classify(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length == 16 && isIpv4Mapped(b)) {
      try {
        return classify(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
    if (address instanceof Inet4Address
        && (b[0] & 0xff) == 169
        && (b[1] & 0xff) == 254
        && (b[2] & 0xff) == 169
        && (b[3] & 0xff) == 254) {
      return METADATA;
    }
    byte[] aws = {(byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    if (address instanceof Inet6Address && Arrays.equals(b, aws)) {
      return METADATA;
    }
    if (address.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (address.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (address.isAnyLocalAddress()) {
      return "an unspecified address";
    }
    if (address.isSiteLocalAddress()
        || (address instanceof Inet6Address && (b[0] & 0xfe) == 0xfc)
        || (address instanceof Inet4Address
            && (((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) || (b[0] & 0xff) == 0))) {
      return "a private address";
    }
    return null;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }

  private static boolean looksLikeIp(String host) {
    return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
  }

  /** Tells whether {@code host} is {@code localhost} or a loopback address literal; no lookup. */
  public static boolean isLoopbackHost(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    if (!looksLikeIp(host)) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String shown(HttpUrl url) {
    return url.query() == null
        ? url.toString()
        : url.newBuilder().query(null).build() + "?[REDACTED]";
  }
}
