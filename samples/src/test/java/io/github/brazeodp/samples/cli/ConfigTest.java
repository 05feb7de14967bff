package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.BrazeInstance;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.OdpRegion;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigTest {
  @TempDir Path dir;

  private static final Map<String, String> ENV =
      Map.of("BRAZE_KEY", "braze-secret-123", "ODP_KEY", "odp-secret-456", "TOKEN", "tok-789xyz");

  private Path write(String json) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void aFullConfigIsRead() throws Exception {
    Path file =
        write(
            """
            {
              "braze": {"apiKeyEnv": "BRAZE_KEY", "instance": "EU-01", "trackLimit": "COMBINED_75"},
              "odp": {"apiKeyEnv": "ODP_KEY", "region": "eu"},
              "state": {"sqlite": "state/x.db"},
              "segmentSync": {
                "segments": ["Gold", "seg-2"],
                "mappings": {
                  "add": [{"source": "custom_attributes.tier", "target": "loyalty_tier",
                           "transform": "lowercase"}],
                  "remove": ["gender"]
                },
                "createMissingFields": true,
                "batchSize": 250
              },
              "currents": {"port": 9090, "tokensEnv": ["TOKEN"]},
              "daemon": {"segmentSyncAt": "03:30", "zone": "Europe/Paris"}
            }
            """);
    HostConfig cfg = HostConfig.load(file, ENV::get);
    assertThat(cfg.braze().apiKey()).isEqualTo("braze-secret-123");
    assertThat(cfg.braze().baseUrl()).isEqualTo(BrazeInstance.EU_01.restUrl());
    assertThat(cfg.braze().trackLimit()).isEqualTo(TrackLimit.COMBINED_75);
    assertThat(cfg.odp().region()).isEqualTo(OdpRegion.EU);
    assertThat(cfg.stateFile()).isEqualTo(Path.of("state/x.db"));
    assertThat(cfg.segmentSync().selection().toString()).isEqualTo("segments[Gold, seg-2]");
    assertThat(cfg.segmentSync().mappings().rules())
        .anyMatch(r -> r.target().equals("loyalty_tier"))
        .noneMatch(r -> r.target().equals("gender"));
    assertThat(cfg.segmentSync().batchSize()).isEqualTo(250);
    assertThat(cfg.currents().tokens()).containsExactly("tok-789xyz");
    assertThat(cfg.daemon().syncAt()).isEqualTo(LocalTime.of(3, 30));
  }

  @Test
  void theDocumentedExampleConfigIsValid() {
    Map<String, String> env =
        Map.of(
            "BRAZE_API_KEY", "braze-secret-123",
            "ODP_API_KEY", "odp-secret-456",
            "CURRENTS_TOKEN", "tok-789xyz",
            "CURRENTS_TOKEN_NEXT", "tok-next-000");
    HostConfig cfg = HostConfig.load(Path.of("config.example.json"), env::get);
    assertThat(cfg.currents().tokens()).hasSize(2);
    assertThat(cfg.braze().exportLimits())
        .isEqualTo(io.github.brazeodp.braze.ExportLimits.defaults());
    // The two API keys alone are enough to load it; the Currents commands ask for a token.
    Map<String, String> keysOnly =
        Map.of("BRAZE_API_KEY", "braze-secret-123", "ODP_API_KEY", "odp-secret-456");
    assertThat(HostConfig.load(Path.of("config.example.json"), keysOnly::get).currents().tokens())
        .isEmpty();
    assertThat(cfg.segmentSync().createMissingFields()).isTrue();
    assertThat(cfg.activations())
        .extracting(a -> a.name())
        .containsExactly("win-back", "loyalty-tier-to-braze", "paid-order-thanks");
  }

  @Test
  void currentsSettingsAreChecked() throws Exception {
    String head =
        "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\"}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"},";
    Path small = write(head + " \"currents\": {\"bodyLimitBytes\": 1000}}");
    assertThatThrownBy(() -> HostConfig.load(small, ENV::get))
        .hasMessage("currents.bodyLimitBytes must be at least 1048576 (1 MiB), was 1000");
    Path port = write(head + " \"currents\": {\"port\": 70000}}");
    assertThatThrownBy(() -> HostConfig.load(port, ENV::get))
        .hasMessage("currents.port must be from 0 to 65535, was 70000");
    Path badToken = write(head + " \"currents\": {\"tokensEnv\": [\"TOKEN\", \"SPACEY\"]}}");
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put("SPACEY", "has spaces");
    assertThatThrownBy(() -> HostConfig.load(badToken, env::get))
        .hasMessage(
            "environment variable SPACEY (named by currents.tokensEnv[1]) is not a bearer token:"
                + " use Base64 characters and -._~+/ only")
        .hasMessageNotContaining("has spaces");
    Path none = write(head + " \"currents\": {}}");
    assertThat(HostConfig.load(none, ENV::get).currents().enabled()).isFalse();
  }

  @Test
  void unknownKeysAreNamedWithTheirPathAndACloseMatch() throws Exception {
    Path file =
        write(
            "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\"}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"},"
                + " \"segmentSync\": {\"segmnts\": \"all\"}}");
    assertThatThrownBy(() -> HostConfig.load(file, ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown config key segmentSync.segmnts (did you mean segmentSync.segments?)");
  }

  @Test
  void missingSecretsNameTheVariableAndTheKey() throws Exception {
    Path file =
        write(
            "{\"braze\": {\"apiKeyEnv\": \"NOT_SET_ANYWHERE\"}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"}}");
    assertThatThrownBy(() -> HostConfig.load(file, ENV::get))
        .hasMessage("environment variable NOT_SET_ANYWHERE (named by braze.apiKeyEnv) is not set");
    Path noKey = write("{\"braze\": {}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"}}");
    assertThatThrownBy(() -> HostConfig.load(noKey, ENV::get))
        .hasMessage("missing config key braze.apiKeyEnv");
  }

  @Test
  void badValuesAreNamed() throws Exception {
    Path file =
        write(
            "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\", \"instance\": \"US-09\"},"
                + " \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"}}");
    assertThatThrownBy(() -> HostConfig.load(file, ENV::get))
        .hasMessageContaining("braze.instance must be one of")
        .hasMessageContaining("\"US-09\"");
    Path notJson = write("{\"braze\": ");
    assertThatThrownBy(() -> HostConfig.load(notJson, ENV::get))
        .hasMessageContaining("is not valid JSON");
  }

  @Test
  void theCliExitsWith64AndNamesTheKey() throws Exception {
    Path file = write("{\"brazee\": {}}");
    CommandLine cli = Main.commandLine();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    cli.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    int code = cli.execute("sync-segments", "--config", file.toString());
    assertThat(code).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("unknown config key brazee (did you mean braze?)");
  }

  private static final String KEYS =
      "\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\"}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"}";

  private String loadError(String json) throws Exception {
    Path file = write(json);
    try {
      HostConfig.load(file, ENV::get);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("no configuration error for " + json);
  }

  @Test
  void typeMistakesNameTheKeyAndTheJsonTypeFound() throws Exception {
    assertThat(loadError("{" + KEYS + ", \"segmentSync\": {\"batchSize\": \"500\"}}"))
        .isEqualTo("segmentSync.batchSize must be a number, found string \"500\"");
    assertThat(loadError("{" + KEYS + ", \"segmentSync\": {\"batchSize\": 2.5}}"))
        .isEqualTo(
            "segmentSync.batchSize must be a whole number from -2147483648 to 2147483647, found"
                + " number 2.5");
    assertThat(loadError("{" + KEYS + ", \"segmentSync\": {\"concurrentExports\": 1e10}}"))
        .isEqualTo(
            "segmentSync.concurrentExports must be a whole number from -2147483648 to 2147483647,"
                + " found number 10000000000");
    assertThat(loadError("{" + KEYS + ", \"segmentSync\": {\"createMissingFields\": \"yes\"}}"))
        .isEqualTo("segmentSync.createMissingFields must be true or false, found string \"yes\"");
    assertThat(loadError("{" + KEYS + ", \"segmentSync\": {\"segments\": 5}}"))
        .isEqualTo(
            "segmentSync.segments must be \"all\" or an array of segment ids or names, found"
                + " number 5");
    assertThat(loadError("{" + KEYS + ", \"currents\": {\"tokensEnv\": \"TOKEN\"}}"))
        .isEqualTo("currents.tokensEnv must be an array of strings, found string \"TOKEN\"");
    assertThat(loadError("{" + KEYS + ", \"currents\": {\"tokensEnv\": [1]}}"))
        .isEqualTo("currents.tokensEnv[0] must be a string, found number 1");
    assertThat(loadError("{" + KEYS + ", \"daemon\": []}"))
        .isEqualTo("daemon must be an object, found array");
    assertThat(loadError("{" + KEYS + ", \"state\": {\"sqlite\": false}}"))
        .isEqualTo("state.sqlite must be a string, found boolean false");
  }

  @Test
  void plainHttpBaseUrlsExit64NamingTheKey() throws Exception {
    Path braze =
        write(
            "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\", \"baseUrl\": \"http://rest.example.com\"},"
                + " \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"}}");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine(ENV::get);
    cli.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    assertThat(cli.execute("sync-segments", "--config", braze.toString())).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "configuration error: braze.baseUrl must be an https URL (plain http only to a loopback"
                + " host), found string \"http://rest.example.com\"");

    Path odp =
        write(
            "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\"}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\","
                + " \"baseUrl\": \"http://api.example.com/v3/\"}}");
    assertThat(cli.execute("sync-segments", "--config", odp.toString())).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "configuration error: odp.baseUrl must be an https URL (plain http only to a loopback"
                + " host), found string \"http://api.example.com/v3/\"");

    Map<String, String> quoted = new java.util.HashMap<>(ENV);
    quoted.put("BRAZE_KEY", "\"abc\"");
    assertThatThrownBy(() -> HostConfig.load(odp, quoted::get))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "the environment variable named by braze.apiKeyEnv: apiKey starts with a quote; Braze"
                + " answers 401 to quoted keys");
  }

  @Test
  void currentsTokensAreNeededOnlyByTheCommandsThatServeCurrents() throws Exception {
    Path file =
        write(
            "{"
                + KEYS
                + ", \"state\": {\"sqlite\": \""
                + dir.resolve("s.db").toString().replace("\\", "\\\\")
                + "\"}, \"currents\": {\"tokensEnv\": [\"TOKEN\", \"TOKEN_NEXT\"]}}");
    // One rotation slot set: fine for every command.
    HostConfig one = HostConfig.load(file, ENV::get);
    assertThat(one.currents().tokens()).containsExactly("tok-789xyz");
    one.currents().requireToken("daemon");

    // No slot set: the config loads (sync-segments, activate, activity run) ...
    Map<String, String> keysOnly = Map.of("BRAZE_KEY", "braze-secret-123", "ODP_KEY", "odp-456");
    HostConfig none = HostConfig.load(file, keysOnly::get);
    assertThat(none.currents().tokens()).isEmpty();
    assertThat(none.currents().enabled()).isTrue();

    // ... but the commands that serve Currents exit 64 before starting anything.
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine(keysOnly::get);
    cli.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    assertThat(cli.execute("currents-receiver", "--config", file.toString())).isEqualTo(64);
    assertThat(cli.execute("daemon", "--config", file.toString())).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "configuration error: none of the environment variables named by currents.tokensEnv"
                + " [TOKEN, TOKEN_NEXT] is set: currents-receiver needs at least one bearer token")
        .contains("is set: daemon needs at least one bearer token");
    assertThat(dir.resolve("s.db")).doesNotExist();

    Path noCurrents = write("{" + KEYS + "}");
    assertThatThrownBy(
            () ->
                HostConfig.load(noCurrents, ENV::get).currents().requireToken("currents-receiver"))
        .hasMessage(
            "missing config key currents.tokensEnv: currents-receiver needs at least one bearer"
                + " token for the Currents receiver");
  }

  @Test
  void currentsKafkaIsReadWithDefaultsAndSecretPropertiesFromTheEnvironment() throws Exception {
    Path file =
        write(
            "{"
                + KEYS
                + ", \"currents\": {\"tokensEnv\": [\"TOKEN\"], \"kafka\": {"
                + "\"bootstrapServers\": \"kafka-0:9092,kafka-1:9092\", \"topic\": \"currents\","
                + "\"properties\": {\"security.protocol\": \"SASL_SSL\", \"linger.ms\": 20},"
                + "\"propertiesEnv\": {\"sasl.jaas.config\": \"TOKEN\"}}}}");
    HostConfig.Kafka kafka = HostConfig.load(file, ENV::get).currents().kafka();
    assertThat(kafka.bootstrapServers()).isEqualTo("kafka-0:9092,kafka-1:9092");
    assertThat(kafka.topic()).isEqualTo("currents");
    assertThat(kafka.dlqTopic()).isEqualTo("currents-dlq");
    assertThat(kafka.groupId()).isEqualTo("braze-odp-sync-currents");
    assertThat(kafka.properties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "security.protocol", "SASL_SSL",
                "linger.ms", "20",
                "sasl.jaas.config", "tok-789xyz"));
    assertThat(HostConfig.load(write("{" + KEYS + "}"), ENV::get).currents().kafka()).isNull();
  }

  @Test
  void badCurrentsKafkaSettingsNameTheKey() throws Exception {
    String pre = "{" + KEYS + ", \"currents\": {\"kafka\": ";
    assertThat(loadError(pre + "{\"topic\": \"t\"}}}"))
        .isEqualTo("missing config key currents.kafka.bootstrapServers");
    assertThat(loadError(pre + "{\"bootstrapServers\": \"k:9092\"}}}"))
        .isEqualTo("missing config key currents.kafka.topic");
    assertThat(loadError(pre + "{\"bootstrapServers\": \"kafka\", \"topic\": \"t\"}}}"))
        .startsWith("currents.kafka.bootstrapServers must be host:port[,host:port...], was kafka");
    assertThat(loadError(pre + "{\"bootstrapServers\": \"k:1\", \"topic\": \"a b\"}}}"))
        .startsWith("currents.kafka.topic must be 1 to 249 characters");
    assertThat(
            loadError(
                pre + "{\"bootstrapServers\": \"k:1\", \"topic\": \"t\", \"dlqTopic\": \"t\"}}}"))
        .isEqualTo("currents.kafka.dlqTopic must differ from topic, both were t");
    assertThat(
            loadError(
                pre
                    + "{\"bootstrapServers\": \"k:1\", \"topic\": \"t\","
                    + " \"properties\": {\"acks\": \"1\"}}}}"))
        .isEqualTo(
            "currents.kafka.properties.acks: set by the hand-off itself and not to be overridden"
                + " (was 1)");
    assertThat(
            loadError(
                pre
                    + "{\"bootstrapServers\": \"k:1\", \"topic\": \"t\","
                    + " \"properties\": {\"x\": [1]}}}}"))
        .startsWith("currents.kafka.properties.x must be a string, number or boolean");
    assertThat(
            loadError(
                pre
                    + "{\"bootstrapServers\": \"k:1\", \"topic\": \"t\","
                    + " \"propertiesEnv\": {\"sasl.jaas.config\": \"NOPE\"}}}}"))
        .isEqualTo(
            "environment variable NOPE (named by currents.kafka.propertiesEnv.sasl.jaas.config)"
                + " is not set");
  }

  @Test
  void currentsForwarderWithoutKafkaExits64NamingTheKey() throws Exception {
    Path file =
        write(
            "{"
                + KEYS
                + ", \"state\": {\"sqlite\": \""
                + dir.resolve("f.db").toString().replace("\\", "\\\\")
                + "\"}}");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine(ENV::get);
    cli.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    assertThat(cli.execute("currents-forwarder", "--config", file.toString())).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("missing config key currents.kafka: currents-forwarder reads the Kafka topic");
    assertThat(dir.resolve("f.db")).doesNotExist();
  }

  @Test
  void exportLimitsAndPrivateDownloadHostsAreRead() throws Exception {
    Path file =
        write(
            "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\", \"allowPrivateDownloadHosts\": true,"
                + " \"exportLimits\": {\"maxLineBytes\": 1048576, \"maxEntryBytes\": 4294967296,"
                + " \"maxCompressionRatio\": 50}},"
                + " \"odp\": {\"apiKeyEnv\": \"ODP_KEY\", \"allowPrivateDownloadHosts\": true}}");
    HostConfig cfg = HostConfig.load(file, ENV::get);
    assertThat(cfg.braze().exportLimits())
        .isEqualTo(new io.github.brazeodp.braze.ExportLimits(1_048_576, 4_294_967_296L, 50));
    assertThat(cfg.braze().allowPrivateDownloadHosts()).isTrue();
    assertThat(cfg.odp().allowPrivateDownloadHosts()).isTrue();

    HostConfig defaults = HostConfig.load(write("{" + KEYS + "}"), ENV::get);
    assertThat(defaults.braze().exportLimits())
        .isEqualTo(io.github.brazeodp.braze.ExportLimits.defaults());
    assertThat(defaults.braze().allowPrivateDownloadHosts()).isFalse();
    assertThat(defaults.odp().allowPrivateDownloadHosts()).isFalse();

    assertThat(
            loadError(
                "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\", \"exportLimits\": {\"maxLineBytes\":"
                    + " 10}}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"}}"))
        .isEqualTo("braze.exportLimits.maxLineBytes must be at least 1024, was 10");
    assertThat(
            loadError(
                "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\", \"exportLimits\": {\"maxRatio\":"
                    + " 10}}, \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"}}"))
        .startsWith("unknown config key braze.exportLimits.maxRatio");
    assertThat(
            loadError(
                "{\"braze\": {\"apiKeyEnv\": \"BRAZE_KEY\", \"allowPrivateDownloadHosts\": 1},"
                    + " \"odp\": {\"apiKeyEnv\": \"ODP_KEY\"}}"))
        .isEqualTo("braze.allowPrivateDownloadHosts must be true or false, found number 1");
  }

  @Test
  void badUsageExitsWith64() {
    CommandLine cli = Main.commandLine();
    cli.setErr(
        new PrintWriter(
            new java.io.OutputStreamWriter(new ByteArrayOutputStream(), StandardCharsets.UTF_8),
            true));
    assertThat(cli.execute("sync-segments")).isEqualTo(64);
    assertThat(cli.execute("no-such-command")).isEqualTo(64);
  }
}
