package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code state.postgres} and {@code daemon.name} config keys. */
class PostgresConfigTest {
  private static final Map<String, String> ENV =
      Map.of(
          "BRAZE_KEY", "braze-secret-123",
          "ODP_KEY", "odp-secret-456",
          "PG_USER", "sync",
          "PG_PASSWORD", "pg-secret-789");

  @TempDir Path dir;

  private Path write(String state, String daemon) throws Exception {
    Path file = dir.resolve("workspace-eu.json");
    Files.writeString(
        file,
        """
        {
          "braze": {"apiKeyEnv": "BRAZE_KEY"},
          "odp": {"apiKeyEnv": "ODP_KEY"},
          "state": %s,
          "daemon": %s
        }
        """
            .formatted(state, daemon));
    return file;
  }

  private static String postgres(String url, String passwordEnv) {
    return "{\"postgres\": {\"url\": \""
        + url
        + "\", \"userEnv\": \"PG_USER\", \"passwordEnv\": \""
        + passwordEnv
        + "\"}}";
  }

  @Test
  void readsTheStoreWithoutEverPrintingThePassword() throws Exception {
    String url = "jdbc:postgresql://db:5432/braze?currentSchema=braze_odp";
    HostConfig cfg = HostConfig.load(write(postgres(url, "PG_PASSWORD"), "{}"), ENV::get);

    assertThat(cfg.postgres().url()).isEqualTo(url);
    assertThat(cfg.postgres().user()).isEqualTo("sync");
    assertThat(cfg.postgres().password()).isEqualTo("pg-secret-789");
    assertThat(cfg.postgres().toString()).contains(url, "PG_PASSWORD").doesNotContain("pg-secret");
    assertThat(cfg.toString()).doesNotContain("pg-secret");
    assertThat(cfg.stateDescription()).isEqualTo("PostgreSQL " + url + " as sync");
    // The lease defaults to the config file's name: replicas share their config.
    assertThat(cfg.daemon().leaseScope()).isEqualTo("daemon/workspace-eu");
  }

  @Test
  void theDaemonLeaseCanBeNamed() throws Exception {
    HostConfig cfg = HostConfig.load(write("{}", "{\"name\": \"eu-prod\"}"), ENV::get);
    assertThat(cfg.postgres()).isNull();
    assertThat(cfg.daemon().leaseScope()).isEqualTo("daemon/eu-prod");
    assertThatThrownBy(() -> HostConfig.load(write("{}", "{\"name\": \" \"}"), ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessage("daemon.name must not be blank");
  }

  @Test
  void wrongSettingsNameTheKeyAndExitWith64() throws Exception {
    Path unset = write(postgres("jdbc:postgresql://db/braze", "PG_UNSET"), "{}");
    assertThatThrownBy(() -> HostConfig.load(unset, ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment variable PG_UNSET (named by state.postgres.passwordEnv) is not set");
    assertThat(Main.run(ENV::get, "daemon", "--config", unset.toString()))
        .isEqualTo(ExitCodes.USAGE);

    assertThatThrownBy(
            () ->
                HostConfig.load(
                    write(postgres("postgres://db/braze", "PG_PASSWORD"), "{}"), ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("state.postgres.url must be a PostgreSQL JDBC URL")
        .hasMessageContaining("postgres://db/braze");
    assertThatThrownBy(
            () ->
                HostConfig.load(
                    write(postgres("jdbc:postgresql://db/b?password=x", "PG_PASSWORD"), "{}"),
                    ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("state.postgres.url must not hold the password");
    assertThatThrownBy(
            () ->
                HostConfig.load(
                    write(
                        "{\"sqlite\": \"x.db\", \"postgres\": {\"url\": \"jdbc:postgresql://db/b\"}}",
                        "{}"),
                    ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("set either state.sqlite or state.postgres, not both");
    assertThatThrownBy(
            () ->
                HostConfig.load(
                    write(
                        "{\"postgres\": {\"url\": \"jdbc:postgresql://db/b\", \"user\": \"x\"}}",
                        "{}"),
                    ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("state.postgres.user");
  }
}
