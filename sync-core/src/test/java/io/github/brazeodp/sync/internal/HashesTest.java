package io.github.brazeodp.sync.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HashesTest {
  @Test
  void idsStayWhatEarlierVersionsSentSoResentFactsKeepTheirIds() {
    // Values computed independently (SHA-256 over "<length>:<utf-8 bytes>" per part, first 16
    // bytes in hex): a changed encoding would give every event sent before a new id.
    assertThat(Hashes.of("custom_event", "b1", "opened_app", "2026-11-01T00:00:00.000Z"))
        .isEqualTo("bb2bb3dddf4764b32f003699aaeae250");
    assertThat(Hashes.of("x".repeat(1000), null, "", "é".repeat(5)))
        .isEqualTo("bdff9af91e38a7441dea8b0389bb1095");
  }
}
