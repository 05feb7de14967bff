package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's cron and Kubernetes CronJob recipes, read from the README itself, run against the
 * sandboxes with {@code samples/config.example.json} and only the two API key variables set.
 */
class ReadmeRecipesTest {
  @TempDir Path dir;

  /** A recipe: the environment variables it sets and the host's arguments. */
  record Recipe(String name, List<String> variables, List<String> args) {}

  static List<Recipe> recipes(String readme) {
    List<Recipe> out = new ArrayList<>();
    Matcher cron =
        Pattern.compile("```cron\\n0 2 \\* \\* \\*\\s+(.*?)java -jar \\S+ (.*?)( >>.*)?\\n```")
            .matcher(readme);
    assertThat(cron.find()).as("the README's cron recipe").isTrue();
    List<String> cronVariables = new ArrayList<>();
    for (String assignment : cron.group(1).trim().split("\\s+", -1)) {
      cronVariables.add(assignment.substring(0, assignment.indexOf('=')));
    }
    out.add(
        new Recipe("cron", cronVariables, Arrays.asList(cron.group(2).trim().split("\\s+", -1))));

    // The image's entry point is the host, so the CronJob passes the command as args.
    Matcher command =
        Pattern.compile("kind: CronJob[\\s\\S]*?args: \\[(.*?)\\][\\s\\S]*?envFrom: .*# (.*)\\n")
            .matcher(readme);
    assertThat(command.find()).as("the README's Kubernetes CronJob recipe").isTrue();
    List<String> words = new ArrayList<>();
    for (String word : command.group(1).split(",", -1)) {
      words.add(word.trim().replace("\"", ""));
    }
    List<String> k8sVariables = Arrays.asList(command.group(2).trim().split(",\\s*", -1));
    out.add(new Recipe("kubernetes", k8sVariables, words));
    return out;
  }

  @Test
  void theCronAndCronJobRecipesRunWithOnlyTheTwoApiKeysSet() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    List<Recipe> recipes = recipes(readme);
    assertThat(recipes).hasSize(2);
    for (Recipe recipe : recipes) {
      assertThat(recipe.variables())
          .as(recipe.name())
          .containsExactlyInAnyOrder("BRAZE_API_KEY", "ODP_API_KEY");
      assertThat(recipe.args()).as(recipe.name()).startsWith("sync-segments", "--config");

      InMemoryBraze braze = new InMemoryBraze();
      InMemoryOdp odp = new InMemoryOdp();
      DemoWorld.seed(braze, odp, 7);
      // The example's identity rule names a custom ODP identifier: an account set up for it.
      odp.putIdentifier("braze_external_id");
      try (BrazeSandbox brazeSandbox = new BrazeSandbox(braze);
          OdpSandbox odpSandbox = new OdpSandbox(odp)) {
        Path config = exampleAgainst(brazeSandbox, odpSandbox, recipe.name());
        List<String> args = new ArrayList<>(recipe.args());
        args.set(args.indexOf("--config") + 1, config.toString());
        Map<String, String> env = new HashMap<>();
        env.put("BRAZE_API_KEY", brazeSandbox.apiKey());
        env.put("ODP_API_KEY", odpSandbox.apiKey());

        int code = Main.run(env::get, args.toArray(String[]::new));

        assertThat(code).as(recipe.name() + " exit code").isZero();
        assertThat(odp.customers()).as(recipe.name()).isNotEmpty();
      }
    }
  }

  /**
   * The example configuration with only what must differ on this machine replaced: the two base
   * URLs (sandboxes instead of US-01 and US), the state file, and segments the sandbox has.
   */
  private Path exampleAgainst(BrazeSandbox braze, OdpSandbox odp, String name) throws Exception {
    String example = Files.readString(Path.of("config.example.json"));
    String text =
        replaceOnce(example, "\"instance\": \"US-01\"", "\"baseUrl\": \"" + braze.baseUrl() + "\"");
    text = replaceOnce(text, "\"region\": \"US\"", "\"baseUrl\": \"" + odp.baseUrl() + "\"");
    text =
        replaceOnce(
            text,
            "\"/var/lib/braze-odp-sync/state.db\"",
            "\"" + dir.resolve(name + ".db").toString().replace("\\", "\\\\") + "\"");
    text =
        replaceOnce(
            text,
            "[\"Gold members\", \"61e0a1b2c3d4e5f6a7b8c9d0\"]",
            "[\"demo-gold\", \"Dormant\"]");
    Path file = dir.resolve(name + ".json");
    Files.writeString(file, text);
    return file;
  }

  private static String replaceOnce(String text, String from, String to) {
    assertThat(text).as("config.example.json holds " + from).contains(from);
    return text.replace(from, to);
  }
}
