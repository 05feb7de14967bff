package io.github.brazeodp.sync.segments;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeenUsersTest {
  @Test
  void eachIdIsNewOnceAcrossGrowth() {
    SeenUsers seen = new SeenUsers();
    for (int i = 0; i < 100_000; i++) {
      assertThat(seen.add("5f3c" + i)).isTrue();
    }
    for (int i = 0; i < 100_000; i += 7) {
      assertThat(seen.add("5f3c" + i)).isFalse();
    }
    assertThat(seen.add("5f3c-other")).isTrue();
    assertThat(seen.add("")).isTrue();
    assertThat(seen.add("")).isFalse();
  }

  @Test
  void aPresizedTableHoldsMoreThanExpectedAndAnAbsurdExpectationIsCapped() {
    SeenUsers seen = new SeenUsers(1_000);
    for (int i = 0; i < 5_000; i++) {
      assertThat(seen.add("b" + i)).isTrue();
    }
    assertThat(seen.contains("b4999")).isTrue();
    assertThat(seen.contains("b5000")).isFalse();
    // A stored count far beyond what one run reads does not allocate beyond the cap.
    SeenUsers capped = new SeenUsers(Long.MAX_VALUE / 4);
    assertThat(capped.add("x")).isTrue();
    assertThat(capped.add("x")).isFalse();
  }
}
