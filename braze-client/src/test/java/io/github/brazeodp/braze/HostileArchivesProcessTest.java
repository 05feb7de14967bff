package io.github.brazeodp.braze;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Streams hostile archives in a child JVM limited to 128 MiB of heap: a ZIP entry of about 10 MB
 * expanding to about 10 GiB with no newline, a gzip bomb inside a ZIP, a 200 MiB line, invalid
 * UTF-8 and odd entry names, all generated on the fly. Each must end in a clean error or count.
 */
class HostileArchivesProcessTest {
  @Test
  void hostileArchivesEndInCleanErrorsUnderA128MiBHeap() throws IOException, InterruptedException {
    int block = HostileArchives.flushedBlock().length;
    // The inputs are what the issue describes: ~10 MB expanding to >= 1 GiB, and so on.
    assertThat((long) block * HostileArchivesMain.ZIP_BOMB_BLOCKS)
        .isBetween(1_000_000L, 12_000_000L);
    assertThat((long) HostileArchives.BLOCK_INPUT * HostileArchivesMain.ZIP_BOMB_BLOCKS)
        .isGreaterThanOrEqualTo(1L << 30);
    assertThat((long) HostileArchives.BLOCK_INPUT * HostileArchivesMain.GZIP_BOMB_BLOCKS)
        .isGreaterThanOrEqualTo(1L << 30);

    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                HostileArchivesMain.class.getName())
            .redirectErrorStream(true)
            .start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);

    assertThat(process.exitValue()).as(text).isZero();
    assertThat(text)
        .contains(
            "zip-bomb refused: export entry bomb.txt refused as a possible decompression bomb")
        .contains(
            "gzip-in-zip refused: export entry users.json.gz refused as a possible decompression"
                + " bomb")
        .contains(
            "long-line users=[u1] malformed=1 long-line.ndjson:1: line longer than 8388608 bytes")
        .contains(
            "invalid-utf8 users=[u1] malformed=1 invalid-utf8.ndjson:1: invalid UTF-8 at byte 30 of the line")
        .contains("odd-names users=1 skipped=[SkippedEntry[name=../evil.txt")
        .contains("heap max ")
        .doesNotContain("OutOfMemoryError");
  }
}
