package io.github.brazeodp.sync.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutboxMessageTest {
  private static long encoded(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static long counted(String s) {
    return new OutboxMessage("id", s, Instant.EPOCH).sizeInBytes();
  }

  @Test
  void sizeIsTheUtf8LengthAlsoForSurrogatesPairedOrNot() {
    for (String s :
        List.of(
            "",
            "ascii",
            "é",
            "€",
            "😀",
            "a😀b",
            "\uD83D",
            "\uDE00",
            "\uDE00\uD83D",
            "x\uD83D",
            "\uD83Dx",
            "\uD83D\uD83D\uDE00",
            "\u007F\u0080\u07FF\u0800\uFFFF")) {
      assertThat(counted(s)).as(s).isEqualTo(encoded(s));
    }
  }

  @Test
  void sizeIsTheUtf8LengthOfRandomText() {
    Random random = new Random(12);
    for (int round = 0; round < 2_000; round++) {
      char[] chars = new char[random.nextInt(40)];
      for (int i = 0; i < chars.length; i++) {
        // Mostly from the ranges where the encodings differ, surrogates included.
        chars[i] =
            switch (random.nextInt(4)) {
              case 0 -> (char) random.nextInt(0x80);
              case 1 -> (char) (0x80 + random.nextInt(0x800 - 0x80));
              case 2 -> (char) (0xD800 + random.nextInt(0x800));
              default -> (char) random.nextInt(0x10000);
            };
      }
      String s = new String(chars);
      assertThat(counted(s)).as("round %d", round).isEqualTo(encoded(s));
    }
  }
}
