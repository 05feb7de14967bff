package io.github.brazeodp.braze.internal;

import io.github.brazeodp.braze.BrazeUrlRefusedException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Checks every hop of a request before it is sent: OkHttp's own redirect following is off, and this
 * interceptor follows at most {@link #MAX_REDIRECTS} redirects itself, each only to https or to
 * plain http on a loopback host (the rule the builder applies to the base URL). Downloads (requests
 * tagged {@link ExchangeInterceptor.Download}) must also not resolve to a private, loopback,
 * link-local or cloud-metadata address unless private download hosts are allowed; metadata
 * addresses are refused even then, as no export is ever served from one.
 */
public final class HopPolicy implements Interceptor {
  /** Redirects followed per request before giving up. */
  public static final int MAX_REDIRECTS = 5;

  private static final Set<String> METADATA_HOSTS =
      Set.of("metadata.google.internal", "metadata.goog", "metadata");

  private final boolean allowPrivateDownloads;
  private final Dns dns;

  public HopPolicy(boolean allowPrivateDownloads, Dns dns) {
    this.allowPrivateDownloads = allowPrivateDownloads;
    this.dns = dns;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    boolean download = request.tag(ExchangeInterceptor.Download.class) != null;
    for (int hop = 0; ; hop++) {
      check(request.url(), download, hop);
      Response response;
      try {
        response = chain.proceed(request);
      } catch (ExchangeInterceptor.NotSentException e) {
        if (hop == 0) {
          throw e;
        }
        // The first hop reached the server; a failure on a later hop must not claim otherwise.
        throw (IOException) e.getCause();
      }
      HttpUrl next = redirectTarget(response);
      if (next == null) {
        return response;
      }
      response.close();
      if (hop >= MAX_REDIRECTS) {
        throw new BrazeUrlRefusedException(
            "refused to follow more than "
                + MAX_REDIRECTS
                + " redirects from "
                + shown(chain.request().url()),
            shown(chain.request().url()));
      }
      request = follow(request, response.code(), next);
    }
  }

  private static HttpUrl redirectTarget(Response response) {
    int code = response.code();
    if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
      return null;
    }
    String location = response.header("Location");
    if (location == null) {
      return null;
    }
    HttpUrl next = response.request().url().resolve(location);
    if (next == null) {
      throw new BrazeUrlRefusedException(
          "refused a redirect from "
              + shown(response.request().url())
              + " to a location that is not an http(s) URL",
          shown(response.request().url()));
    }
    return next;
  }

  private static Request follow(Request request, int code, HttpUrl next) {
    Request.Builder b = request.newBuilder().url(next);
    String method = request.method();
    // As browsers and OkHttp do: 303, and 301/302 after anything but GET/HEAD, become a GET.
    if (code == 303
        || ((code == 301 || code == 302) && !method.equals("GET") && !method.equals("HEAD"))) {
      b.method(method.equals("HEAD") ? "HEAD" : "GET", null);
      b.removeHeader("Content-Type").removeHeader("Content-Length");
    }
    if (!sameOrigin(request.url(), next)) {
      b.removeHeader("Authorization");
    }
    return b.build();
  }

  private void check(HttpUrl url, boolean download, int hop) throws IOException {
    if (!url.isHttps() && !isLoopbackHost(url.host())) {
      throw new BrazeUrlRefusedException(
          (hop == 0 ? "refused " : "refused a redirect to ")
              + "plain http to a non-loopback host: "
              + shown(url)
              + "; only https (or http to a loopback host) is followed",
          shown(url));
    }
    if (!download) {
      return;
    }
    String host = url.host().toLowerCase(Locale.ROOT);
    if (METADATA_HOSTS.contains(host)) {
      throw refused(url, "a cloud metadata host");
    }
    List<InetAddress> addresses;
    if (looksLikeIp(host)) {
      addresses = List.of(InetAddress.getByName(host));
    } else {
      // Resolved here, before any connection; OkHttp resolves again, so a name that changes its
      // answer between the two lookups is not caught (use allow-listed hosts against that).
      addresses = dns.lookup(host);
    }
    for (InetAddress address : addresses) {
      String kind = classify(address);
      if (kind == null) {
        continue;
      }
      if (kind.equals(METADATA) || !allowPrivateDownloads) {
        throw refused(url, kind + " (" + address.getHostAddress() + ")");
      }
    }
  }

  private BrazeUrlRefusedException refused(HttpUrl url, String what) {
    return new BrazeUrlRefusedException(
        "refused to download from "
            + shown(url)
            + ": its host is "
            + what
            + (what.startsWith(METADATA) || allowPrivateDownloads
                ? ""
                : "; allow it with BrazeClient.Builder.allowPrivateDownloadHosts(true)"),
        shown(url));
  }

  static final String METADATA = "a cloud metadata address";

  /** Returns which kind of non-public address this is, or null for a public one. */
  public static String classify(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet6Address && isIpv4Mapped(b)) {
      byte[] v4 = {b[12], b[13], b[14], b[15]};
      try {
        return classify(InetAddress.getByAddress(v4));
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
    if (address instanceof Inet6Address && isAwsV6Metadata(b)) {
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
    if (address.isSiteLocalAddress()) {
      return "a private address";
    }
    if (address instanceof Inet6Address && (b[0] & 0xfe) == 0xfc) {
      return "a private address"; // fc00::/7 unique local
    }
    if (address instanceof Inet4Address
        && (((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) || (b[0] & 0xff) == 0)) {
      return "a private address"; // 100.64.0.0/10 carrier-grade NAT, 0.0.0.0/8
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

  private static boolean isAwsV6Metadata(byte[] b) {
    // fd00:ec2::254
    byte[] aws = {(byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    return java.util.Arrays.equals(b, aws);
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

  private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
    return a.scheme().equals(b.scheme()) && a.host().equals(b.host()) && a.port() == b.port();
  }

  /** The URL without its query, which on pre-signed URLs carries credentials. */
  static String shown(HttpUrl url) {
    return url.query() == null
        ? url.toString()
        : url.newBuilder().query(null).build() + "?" + ExchangeInterceptor.REDACTED;
  }
}
