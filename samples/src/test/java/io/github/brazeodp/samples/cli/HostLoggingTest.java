package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** One backend and one format for the host's and the libraries' lines; JSON lines on request. */
class HostLoggingTest {
  private static final JsonAdapter<Map<String, Object>> OBJECT =
      new Moshi.Builder()
          .build()
          .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  @TempDir Path dir;

  private final PrintStream realErr = System.err;

  @AfterEach
  void restore() {
    System.setErr(realErr);
    HostLogging.use(HostLogging.Format.TEXT);
  }

  /** Runs {@code work} with standard error captured; the appender writes to the current one. */
  private static String stderrOf(Runnable work) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream previous = System.err;
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      work.run();
    } finally {
      System.setErr(previous);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static void someLines() {
    new Log().line("daemon: started");
    LoggerFactory.getLogger("io.github.brazeodp.odp.Transport")
        .warn("ODP answered 503 \"busy\"; retrying", new IOException("connection reset"));
    // Below the libraries' level: must not appear.
    LoggerFactory.getLogger("io.github.brazeodp.odp.Transport").info("chatter");
  }

  private static List<Map<String, Object>> parseLines(String text) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (!line.isEmpty()) {
        out.add(OBJECT.fromJson(line));
      }
    }
    return out;
  }

  @Test
  void jsonLinesParseOneByOneWithEveryField() throws Exception {
    HostLogging.use(HostLogging.Format.JSON);
    String err = stderrOf(HostLoggingTest::someLines);

    List<Map<String, Object>> lines = parseLines(err);
    assertThat(lines).hasSize(2);
    Map<String, Object> host = lines.get(0);
    assertThat(host)
        .containsEntry("level", "INFO")
        .containsEntry("logger", HostLogging.HOST_LOGGER)
        .containsEntry("thread", Thread.currentThread().getName())
        .containsEntry("message", "daemon: started")
        .doesNotContainKey("exception");
    assertThat(Instant.parse((String) host.get("timestamp"))).isBeforeOrEqualTo(Instant.now());
    Map<String, Object> library = lines.get(1);
    assertThat(library)
        .containsEntry("level", "WARN")
        .containsEntry("logger", "io.github.brazeodp.odp.Transport")
        .containsEntry("message", "ODP answered 503 \"busy\"; retrying");
    assertThat((String) library.get("exception"))
        .startsWith("java.io.IOException: connection reset")
        .contains("\tat ");
  }

  @Test
  void textIsOneTimestampedFormatForHostAndLibraryLines() {
    HostLogging.use(HostLogging.Format.TEXT);
    String err = stderrOf(HostLoggingTest::someLines);
    List<String> lines =
        err.lines().filter(l -> !l.startsWith("java.io") && !l.startsWith("\t")).toList();
    assertThat(lines).hasSize(2);
    String stamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    assertThat(lines.get(0)).matches(stamp + " INFO  \\[.+] braze-odp-sync - daemon: started");
    assertThat(lines.get(1))
        .matches(
            stamp + " WARN  \\[.+] io\\.github\\.brazeodp\\.odp\\.Transport - ODP answered 503 .*");
    assertThat(err).doesNotContain("chatter");
  }

  @Test
  void theOptionOrTheConfigKeySwitchesToJson() throws Exception {
    Path state = dir.resolve("state.db");
    io.github.brazeodp.sync.state.SyncStateStore.sqlite(state).close();
    String err =
        stderrOf(
            () -> {
              assertThat(
                      Main.commandLine(name -> null)
                          .execute("activity", "--state", state.toString(), "--log-format", "JSON"))
                  .isZero();
              new Log().line("after the option");
            });
    assertThat(parseLines(err))
        .extracting(m -> m.get("message"))
        .containsExactly("after the option");

    HostLogging.use(HostLogging.Format.TEXT);
    Path config = dir.resolve("config.json");
    Files.writeString(
        config,
        "{\"state\": {\"sqlite\": \"%s\"}, \"log\": {\"format\": \"json\"}}"
            .formatted(state.toString().replace("\\", "\\\\")));
    err =
        stderrOf(
            () -> {
              assertThat(
                      Main.commandLine(name -> null)
                          .execute("activity", "--config", config.toString()))
                  .isZero();
              new Log().line("after the config");
            });
    assertThat(parseLines(err))
        .extracting(m -> m.get("message"))
        .containsExactly("after the config");
  }

  @Test
  void aWrongFormatNamesTheKeyOrTheOptionAndExits64() throws Exception {
    Path config = dir.resolve("config.json");
    Files.writeString(config, "{\"log\": {\"format\": \"xml\"}}");
    assertThatThrownBy(() -> HostConfig.logFormatOf(config))
        .hasMessage("log.format must be \"text\" or \"json\", was \"xml\"");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    var cli = Main.commandLine(name -> null);
    cli.setErr(new java.io.PrintWriter(bytes, true, StandardCharsets.UTF_8));
    assertThat(cli.execute("--log-format", "yaml", "activity", "--state", "x.db")).isEqualTo(64);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--log-format").contains("yaml");
  }
}
