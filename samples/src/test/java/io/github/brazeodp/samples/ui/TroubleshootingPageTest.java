package io.github.brazeodp.samples.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.inspect.EventInspector;
import io.github.brazeodp.sync.inspect.InspectedExchange;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.ActivityRecord.Flow;
import io.github.brazeodp.sync.state.ActivityRecord.Status;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.htmlunit.FailingHttpStatusCodeException;
import org.htmlunit.Page;
import org.htmlunit.WebClient;
import org.htmlunit.html.DomElement;
import org.htmlunit.html.HtmlAnchor;
import org.htmlunit.html.HtmlPage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The troubleshooting page driven in a browser engine (HtmlUnit runs the page's own script). */
class TroubleshootingPageTest {
  private static final String BRAZE_KEY = "braze-key-0123456789abcdef";
  private static final String ODP_KEY = "odp-key-W7xq19zK2mPp";
  private static final Instant T0 = Instant.parse("2026-12-01T02:00:00Z");

  private final ManualClock clock = new ManualClock(T0.plus(Duration.ofHours(8)));
  private final List<String> alerts = new ArrayList<>();
  private SyncStateStore store;
  private WebClient browser;
  private TroubleshootingServer server;

  @BeforeEach
  void setUp() {
    store = SyncStateStore.inMemory();
    browser = new WebClient();
    browser.getOptions().setCssEnabled(false);
    browser.getOptions().setThrowExceptionOnScriptError(true);
    browser.setAlertHandler((page, message) -> alerts.add(message));
  }

  @AfterEach
  void tearDown() {
    browser.close();
    if (server != null) {
      server.close();
    }
    store.close();
  }

  private TroubleshootingServer.Builder page() {
    return TroubleshootingServer.builder(store)
        .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .clock(clock);
  }

  private String base() {
    return "http://127.0.0.1:" + server.port();
  }

  private static ActivityRecord run(
      String id, Flow flow, String subject, Status status, long sent, long rejected, String why) {
    return new ActivityRecord(
        id,
        ActivityRecord.CATEGORY_BRAZE,
        flow,
        subject,
        T0,
        T0.plusSeconds(42),
        status,
        ActivityCounts.builder()
            .read(sent + rejected + 3)
            .matched(sent + rejected)
            .unmatched(3)
            .sent(sent)
            .rejected(rejected)
            .brazeCalls(4)
            .odpCalls(7)
            .other("duplicates", 2)
            .build(),
        rejected == 0
            ? List.of()
            : List.of(new ActivityRecord.Rejection("email is not valid", "export.jsonl:17")),
        why);
  }

  @Test
  void theActivityListShowsAFailedRunsReasonAndItsDetailsEveryCount() throws Exception {
    store.appendActivity(run("run-ok", Flow.SEGMENT_SYNC, "Gold", Status.SUCCEEDED, 120, 0, null));
    store.appendActivity(
        run(
            "run-failed",
            Flow.SEGMENT_SYNC,
            "Silver",
            Status.FAILED,
            10,
            1,
            "ODP answered 401: the API key was refused"));
    store.appendActivity(run("run-cur", Flow.CURRENTS, "currents", Status.PARTIAL, 5, 1, null));
    server = page().start();

    HtmlPage home = browser.getPage(base() + "/");
    assertThat(home.asNormalizedText())
        .contains("reason: ODP answered 401: the API key was refused");
    // The chart draws three bars (sent, rejected, unmatched) per run.
    assertThat(home.getByXPath("//*[local-name()='rect']")).hasSize(9);

    HtmlPage failedOnly = browser.getPage(base() + "/?status=FAILED&flow=SEGMENT_SYNC");
    List<DomElement> rows = failedOnly.getByXPath("//table[@class='runs']/tbody/tr");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).getAttribute("class")).isEqualTo("failed");
    assertThat(rows.get(1).asNormalizedText()).startsWith("reason: ");

    HtmlAnchor details = failedOnly.getAnchorByText("Show details");
    HtmlPage run = details.click();
    String text = run.asNormalizedText();
    assertThat(text)
        .contains("Silver")
        .contains("ODP answered 401: the API key was refused")
        .contains("email is not valid")
        .contains("export.jsonl:17")
        .contains("duplicates");
    assertThat(run.getByXPath("//table[@class='counts']//tr")).hasSize(10);

    HtmlPage later = browser.getPage(base() + "/?since=2026-12-02T00:00:00Z");
    assertThat(later.asNormalizedText()).contains("No runs match.");
    HtmlPage bad = browser.getPage(base() + "/?status=BROKEN");
    assertThat(bad.asNormalizedText())
        .contains("status must be one of [SUCCEEDED, PARTIAL, FAILED]");
  }

  @Test
  void theOutboxShowsCountsTheOldestAgeAndDeadLetterSamples() throws Exception {
    store.enqueue(
        List.of(new OutboxMessage("evt-1", "{}", T0), new OutboxMessage("evt-2", "{}", T0)));
    store.deadLetter(Map.of("evt-1", "ODP refused: field <bad> unknown"), T0.plusSeconds(60));
    server = page().start();

    String text = ((HtmlPage) browser.getPage(base() + "/")).asNormalizedText();
    assertThat(text)
        .contains("1 events, 2 bytes")
        .contains("8h ago")
        .contains("ODP refused: field <bad> unknown");
    assertThat(
            ((HtmlPage) browser.getPage(base() + "/"))
                .getByXPath("//table[@class='dead']/tbody/tr"))
        .hasSize(1);
  }

  @Test
  void theInspectorCountsNewExchangesAndShowsBrazeFieldsButNoSecret() throws Exception {
    UiInspector ui = new UiInspector(50);
    // As the host attaches it: outermost, with the keys in use.
    EventInspector clients = ui.withSecrets(BRAZE_KEY, ODP_KEY);
    server = page().inspector(ui).start();

    HtmlPage home = browser.getPage(base() + "/");
    clients.record(exchange(1));
    assertThat(ui.seen()).as("stopped: nothing recorded").isZero();
    home = home.getHtmlElementById("inspector-toggle").click();
    assertThat(home.getHtmlElementById("inspector-toggle").asNormalizedText())
        .isEqualTo("Stop inspector");
    assertThat(waitForCount(home, "0 new")).isTrue();

    clients.record(exchange(2));
    assertThat(waitForCount(home, "1 seen, 1 new")).isTrue();

    HtmlPage refreshed = home.getHtmlElementById("refresh").click();
    HtmlPage details = refreshed.getAnchorByText("Show details").click();
    String html = details.asXml();
    String text = details.asNormalizedText();
    List<DomElement> marked =
        details.getByXPath("//pre[@id='formatted-request']//span[@class='braze']");
    assertThat(marked).isNotEmpty();
    assertThat(marked.get(0).asNormalizedText()).contains("\"_braze_first_name\": \"Ada\"");
    assertThat(text).contains("first_name").contains("POST https://api.zaius.com/v3/events");
    assertThat(html).doesNotContain(BRAZE_KEY).doesNotContain(ODP_KEY);
    assertThat(text).contains("[REDACTED]");

    refreshed.getHtmlElementById("inspector-toggle").click();
    assertThat(ui.running()).isFalse();
    assertThat(alerts).isEmpty();
  }

  @Test
  void hostileStringsAreShownAsText() throws Exception {
    String script = "<script>alert('subject')</script>";
    String img = "<img src=x onerror=\"alert('reason')\">";
    store.appendActivity(run("<b>id</b>", Flow.ACTIVATION, script, Status.FAILED, 0, 1, img));
    UiInspector ui = new UiInspector(5);
    ui.start();
    ui.record(
        InspectedExchange.builder(
                InspectedExchange.Source.ODP, "POST", "https://x/\"><svg onload=alert(1)>")
            .time(T0)
            .endpoint("<i>events</i>")
            .status(400)
            .request(
                Map.of("X-Note", List.of(script)),
                "{\"" + script + "\":\"<img src=x onerror=alert(3)>\"}")
            .response(Map.of(), img)
            .build());
    server = page().inspector(ui).start();

    HtmlPage home = browser.getPage(base() + "/");
    assertThat(home.asNormalizedText()).contains(script).contains("reason: " + img);
    assertThat(home.getElementsByTagName("script")).hasSize(1);
    assertThat(home.getElementsByTagName("img")).isEmpty();
    assertThat(home.getElementsByTagName("b")).isEmpty();

    HtmlPage run = home.getAnchorByHref("/run?id=%3Cb%3Eid%3C%2Fb%3E").click();
    assertThat(run.asNormalizedText()).contains("Run <b>id</b>").contains(img);

    HtmlPage exchange = browser.getPage(base() + "/inspector/exchange?n=1");
    assertThat(exchange.asNormalizedText())
        .contains(script)
        .contains("<i>events</i>")
        .contains("<img src=x onerror=alert(3)>");
    assertThat(exchange.getByXPath("//pre[@id='formatted-request']")).hasSize(1);
    assertThat(exchange.getElementsByTagName("script")).hasSize(1);
    assertThat(exchange.getElementsByTagName("svg")).isEmpty();
    assertThat(exchange.getElementsByTagName("img")).isEmpty();
    assertThat(alerts).isEmpty();
  }

  @Test
  void exposedBeyondLoopbackEveryPageButHealthNeedsTheBearerToken() throws Exception {
    String token = "ui-token-7f3a9c2e5b1d";
    assertThatThrownBy(
            () ->
                TroubleshootingServer.builder(store)
                    .address(new InetSocketAddress("0.0.0.0", 0))
                    .start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a bearer token");
    server =
        TroubleshootingServer.builder(store)
            .address(new InetSocketAddress("0.0.0.0", 0))
            .token(token)
            .inspector(new UiInspector(5))
            .health(() -> new CurrentsHttpServer.Health(true, "{\"status\":\"UP\"}"))
            .start();
    browser.getOptions().setThrowExceptionOnFailingStatusCode(false);

    assertThat(status("/", null)).isEqualTo(401);
    assertThat(status("/inspector/count.json", null)).isEqualTo(401);
    assertThat(status("/", "Bearer wrong-token-0000000000")).isEqualTo(401);
    assertThat(status("/", "Basic " + token)).isEqualTo(401);
    assertThat(status("/health", null)).isEqualTo(200);
    assertThat(status("/", "Bearer " + token)).isEqualTo(200);
    assertThat(status("/inspector/count.json", "Bearer " + token)).isEqualTo(200);
  }

  @Test
  void onLoopbackWithoutATokenOnlyLoopbackNamesAndSameOriginPostsAreServed() throws Exception {
    UiInspector ui = new UiInspector(5);
    server = page().inspector(ui).start();
    browser.getOptions().setThrowExceptionOnFailingStatusCode(false);
    assertThat(browser.getPage(base() + "/").getWebResponse().getStatusCode()).isEqualTo(200);
    // A rebinding page's requests carry its own host name.
    assertThat(rawStatus("attacker.example:" + server.port())).isEqualTo(401);
    assertThat(rawStatus("localhost:" + server.port())).isEqualTo(200);

    org.htmlunit.WebRequest post =
        new org.htmlunit.WebRequest(
            new URL(base() + "/inspector/start"), org.htmlunit.HttpMethod.POST);
    post.setAdditionalHeader("Origin", "http://attacker.example");
    assertThat(browser.getPage(post).getWebResponse().getStatusCode()).isEqualTo(403);
    assertThat(ui.running()).isFalse();
  }

  @Test
  void healthAnswersWhatTheSupplierSays() throws Exception {
    server =
        page()
            .health(
                () ->
                    new CurrentsHttpServer.Health(
                        false, "{\"status\":\"DOWN\",\"problems\":[\"x\"]}"))
            .start();
    browser.getOptions().setThrowExceptionOnFailingStatusCode(false);
    Page health = browser.getPage(base() + "/health");
    assertThat(health.getWebResponse().getStatusCode()).isEqualTo(503);
    assertThat(health.getWebResponse().getContentAsString()).contains("\"problems\":[\"x\"]");
    assertThat(browser.getPage(base() + "/health/live").getWebResponse().getStatusCode())
        .isEqualTo(200);
  }

  private int status(String path, String authorization) throws Exception {
    org.htmlunit.WebRequest request = new org.htmlunit.WebRequest(new URL(base() + path));
    if (authorization != null) {
      request.setAdditionalHeader("Authorization", authorization);
    }
    try {
      return browser.getPage(request).getWebResponse().getStatusCode();
    } catch (FailingHttpStatusCodeException e) {
      return e.getStatusCode();
    }
  }

  /** Sends a GET with the given Host header over a plain socket, as a browser on a rebound name. */
  private int rawStatus(String host) throws Exception {
    try (java.net.Socket socket =
        new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String statusLine =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
              .readLine();
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }

  /** Lets the page's polling script run until the count reads {@code expected}, for up to 10 s. */
  private boolean waitForCount(HtmlPage page, String expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (page.getHtmlElementById("inspector-count").asNormalizedText().contains(expected)) {
        return true;
      }
      browser.waitForBackgroundJavaScript(250);
    }
    return false;
  }

  private static InspectedExchange exchange(int n) {
    return InspectedExchange.builder(
            InspectedExchange.Source.ODP, "POST", "https://api.zaius.com/v3/events")
        .time(T0.plusSeconds(n))
        .endpoint("events")
        .status(202)
        .duration(Duration.ofMillis(35))
        .request(
            Map.of("x-api-key", List.of(ODP_KEY), "Content-Type", List.of("application/json")),
            "[{\"type\":\"braze\",\"identifiers\":{\"email\":\"ada@example.com\"},"
                + "\"data\":{\"first_name\":\"Ada\",\"_braze_first_name\":\"Ada\","
                + "\"note\":\"copied key "
                + BRAZE_KEY
                + "\"}}]")
        .response(Map.of(), "{\"title\":\"Accepted\",\"echo\":\"" + ODP_KEY + "\"}")
        .build();
  }
}
