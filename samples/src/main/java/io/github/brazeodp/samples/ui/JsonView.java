package io.github.brazeodp.samples.ui;

import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.util.Optional;
import okio.Buffer;

/**
 * Renders a JSON text as indented, escaped HTML, with every member whose name starts with the Braze
 * prefix (and its value) marked {@code class="braze"}: the fields the integration writes into ODP.
 */
final class JsonView {
  private final String prefix;
  private final StringBuilder out = new StringBuilder();

  private JsonView(String prefix) {
    this.prefix = prefix;
  }

  /** Returns the formatted view, or empty when {@code json} is not one JSON value. */
  static Optional<String> render(String json, String prefix) {
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    JsonView view = new JsonView(prefix);
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(json))) {
      reader.setLenient(false);
      view.value(reader, 0, false);
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        return Optional.empty();
      }
    } catch (IOException | RuntimeException e) {
      // Not JSON (a CSV export, a truncated body): the raw view alone is shown.
      return Optional.empty();
    }
    return Optional.of(view.out.toString());
  }

  private void value(JsonReader r, int depth, boolean braze) throws IOException {
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        r.beginObject();
        out.append('{');
        boolean first = true;
        while (r.hasNext()) {
          out.append(first ? "" : ",").append('\n');
          first = false;
          indent(depth + 1);
          String name = r.nextName();
          boolean mark = braze || name.startsWith(prefix);
          if (mark && !braze) {
            out.append("<span class=\"braze\">");
          }
          out.append("<span class=\"key\">&quot;").append(Html.esc(name)).append("&quot;</span>: ");
          value(r, depth + 1, mark);
          if (mark && !braze) {
            out.append("</span>");
          }
        }
        r.endObject();
        if (!first) {
          out.append('\n');
          indent(depth);
        }
        out.append('}');
      }
      case BEGIN_ARRAY -> {
        r.beginArray();
        out.append('[');
        boolean first = true;
        while (r.hasNext()) {
          out.append(first ? "" : ",").append('\n');
          first = false;
          indent(depth + 1);
          value(r, depth + 1, braze);
        }
        r.endArray();
        if (!first) {
          out.append('\n');
          indent(depth);
        }
        out.append(']');
      }
      case STRING ->
          out.append("<span class=\"str\">&quot;")
              .append(Html.esc(r.nextString()))
              .append("&quot;</span>");
      case NUMBER -> out.append(Html.esc(r.nextString()));
      case BOOLEAN -> out.append(r.nextBoolean());
      case NULL -> {
        r.nextNull();
        out.append("null");
      }
      default -> throw new IOException("unexpected " + r.peek());
    }
  }

  private void indent(int depth) {
    out.append("  ".repeat(depth));
  }
}
