package io.github.brazeodp.odp.internal;

import java.io.IOException;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/** Helpers to copy bounded prefixes of bodies for diagnostics. */
public final class Bodies {
  private Bodies() {}

  /**
   * Returns the UTF-8 text of {@code buffer}, cut at {@code limit} bytes with a marker saying how
   * much was dropped.
   */
  public static String truncated(Buffer buffer, long limit) {
    long size = buffer.size();
    if (size <= limit) {
      return buffer.readUtf8();
    }
    String head = buffer.snapshot((int) Math.min(limit, Integer.MAX_VALUE)).utf8();
    return head + "...[truncated]";
  }

  /** Reads at most {@code limit} bytes of a response body as text, marking any truncation. */
  public static String read(ResponseBody body, long limit) throws IOException {
    if (body == null) {
      return "";
    }
    BufferedSource source = body.source();
    boolean more = source.request(limit + 1);
    Buffer copy = new Buffer();
    source.getBuffer().copyTo(copy, 0, Math.min(source.getBuffer().size(), limit));
    String text = copy.readUtf8();
    return more ? text + "...[truncated]" : text;
  }
}
