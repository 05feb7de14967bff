package io.github.brazeodp.sync.currents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.OdpEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboxCodecTest {

  @Test
  void theHandWrittenInstantReaderAgreesWithInstantParseOnSeededRandomInstants() {
    Random random = new Random(20261207L);
    for (int i = 0; i < 5_000; i++) {
      long seconds = random.nextLong(-62_135_596_800L, 253_402_300_799L); // years 1..9999
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant expected = Instant.ofEpochSecond(seconds, nanos);
      assertThat(OutboxCodec.instant(expected.toString())).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2034-06-13T02:01:44Z",
        "2034-06-13T02:01:44.5Z",
        "2034-06-13T02:01:44.123456789Z",
        "2024-02-29T23:59:59.000001Z",
        "+12034-06-13T02:01:44Z",
        "-0001-01-01T00:00:00Z"
      })
  void readsWhatInstantParseReads(String text) {
    assertThat(OutboxCodec.instant(text)).isEqualTo(Instant.parse(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2023-02-29T00:00:00Z",
        "2034-13-13T02:01:44Z",
        "2034-06-13T24:01:44Z",
        "2034-06-13T02:01:4xZ",
        "2034-06-13 02:01:44Z"
      })
  void refusesWhatInstantParseRefuses(String text) {
    assertThatThrownBy(() -> OutboxCodec.instant(text)).isInstanceOf(DateTimeParseException.class);
  }

  @Test
  void aPayloadRoundTripsWithItsTime() {
    OdpEvent event =
        new OdpEvent(
            "braze",
            "messages_email_open",
            Map.of("email", "a@example.com"),
            Map.of("_braze_id", "e1", "n", 3),
            Instant.parse("2034-06-13T02:01:44.250Z"),
            "e1");

    OdpEvent back = OutboxCodec.decode(OutboxCodec.encode(event));

    assertThat(back.ts()).isEqualTo(event.ts());
    assertThat(back.identifiers()).isEqualTo(event.identifiers());
    assertThat(back.idempotenceId()).isEqualTo("e1");
    assertThat(back.data()).containsEntry("_braze_id", "e1");
  }

  @Test
  void aRowPayloadDecodesToTheEventItWasEncodedFrom() {
    String row =
        "{\"type\":\"braze\",\"action\":\"messages_email_open\","
            + "\"identifiers\":{\"email\":\"a@example.com\"},"
            + "\"data\":{\"_braze_id\":\"e1\",\"n\":3,\"ts\":2033802504,"
            + "\"idempotence_id\":\"e1\"}}";
    String payload = OutboxCodec.row(row.getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(payload).startsWith(OutboxCodec.ROW_PREFIX);
    assertThat(OutboxCodec.isRow(payload)).isTrue();
    assertThat(OutboxCodec.isRow(OutboxCodec.encode(OutboxCodec.decode(payload)))).isFalse();
    assertThat(new String(OutboxCodec.rowBytes(payload), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(row);
    OdpEvent back = OutboxCodec.decode(payload);
    assertThat(back.type()).isEqualTo("braze");
    assertThat(back.action()).isEqualTo("messages_email_open");
    assertThat(back.identifiers()).containsExactly(Map.entry("email", "a@example.com"));
    assertThat(back.data())
        .containsEntry("_braze_id", "e1")
        .containsKey("n")
        .doesNotContainKeys("ts", "idempotence_id");
    assertThat(back.ts()).isEqualTo(Instant.ofEpochSecond(2033802504));
    assertThat(back.idempotenceId()).isEqualTo("e1");

    String wide = row.replace("a@example.com", "é😀€@example.com");
    String widePayload = OutboxCodec.row(wide.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(widePayload).isEqualTo(OutboxCodec.ROW_PREFIX + wide);
    assertThat(OutboxCodec.rowBytes(widePayload))
        .isEqualTo(wide.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void anUnreadableTimeMakesThePayloadUnreadable() {
    String payload =
        "{\"v\":1,\"type\":\"braze\",\"action\":\"a\",\"identifiers\":{\"email\":\"a@example.com\"},"
            + "\"data\":{},\"ts\":\"2023-02-29T00:00:00Z\",\"idempotence_id\":\"x\"}";
    assertThatThrownBy(() -> OutboxCodec.decode(payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unreadable outbox payload");
  }
}
