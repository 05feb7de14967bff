package io.github.brazeodp.odp.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * Splits pre-encoded JSON rows (events, profile updates, list subscriptions) into request bodies
 * under an item cap and a byte cap, remembering which caller rows each request holds.
 *
 * <p>Rows are encoded once; each request body is the concatenation {@code [row,row,...]}, so a
 * retried request resends exactly the same bytes.
 */
public final class EventBatcher {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  private final int maxItems;
  private final long maxBytes;

  /** One planned request: caller rows {@code [from, to)}; its body is built when it is sent. */
  public record Batch(int from, int to) {
    /** Number of rows in this request. */
    public int size() {
      return to - from;
    }
  }

  /**
   * Creates a batcher.
   *
   * @param maxItems the most rows per request
   * @param maxBytes the most body bytes per request, brackets and commas included
   */
  public EventBatcher(int maxItems, long maxBytes) {
    this.maxItems = maxItems;
    this.maxBytes = maxBytes;
  }

  /** Returns the largest encoded row that can still travel alone in one request. */
  public long maxRowBytes() {
    return maxBytes - 2;
  }

  /** Plans requests for {@code rows}, in order; every row must fit {@link #maxRowBytes()}. */
  public List<Batch> plan(List<byte[]> rows) {
    List<Batch> batches = new ArrayList<>();
    int from = 0;
    long bytes = 2;
    for (int i = 0; i < rows.size(); i++) {
      int count = i - from;
      long extra = (long) rows.get(i).length + (count == 0 ? 0 : 1);
      if (count > 0 && (count >= maxItems || bytes + extra > maxBytes)) {
        batches.add(new Batch(from, i));
        from = i;
        bytes = 2;
        extra = rows.get(i).length;
      }
      bytes += extra;
    }
    if (from < rows.size()) {
      batches.add(new Batch(from, rows.size()));
    }
    return batches;
  }

  /**
   * Returns the body {@code [row,row,...]} of caller rows {@code [from, to)}. The body writes the
   * rows straight into the connection's sink each time it is sent (a retry sends the same bytes):
   * assembling it in a buffer and copying that to an array first cost two copies of every request
   * and a fifth of a segment sync's allocation.
   */
  public static RequestBody body(List<byte[]> rows, int from, int to) {
    return new RowsBody(rows, from, to);
  }

  /** {@code [row,row,...]} of rows {@code [from, to)}, with its length known up front. */
  private static final class RowsBody extends RequestBody {
    private final List<byte[]> rows;
    private final int from;
    private final int to;
    private final long length;

    RowsBody(List<byte[]> rows, int from, int to) {
      this.rows = rows;
      this.from = from;
      this.to = to;
      long n = 2 + Math.max(0, to - from - 1);
      for (int i = from; i < to; i++) {
        n += rows.get(i).length;
      }
      this.length = n;
    }

    @Override
    public MediaType contentType() {
      return JSON;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.writeByte('[');
      for (int i = from; i < to; i++) {
        if (i > from) {
          sink.writeByte(',');
        }
        sink.write(rows.get(i));
      }
      sink.writeByte(']');
    }
  }

  @Override
  public String toString() {
    return "EventBatcher{maxItems=" + maxItems + ", maxBytes=" + maxBytes + "}";
  }
}
