package io.github.brazeodp.odp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.internal.CsvReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
  private static List<List<String>> read(String text, char delimiter) throws IOException {
    List<List<String>> out = new ArrayList<>();
    try (CsvReader csv = new CsvReader(new StringReader(text), delimiter)) {
      for (List<String> r = csv.next(); r != null; r = csv.next()) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void readsQuotesEmbeddedBreaksCrlfAndBom() throws IOException {
    assertThat(read("\uFEFFa,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\r\n,\"multi\r\nline\",\n", ','))
        .containsExactly(
            List.of("a", "b", "c"),
            List.of("1", "x,y", "say \"hi\""),
            List.of("", "multi\r\nline", ""));
  }

  @Test
  void readsOtherDelimitersAndAFinalLineWithoutBreak() throws IOException {
    assertThat(read("a|b\n1|2", '|')).containsExactly(List.of("a", "b"), List.of("1", "2"));
    assertThat(read("a\tb\n1\t2\n", '\t')).containsExactly(List.of("a", "b"), List.of("1", "2"));
  }

  @Test
  void anUnterminatedQuoteIsAnError() {
    assertThatThrownBy(() -> read("a\n\"open", ','))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Unterminated");
  }
}
