package io.github.brazeodp.odp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.internal.DownloadHopPolicy;
import java.net.InetAddress;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class DownloadUrlPolicyTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  private static ExportJob completed(String... urls) {
    return new ExportJob(
        "j",
        null,
        ExportState.COMPLETED,
        null,
        null,
        null,
        null,
        List.of(urls),
        "csv",
        ExportDelimiter.COMMA,
        null);
  }

  private static MockResponse redirect(int code, String location) {
    return new MockResponse.Builder().code(code).addHeader("Location", location).build();
  }

  private static List<String> column(OdpClient client, ExportJob job) {
    try (ExportRows rows = client.exports().open(job)) {
      return rows.stream().map(r -> r.get("x")).toList();
    }
  }

  @Test
  void redirectsToPlainHttpOnANonLoopbackHostAreRefused() {
    for (int code : new int[] {302, 307}) {
      server.enqueue(redirect(code, "http://s3.example.com/f.csv?X-Amz-Signature=s"));
      try (OdpClient client = t.client()) {
        ExportJob job = completed(server.url("/files/f.csv").toString());
        assertThatThrownBy(() -> column(client, job))
            .isInstanceOf(OdpUrlRefusedException.class)
            .hasMessage(
                "refused a redirect to plain http to a non-loopback host:"
                    + " http://s3.example.com/f.csv?[REDACTED]; only https (or http to a loopback"
                    + " host) is followed");
      }
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void redirectsToLoopbackAreFollowedAtMostFiveTimes() {
    server.enqueue(redirect(302, "/files/moved.csv"));
    server.enqueue(new MockResponse.Builder().body("x\n1\n").build());
    try (OdpClient client = t.client()) {
      assertThat(column(client, completed(server.url("/files/f.csv").toString())))
          .containsExactly("1");
      for (int i = 0; i <= DownloadHopPolicy.MAX_REDIRECTS; i++) {
        server.enqueue(redirect(307, "/files/loop" + i + ".csv"));
      }
      assertThatThrownBy(() -> column(client, completed(server.url("/files/g.csv").toString())))
          .isInstanceOf(OdpUrlRefusedException.class)
          .hasMessageStartingWith("refused to follow more than 5 redirects from ");
    }
    assertThat(server.getRequestCount()).isEqualTo(2 + DownloadHopPolicy.MAX_REDIRECTS + 1);
  }

  @Test
  void aFileUrlOnTheMetadataAddressIsRefusedWithoutAnyConnection() {
    for (boolean allow : new boolean[] {false, true}) {
      try (OdpClient client = t.builder().allowPrivateDownloadHosts(allow).build()) {
        assertThatThrownBy(() -> column(client, completed("https://169.254.169.254/latest/f.csv")))
            .isInstanceOf(OdpUrlRefusedException.class)
            .hasMessage(
                "refused to download from https://169.254.169.254/latest/f.csv: its host is a"
                    + " cloud metadata address (169.254.169.254)");
        assertThatThrownBy(
                () -> column(client, completed("https://metadata.google.internal/f.csv")))
            .hasMessageContaining("a cloud metadata host");
      }
    }
    assertThat(t.exchanges).isEmpty();
  }

  @Test
  void aLoopbackFileUrlIsRefusedForAPublicBaseUrlUnlessAllowed() {
    String url = server.url("/files/f.csv").toString();
    try (OdpClient client = t.builder().baseUrl("https://api.zaius.com/v3/").build()) {
      assertThatThrownBy(() -> column(client, completed(url)))
          .isInstanceOf(OdpUrlRefusedException.class)
          .hasMessageContaining("its host is a loopback address")
          .hasMessageEndingWith(
              "; allow it with OdpClient.Builder.allowPrivateDownloadHosts(true)");
    }
    assertThat(server.getRequestCount()).isZero();
    server.enqueue(new MockResponse.Builder().body("x\n5\n").build());
    try (OdpClient client =
        t.builder().baseUrl("https://api.zaius.com/v3/").allowPrivateDownloadHosts(true).build()) {
      assertThat(column(client, completed(url))).containsExactly("5");
    }
  }

  @Test
  @SuppressWarnings("AddressSelection") // literals only: no name is resolved
  void addressesAreClassified() throws Exception {
    assertThat(DownloadHopPolicy.classify(InetAddress.getByName("52.1.2.3"))).isNull();
    assertThat(DownloadHopPolicy.classify(InetAddress.getByName("10.0.0.8")))
        .isEqualTo("a private address");
    assertThat(DownloadHopPolicy.classify(InetAddress.getByName("fe80::1")))
        .isEqualTo("a link-local address");
    assertThat(DownloadHopPolicy.classify(InetAddress.getByName("fd00:ec2::254")))
        .isEqualTo("a cloud metadata address");
    assertThat(DownloadHopPolicy.classify(InetAddress.getByName("::ffff:127.0.0.1")))
        .isEqualTo("a loopback address");
  }
}
