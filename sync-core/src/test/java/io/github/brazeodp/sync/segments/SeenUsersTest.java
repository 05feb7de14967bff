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
}
