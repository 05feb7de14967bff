package io.github.brazeodp.braze.internal;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonReader;
import io.github.brazeodp.braze.BrazeApiException;
import io.github.brazeodp.braze.BrazeAuthException;
import io.github.brazeodp.braze.BrazeBadRequestException;
import io.github.brazeodp.braze.BrazeError;
import io.github.brazeodp.braze.BrazeNotFoundException;
import io.github.brazeodp.braze.BrazePayloadTooLargeException;
import io.github.brazeodp.braze.BrazeRateLimitException;
import io.github.brazeodp.braze.BrazeServerException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Headers;
import okio.Buffer;

/** Turns an HTTP error response into the matching exception of the public tree. */
public final class ErrorMapper {
  private static final JsonAdapter<BrazeError> ERROR = Json.moshi().adapter(BrazeError.class);

  private ErrorMapper() {}

  /** Maps a non-2xx response; {@code body} may be empty. */
  public static BrazeApiException map(
      String endpoint, int status, Headers headers, String body, Clock clock) {
    Map<String, List<String>> headerMap = new LinkedHashMap<>();
    for (String name : headers.names()) {
      headerMap.put(name.toLowerCase(Locale.ROOT), headers.values(name));
    }
    Parsed parsed = parse(body);
    if (status == 429) {
      return new BrazeRateLimitException(
          endpoint, headerMap, parsed.message, parsed.errors, body, retryAfter(headers, clock));
    }
    if (status == 400) {
      return new BrazeBadRequestException(
          endpoint, status, headerMap, parsed.message, parsed.errors, body);
    }
    if (status == 401 || status == 403) {
      return new BrazeAuthException(
          endpoint, status, headerMap, parsed.message, parsed.errors, body);
    }
    if (status == 404) {
      return new BrazeNotFoundException(
          endpoint, status, headerMap, parsed.message, parsed.errors, body);
    }
    if (status == 413) {
      return new BrazePayloadTooLargeException(
          endpoint, status, headerMap, parsed.message, parsed.errors, body);
    }
    if (status >= 500) {
      return new BrazeServerException(
          endpoint, status, headerMap, parsed.message, parsed.errors, body);
    }
    return new BrazeApiException(endpoint, status, headerMap, parsed.message, parsed.errors, body);
  }

  /**
   * Reads the wait a 429 asks for: {@code Retry-After} (seconds or HTTP date) first, then Braze's
   * {@code X-RateLimit-Reset} (UTC epoch seconds).
   */
  static Duration retryAfter(Headers headers, Clock clock) {
    String retryAfter = headers.get("Retry-After");
    if (retryAfter != null) {
      String v = retryAfter.trim();
      try {
        return nonNegative(Duration.ofSeconds(Long.parseLong(v)));
      } catch (NumberFormatException e) {
        try {
          ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
          return nonNegative(Duration.between(clock.instant(), at.toInstant()));
        } catch (DateTimeParseException ignored) {
          // fall through to the Braze header
        }
      }
    }
    String reset = headers.get("X-RateLimit-Reset");
    if (reset != null) {
      try {
        long epochSeconds = Long.parseLong(reset.trim());
        return nonNegative(Duration.ofMillis(epochSeconds * 1000L - clock.millis()));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private record Parsed(String message, List<BrazeError> errors) {}

  private static Parsed parse(String body) {
    if (body == null || body.isBlank()) {
      return new Parsed(null, List.of());
    }
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(body))) {
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        return new Parsed(null, List.of());
      }
      String message = null;
      List<BrazeError> errors = List.of();
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (name.equals("message") && reader.peek() == JsonReader.Token.STRING) {
          message = reader.nextString();
        } else if (name.equals("errors") && reader.peek() == JsonReader.Token.BEGIN_ARRAY) {
          errors = readErrors(reader);
        } else {
          reader.skipValue();
        }
      }
      return new Parsed(message, errors);
    } catch (IOException | RuntimeException e) {
      // Error bodies from proxies are often HTML; the raw body stays on the exception.
      return new Parsed(null, List.of());
    }
  }

  /** Reads an {@code errors} array whose items are strings or objects. */
  private static List<BrazeError> readErrors(JsonReader reader) throws IOException {
    List<BrazeError> errors = new ArrayList<>();
    reader.beginArray();
    while (reader.hasNext()) {
      errors.add(ERROR.fromJson(reader));
    }
    reader.endArray();
    return errors;
  }
}
