package io.github.brazeodp.odp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.RequestBody;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class EventBatcherTest {
  private static final List<byte[]> ROWS =
      List.of(bytes("{\"a\":1}"), bytes("{\"b\":\"é\"}"), bytes("{}"), bytes("{\"c\":[]}"));

  @Test
  void aBodyIsTheRowsOfItsRangeInBracketsAndItsLengthIsTheBytesItWrites() throws Exception {
    RequestBody body = EventBatcher.body(ROWS, 1, 3);

    Buffer written = new Buffer();
    body.writeTo(written);

    assertThat(written.readUtf8()).isEqualTo("[{\"b\":\"é\"},{}]");
    assertThat(body.contentLength()).isEqualTo(bytes("[{\"b\":\"é\"},{}]").length);
    assertThat(body.contentType()).hasToString("application/json; charset=utf-8");
  }

  @Test
  void aBodyWritesTheSameBytesEachTimeItIsSentSoThatARetryResendsThem() throws Exception {
    RequestBody body = EventBatcher.body(ROWS, 0, ROWS.size());

    Buffer first = new Buffer();
    body.writeTo(first);
    Buffer second = new Buffer();
    body.writeTo(second);

    assertThat(body.isOneShot()).isFalse();
    assertThat(body.contentLength()).isEqualTo(first.size());
    assertThat(second.readByteString()).isEqualTo(first.readByteString());
  }

  @Test
  void aBodyOfOneRowHasNoCommaAndAnEmptyRangeIsAnEmptyArray() throws Exception {
    Buffer one = new Buffer();
    EventBatcher.body(ROWS, 2, 3).writeTo(one);
    Buffer none = new Buffer();
    RequestBody empty = EventBatcher.body(ROWS, 2, 2);
    empty.writeTo(none);

    assertThat(one.readUtf8()).isEqualTo("[{}]");
    assertThat(none.readUtf8()).isEqualTo("[]");
    assertThat(empty.contentLength()).isEqualTo(2);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
