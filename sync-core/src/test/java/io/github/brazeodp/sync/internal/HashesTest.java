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
    // Pinned before the input was gathered in one array: an unpaired surrogate is '?', a pair
    // four bytes, and a part longer than the first guess grows the array.
    assertThat(Hashes.of("a\uD800b", "Zürich", "x\uD83D\uDE00y", "q".repeat(12345)))
        .isEqualTo("a41fa2ee92ea20fff2c40c9689b24f47");
    assertThat(Hashes.of("47c2f80bf6d219043eabde4d50463f72", "{email=a@b.co, zaius_id=z1}"))
        .isEqualTo("e9d802ac18fb61d237a23a0d8651ee3d");
  }
}
