package io.github.brazeodp.samples.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import okio.Buffer;

/**
 * One JSON object per log line, for log shippers: {@code timestamp} (ISO-8601 UTC), {@code level},
 * {@code logger}, {@code thread}, {@code message} and, when there is one, {@code exception} (the
 * stack trace as one string).
 *
 * <p>Logback's own {@code JsonEncoder} writes epoch millis and nested objects under other names;
 * these flat names are what most shippers map without rules.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    Buffer buffer = new Buffer();
    try (JsonWriter json = JsonWriter.of(buffer)) {
      json.beginObject();
      json.name("timestamp").value(Instant.ofEpochMilli(event.getTimeStamp()).toString());
      json.name("level").value(event.getLevel().toString());
      json.name("logger").value(event.getLoggerName());
      json.name("thread").value(event.getThreadName());
      json.name("message").value(event.getFormattedMessage());
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.name("exception").value(ThrowableProxyUtil.asString(thrown));
      }
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a log event", e);
    }
    buffer.writeByte('\n');
    return buffer.readByteArray();
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }
}
