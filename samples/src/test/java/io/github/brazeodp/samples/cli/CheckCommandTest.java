package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code check} against the local sandboxes. */
class CheckCommandTest {
  private static final String BRAZE_KEY = "preflight-braze-key-9d41";
  private static final String ODP_KEY = "preflight-odp-key-51c7";
  private static final String TOKEN = "currents-token-77e2a9";

  @TempDir Path dir;

  private final InMemoryBraze braze = new InMemoryBraze();
  private final InMemoryOdp odp = new InMemoryOdp();
  private final DemoWorld world = DemoWorld.seed(braze, odp, 42);

  private record Result(int code, String out) {}

  private Result check(Path config) {
    StringWriter out = new StringWriter();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    CommandLine cli =
        Main.commandLine(Map.of("BRAZE_KEY", BRAZE_KEY, "ODP_KEY", ODP_KEY, "TOKEN", TOKEN)::get);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    int code = cli.execute("check", "--config", config.toString());
    return new Result(code, out + err.toString(StandardCharsets.UTF_8));
  }

  private BrazeSandbox brazeSandbox() {
    return BrazeSandbox.builder().fake(braze).apiKey(BRAZE_KEY).build();
  }

  private OdpSandbox odpSandbox() {
    return OdpSandbox.builder().fake(odp).apiKey(ODP_KEY).build();
  }

  private Path config(BrazeSandbox b, OdpSandbox o, String segments, String extra)
      throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        """
        {
          "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
          "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
          "state": {"sqlite": "%s"},
          "segmentSync": {"segments": %s},
          "currents": {"tokensEnv": ["TOKEN"]}%s
        }
        """
            .formatted(
                b.baseUrl(),
                o.baseUrl(),
                dir.resolve("state.db").toString().replace("\\", "\\\\"),
                segments,
                extra));
    return file;
  }

  private String firstSegment() {
    return "[\"" + world.segmentIds().get(0) + "\"]";
  }

  @Test
  void everyCheckPassesAgainstTheSandboxesAndExitsZero() throws Exception {
    try (BrazeSandbox b = brazeSandbox();
        OdpSandbox o = odpSandbox()) {
      Result r = check(config(b, o, firstSegment(), ""));
      assertThat(r.code()).as(r.out()).isZero();
      assertThat(r.out())
          .contains("state file", "braze instance", "braze permission users.track")
          .contains("odp key and region", "identifiers", "mapping rules", "segment selection")
          .contains("currents tokens", "1 of 1 token variables set")
          .contains(world.segmentIds().get(0))
          .doesNotContain("FAIL", "WARN")
          .doesNotContain(BRAZE_KEY, ODP_KEY, TOKEN);
    }
  }

  @Test
  void aKeyMissingANeededPermissionNamesItAndExitsOne() throws Exception {
    try (BrazeSandbox b = brazeSandbox();
        OdpSandbox o = odpSandbox()) {
      // The sandbox answers the export probe as Braze does for a key without the permission.
      b.wire().failNext("/users/export/segment", 1, 403);
      Result r = check(config(b, o, firstSegment(), ""));
      assertThat(r.code()).as(r.out()).isEqualTo(1);
      assertThat(r.out())
          .containsPattern("braze permission users\\.export\\.segment +FAIL +denied \\(403\\)")
          .contains("the key lacks users.export.segment")
          .containsPattern("braze permission users\\.track +PASS")
          .doesNotContain(BRAZE_KEY, ODP_KEY, TOKEN);
    }
  }

  private String activation(String name, String touchpoint) {
    return """
          {
            "name": "%s",
            "segment": "%s",
            "schedule": {"start": "2026-01-01T00:00", "zone": "UTC", "every": 1, "unit": "DAYS"},
            "target": {"email": true},
            "touchpoint": %s,
            "fields": {"odp_country": "{{ customer.country | upcase }}"}
          }
        """
        .formatted(name, world.odpSegment(), touchpoint);
  }

  @Test
  void aMissingUnneededPermissionOnlyWarnsAndActiveTouchpointsPass() throws Exception {
    try (BrazeSandbox b = brazeSandbox();
        OdpSandbox o = odpSandbox()) {
      b.wire().failNext("/canvas/trigger/send", 1, 403);
      String activations =
          ",\n\"activations\": ["
              + activation("welcome", "{\"campaign\": \"" + world.campaignId() + "\"}")
              + "]";
      Result r = check(config(b, o, firstSegment(), activations));
      assertThat(r.code()).as(r.out()).isEqualTo(2);
      assertThat(r.out())
          .containsPattern("braze permission canvas\\.trigger\\.send +WARN +denied \\(403\\); not")
          .containsPattern(
              "activation welcome +PASS +fields exist in ODP; campaign "
                  + world.campaignId()
                  + " \\(\"[^\"]+\"\\) exists and is active")
          .doesNotContain("FAIL");
    }
  }

  @Test
  void unknownOrInactiveCampaignsAndCanvasesFailNamingTheActivationAndTheId() throws Exception {
    braze.putCampaign("stopped-campaign", false);
    braze.putCanvas("paused-canvas", InMemoryBraze.CanvasState.PAUSED);
    try (BrazeSandbox b = brazeSandbox();
        OdpSandbox o = odpSandbox()) {
      String activations =
          ",\n\"activations\": ["
              + activation("gone", "{\"campaign\": \"no-such-campaign\"}")
              + ","
              + activation("stopped", "{\"campaign\": \"stopped-campaign\"}")
              + ","
              + activation("paused", "{\"canvas\": \"paused-canvas\"}")
              + "]";
      Result r = check(config(b, o, firstSegment(), activations));
      assertThat(r.code()).as(r.out()).isEqualTo(1);
      assertThat(r.out())
          .containsPattern(
              "activation gone +FAIL +fields exist in ODP; campaign no-such-campaign does not"
                  + " exist in this workspace \\(Braze answered 400: Invalid campaign_id\\)")
          .containsPattern(
              "activation stopped +FAIL +.*campaign stopped-campaign \\(\"stopped-campaign\"\\)"
                  + " is not enabled")
          .containsPattern(
              "activation paused +FAIL +.*canvas paused-canvas \\(\"paused-canvas\"\\) is not"
                  + " enabled")
          .doesNotContain(BRAZE_KEY, ODP_KEY, TOKEN);
    }
  }

  @Test
  void aKeyWithoutTheDetailsPermissionNamesItAndExitsOne() throws Exception {
    try (BrazeSandbox b = brazeSandbox();
        OdpSandbox o = odpSandbox()) {
      // Braze answers 403 to a key without campaigns.details.
      b.wire().failNext("/campaigns/details", 1, 403);
      String activations =
          ",\n\"activations\": ["
              + activation("welcome", "{\"campaign\": \"" + world.campaignId() + "\"}")
              + "]";
      Result r = check(config(b, o, firstSegment(), activations));
      assertThat(r.code()).as(r.out()).isEqualTo(1);
      assertThat(r.out())
          .containsPattern(
              "activation welcome +FAIL +fields exist in ODP; campaign "
                  + world.campaignId()
                  + " not checked: denied \\(403\\): the key lacks campaigns\\.details")
          .doesNotContain(BRAZE_KEY, ODP_KEY, TOKEN);
    }
  }

  @Test
  void wrongKeysAndUnknownSegmentsFailWithoutPrintingTheKeys() throws Exception {
    try (BrazeSandbox b = BrazeSandbox.builder().fake(braze).apiKey("another-key").build();
        OdpSandbox o = OdpSandbox.builder().fake(odp).apiKey("other-odp-key").build()) {
      Result r = check(config(b, o, "[\"No such segment\"]", ""));
      assertThat(r.code()).as(r.out()).isEqualTo(1);
      assertThat(r.out())
          .containsPattern("braze instance +FAIL +every probe answered 401")
          .containsPattern("odp key and region +FAIL +ODP refused the key \\(401\\)")
          .containsPattern("mapping rules +WARN +not checked")
          .containsPattern("segment selection +FAIL")
          .doesNotContain(BRAZE_KEY, ODP_KEY, TOKEN);
    }
  }

  @Test
  void anUnreachableBrazeFailsQuicklyAsNoAnswer() throws Exception {
    BrazeSandbox gone = brazeSandbox();
    gone.close();
    try (OdpSandbox o = odpSandbox()) {
      Result r = check(config(gone, o, firstSegment(), ""));
      assertThat(r.code()).as(r.out()).isEqualTo(1);
      assertThat(r.out())
          .containsPattern("braze instance +FAIL +no answer from " + gone.baseUrl())
          .doesNotContain("braze permission")
          .containsPattern("odp key and region +PASS");
    }
  }

  @Test
  void anUnwritableStateLocationFails() throws Exception {
    Path blocker = dir.resolve("not-a-dir");
    Files.writeString(blocker, "x");
    assertThat(CheckCommand.stateFile(blocker.resolve("state.db")).verdict())
        .isEqualTo(CheckCommand.Verdict.FAIL);
    assertThat(CheckCommand.stateFile(dir.resolve("new/sub/state.db")).verdict())
        .isEqualTo(CheckCommand.Verdict.PASS);
    Files.createDirectory(dir.resolve("state-dir"));
    assertThat(CheckCommand.stateFile(dir.resolve("state-dir")).detail())
        .contains("not a regular file");
  }
}
