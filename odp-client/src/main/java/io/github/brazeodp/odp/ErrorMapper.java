package io.github.brazeodp.odp;

import com.squareup.moshi.JsonAdapter;
import io.github.brazeodp.odp.internal.Bodies;
import io.github.brazeodp.odp.internal.RetryAfter;
import io.github.brazeodp.odp.internal.Wire;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns a non-success ODP response into the matching exception. */
final class ErrorMapper {
  private static final int MAX_INVALIDS_IN_MESSAGE = 5;

  private final JsonAdapter<Wire.ErrorBody> adapter;
  private final long bodyLimit;
  private final Clock clock;

  ErrorMapper(JsonAdapter<Wire.ErrorBody> adapter, long bodyLimit, Clock clock) {
    this.adapter = adapter.lenient();
    this.bodyLimit = bodyLimit;
    this.clock = clock;
  }

  OdpApiException map(OdpApi api, Transport.HttpResult r) throws IOException {
    String body = Bodies.read(r.body(), bodyLimit);
    Wire.ErrorBody parsed = parse(body);
    String title = parsed == null ? null : parsed.title();
    String detail = null;
    List<OdpInvalid> invalids = new ArrayList<>();
    if (parsed != null) {
      detail = parsed.message();
      if (parsed.detail() != null) {
        if (parsed.detail().message() != null) {
          detail = parsed.detail().message();
        }
        if (parsed.detail().invalids() != null) {
          for (Wire.Invalid i : parsed.detail().invalids()) {
            if (i != null) {
              Integer index = i.event() != null ? i.event() : i.index();
              String message = i.message() != null ? i.message() : i.reason();
              invalids.add(new OdpInvalid(index, i.field(), message));
            }
          }
        }
      }
    }
    int code = r.code();
    Map<String, List<String>> headers = r.headers().toMultimap();
    String message = message(api, r, title, detail, invalids, parsed == null ? body : null);
    String e = api.endpoint();
    if (code == 400) {
      return new OdpBadRequestException(e, message, headers, title, detail, body, invalids);
    }
    if (code == 401 || code == 403) {
      return new OdpAuthException(e, message, code, headers, title, detail, body);
    }
    if (code == 404) {
      return new OdpNotFoundException(e, message, code, headers, title, detail, body);
    }
    if (code == 429) {
      Duration retryAfter =
          RetryAfter.parse(r.headers().get("Retry-After"), clock.instant()).orElse(null);
      return new OdpRateLimitException(e, message, headers, title, detail, body, retryAfter);
    }
    if (code >= 500) {
      return new OdpServerException(e, message, code, headers, title, detail, body);
    }
    return new OdpApiException(e, message, code, headers, title, detail, body);
  }

  private Wire.ErrorBody parse(String body) {
    String trimmed = body.trim();
    if (!trimmed.startsWith("{")) {
      return null;
    }
    try {
      return adapter.fromJson(trimmed);
    } catch (IOException | RuntimeException e) {
      // An unreadable error body still yields a typed exception with the raw text.
      return null;
    }
  }

  private static String message(
      OdpApi api,
      Transport.HttpResult r,
      String title,
      String detail,
      List<OdpInvalid> invalids,
      String rawBody) {
    StringBuilder m = new StringBuilder("ODP ").append(api.endpoint()).append(" call ");
    // The path only: profile lookups carry identifiers (PII) in the query string.
    m.append(r.request().method()).append(' ').append(r.request().url().encodedPath());
    m.append(" failed: HTTP ").append(r.code());
    if (title != null) {
      m.append(' ').append(title);
    }
    if (detail != null) {
      m.append(": ").append(detail);
    }
    if (!invalids.isEmpty()) {
      m.append(" [");
      for (int i = 0; i < Math.min(invalids.size(), MAX_INVALIDS_IN_MESSAGE); i++) {
        OdpInvalid inv = invalids.get(i);
        if (i > 0) {
          m.append("; ");
        }
        if (inv.index() != null) {
          m.append('#').append(inv.index()).append(' ');
        }
        if (inv.field() != null) {
          m.append(inv.field()).append(": ");
        }
        m.append(inv.message());
      }
      if (invalids.size() > MAX_INVALIDS_IN_MESSAGE) {
        m.append("; ...").append(invalids.size() - MAX_INVALIDS_IN_MESSAGE).append(" more");
      }
      m.append(']');
    }
    if (rawBody != null && !rawBody.isBlank()) {
      String text = rawBody.strip();
      m.append(": ").append(text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }
    return m.toString();
  }
}
