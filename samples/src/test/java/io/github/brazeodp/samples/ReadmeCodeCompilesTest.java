package io.github.brazeodp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.samples.ReadmeSnippets.Block;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every ```java block of the README compiles against the SDK, so no snippet can rot. */
class ReadmeCodeCompilesTest {
  @TempDir Path out;

  private static Path readme() {
    return Path.of(System.getProperty("brazeodp.root", "..")).resolve("README.md");
  }

  @Test
  void everyJavaBlockOfTheReadmeCompiles() throws IOException {
    List<Block> blocks = ReadmeSnippets.extract(Files.readString(readme(), StandardCharsets.UTF_8));

    assertThat(blocks).as("java blocks found in %s", readme()).hasSizeGreaterThanOrEqualTo(10);
    assertThat(ReadmeSnippets.compile(blocks, ReadmeSnippets.testClasspath(), out)).isEmpty();
  }

  @Test
  void aBrokenBlockIsReportedWithItsReadmeLine() {
    String markdown =
        """
        # Title

        ```java
        import io.github.brazeodp.braze.Segment;
        SyncStateStore a = SyncStateStore.inMemory();
        SyncStateStore a = SyncStateStore.inMemory();
        ```

        ```java
        String fine = brazeKey + odpKey;
        ```
        """;

    List<Block> blocks = ReadmeSnippets.extract(markdown);
    List<String> errors = ReadmeSnippets.compile(blocks, ReadmeSnippets.testClasspath(), out);

    assertThat(blocks).extracting(Block::line).containsExactly(4, 10);
    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("README.md line 6 (```java block at line 4): ")
        .contains("variable a is already defined");
  }
}
