package io.github.brazeodp.sync.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The column encodings of the SQLite store. */
class CodecTest {

  @Test
  void listsRoundTripWhateverTheyContain() {
    List<String> values = Arrays.asList("", "plain", "12:34", "~", null, "5:abcde", "😀 é", "\n");
    String encoded = Codec.encodeList(values);
    assertThat(Codec.decodeList(encoded)).isEqualTo(values);
    assertThat(Codec.decodeList(Codec.encodeList(List.of()))).isEmpty();
  }

  @Test
  void mapsRoundTripAndEncodeDeterministically() {
    Map<String, String> map = Map.of("b", "2", "a", "1:~", "", "");
    assertThat(Codec.decodeMap(Codec.encodeMap(map))).isEqualTo(map);
    assertThat(Codec.encodeMap(map)).isEqualTo(Codec.encodeMap(Map.copyOf(map)));
  }

  @Test
  void rejectsMalformedText() {
    assertThatThrownBy(() -> Codec.decodeList("abc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Codec.decodeMap("1:a")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void instantsRoundTripToTheNanosecond() {
    for (Instant instant :
        List.of(
            Instant.EPOCH,
            Instant.parse("2026-03-01T09:00:00.123456789Z"),
            Instant.parse("1969-12-31T23:59:59.999999999Z"),
            Instant.parse("2262-01-01T00:00:00Z"))) {
      assertThat(Codec.fromNanos(Codec.toNanos(instant))).isEqualTo(instant);
    }
    assertThat(Codec.clampNanos(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    assertThat(Codec.clampNanos(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
    assertThatThrownBy(() -> Codec.storable(Instant.parse("3000-01-01T00:00:00Z"), "at"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at");
  }

  @Test
  void codePointOrderIsUtf8ByteOrder() {
    Random random = new Random(11);
    List<String> strings = new ArrayList<>();
    int[] pool = {'a', 'Z', 0xE9, 0xFF5E, 0xFFFF, 0x1F600, 0x10000, 0x7F, 0x80};
    for (int i = 0; i < 500; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = random.nextInt(4); j > 0; j--) {
        sb.appendCodePoint(pool[random.nextInt(pool.length)]);
      }
      strings.add(sb.toString());
    }
    Comparator<String> byUtf8 =
        (a, b) ->
            Arrays.compareUnsigned(
                a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<String> expected = new ArrayList<>(strings);
    expected.sort(byUtf8);
    List<String> actual = new ArrayList<>(strings);
    actual.sort(Codec.CODE_POINT_ORDER);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void theCharFastPathOrdersAsCodePointsDo() {
    Random random = new Random(5);
    char[] pool = {'a', 'b', 'Z', 0xE9, 0xFF5E, 0xFFFF, 0xD83D, 0xDE00, 0xDBFF, 0xDC00, 0xE000};
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = random.nextInt(5); j > 0; j--) {
        sb.append(pool[random.nextInt(pool.length)]);
      }
      strings.add(sb.toString());
    }
    for (String a : strings) {
      for (String b : strings) {
        assertThat(Integer.signum(Codec.CODE_POINT_ORDER.compare(a, b)))
            .as("%s vs %s", a, b)
            .isEqualTo(Integer.signum(byCodePoints(a, b)));
      }
    }
  }

  /** The definition: code point by code point, lone surrogates as their own value. */
  private static int byCodePoints(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    return Arrays.compare(x, y);
  }
}
