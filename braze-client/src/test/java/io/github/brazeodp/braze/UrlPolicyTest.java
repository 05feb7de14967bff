package io.github.brazeodp.braze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.internal.HopPolicy;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class UrlPolicyTest {
  @StartStop final MockWebServer server = new MockWebServer();

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(TestSupport.START);
  private final List<BrazeExchange> exchanges = new ArrayList<>();

  private BrazeClient.Builder client() {
    return TestSupport.client(server, clock, new TestSupport.RecordingSleeper(clock))
        .eventListener(exchanges::add);
  }

  private static MockResponse redirect(int code, String location) {
    return new MockResponse.Builder().code(code).addHeader("Location", location).build();
  }

  private static final String SEGMENTS =
      "{\"message\":\"success\",\"segments\":[{\"id\":\"s1\",\"name\":\"Gold\","
          + "\"analytics_tracking_enabled\":false,\"tags\":[]}]}";

  @Test
  void restRedirectsToPlainHttpOnANonLoopbackHostAreRefused() {
    for (int code : new int[] {302, 307}) {
      server.enqueue(redirect(code, "http://braze.example.com/segments/list"));
      try (BrazeClient braze = client().build()) {
        assertThatThrownBy(() -> braze.segments().page(0, true))
            .isInstanceOf(BrazeUrlRefusedException.class)
            .hasMessage(
                "refused a redirect to plain http to a non-loopback host:"
                    + " http://braze.example.com/segments/list; only https (or http to"
                    + " a loopback host) is followed");
      }
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void redirectsToHttpsOrLoopbackAreFollowedKeepingTheKeyOnlyOnTheSameOrigin() throws Exception {
    server.enqueue(redirect(307, server.url("/moved/segments/list").toString()));
    server.enqueue(new MockResponse.Builder().body(SEGMENTS).build());
    try (BrazeClient braze = client().build()) {
      assertThat(braze.segments().page(0, true).items())
          .extracting(Segment::id)
          .containsExactly("s1");
    }
    server.takeRequest();
    RecordedRequest second = server.takeRequest();
    assertThat(second.getUrl().encodedPath()).isEqualTo("/moved/segments/list");
    assertThat(second.getHeaders().get("Authorization")).isEqualTo("Bearer test-key-123");
    // Each hop is an exchange the listener sees, as the server saw two requests.
    assertThat(exchanges).extracting(BrazeExchange::status).containsExactly(307, 200);
  }

  @Test
  void moreThanFiveRedirectsAreRefused() {
    for (int i = 0; i <= HopPolicy.MAX_REDIRECTS; i++) {
      server.enqueue(redirect(302, "/loop" + i));
    }
    try (BrazeClient braze = client().build()) {
      assertThatThrownBy(() -> braze.segments().page(0, true))
          .isInstanceOf(BrazeUrlRefusedException.class)
          .hasMessageStartingWith("refused to follow more than 5 redirects from ");
    }
    assertThat(server.getRequestCount()).isEqualTo(HopPolicy.MAX_REDIRECTS + 1);
  }

  @Test
  void aDownloadRedirectedToPlainHttpIsRefused() {
    server.enqueue(redirect(302, "http://storage.example.com/export.zip?X-Amz-Signature=s"));
    try (BrazeClient braze = client().build();
        ExportUserStream users =
            braze.exports().resume("seg", "p", server.url("/export.zip").toString()).openUsers()) {
      assertThatThrownBy(users::hasNext)
          .isInstanceOf(BrazeUrlRefusedException.class)
          .hasMessageContaining("http://storage.example.com/export.zip?[REDACTED]")
          .hasMessageNotContaining("X-Amz-Signature");
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aDownloadOnTheMetadataAddressIsRefusedWithoutAnyConnection() {
    for (boolean allowPrivate : new boolean[] {false, true}) {
      try (BrazeClient braze = client().allowPrivateDownloadHosts(allowPrivate).build()) {
        ExportJob job =
            braze
                .exports()
                .resume("seg", "p", "https://169.254.169.254/latest/meta-data/iam/x.zip");
        try (ExportUserStream users = job.openUsers()) {
          assertThatThrownBy(users::hasNext)
              .isInstanceOf(BrazeUrlRefusedException.class)
              .hasMessage(
                  "refused to download from https://169.254.169.254/latest/meta-data/iam/x.zip:"
                      + " its host is a cloud metadata address (169.254.169.254)");
        }
        assertThatThrownBy(() -> job.awaitReady(Instant.MAX))
            .isInstanceOf(BrazeUrlRefusedException.class);
        assertThatThrownBy(
                () ->
                    braze
                        .exports()
                        .resume("seg", "p", "https://metadata.google.internal/x.zip")
                        .openUsers()
                        .hasNext())
            .hasMessageContaining("a cloud metadata host");
      }
    }
    assertThat(exchanges).isEmpty();
  }

  @Test
  void aLoopbackDownloadIsRefusedForAPublicBaseUrlUnlessAllowed() {
    String url = server.url("/export.txt").toString();
    try (BrazeClient braze = client().baseUrl("https://rest.iad-01.braze.com").build();
        ExportUserStream users = braze.exports().resume("seg", "p", url).openUsers()) {
      assertThatThrownBy(users::hasNext)
          .isInstanceOf(BrazeUrlRefusedException.class)
          .hasMessageContaining("its host is a loopback address")
          .hasMessageEndingWith(
              "; allow it with BrazeClient.Builder.allowPrivateDownloadHosts(true)");
    }
    assertThat(server.getRequestCount()).isZero();

    server.enqueue(
        new MockResponse.Builder()
            .body(new Buffer().writeUtf8(ExportsTest.userLine(7) + "\n"))
            .build());
    try (BrazeClient braze =
            client()
                .baseUrl("https://rest.iad-01.braze.com")
                .allowPrivateDownloadHosts(true)
                .build();
        ExportUserStream users = braze.exports().resume("seg", "p", url).openUsers()) {
      assertThat(users.next().externalId()).isEqualTo("u7");
    }
  }

  @Test
  @SuppressWarnings("AddressSelection") // literals only: no name is resolved
  void addressesAreClassified() throws Exception {
    assertThat(HopPolicy.classify(InetAddress.getByName("8.8.8.8"))).isNull();
    assertThat(HopPolicy.classify(InetAddress.getByName("2001:4860:4860::8888"))).isNull();
    assertThat(HopPolicy.classify(InetAddress.getByName("10.1.2.3")))
        .isEqualTo("a private address");
    assertThat(HopPolicy.classify(InetAddress.getByName("172.16.0.1")))
        .isEqualTo("a private address");
    assertThat(HopPolicy.classify(InetAddress.getByName("192.168.1.1")))
        .isEqualTo("a private address");
    assertThat(HopPolicy.classify(InetAddress.getByName("100.64.0.1")))
        .isEqualTo("a private address");
    assertThat(HopPolicy.classify(InetAddress.getByName("fd12::1"))).isEqualTo("a private address");
    assertThat(HopPolicy.classify(InetAddress.getByName("169.254.1.1")))
        .isEqualTo("a link-local address");
    assertThat(HopPolicy.classify(InetAddress.getByName("fe80::1")))
        .isEqualTo("a link-local address");
    assertThat(HopPolicy.classify(InetAddress.getByName("127.0.0.2")))
        .isEqualTo("a loopback address");
    assertThat(HopPolicy.classify(InetAddress.getByName("::1"))).isEqualTo("a loopback address");
    assertThat(HopPolicy.classify(InetAddress.getByName("0.0.0.0")))
        .isEqualTo("an unspecified address");
    assertThat(HopPolicy.classify(InetAddress.getByName("169.254.169.254")))
        .isEqualTo("a cloud metadata address");
    assertThat(HopPolicy.classify(InetAddress.getByName("fd00:ec2::254")))
        .isEqualTo("a cloud metadata address");
    assertThat(HopPolicy.classify(InetAddress.getByName("::ffff:169.254.169.254")))
        .isEqualTo("a cloud metadata address");
  }
}
