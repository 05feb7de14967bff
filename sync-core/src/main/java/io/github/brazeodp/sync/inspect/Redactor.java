package io.github.brazeodp.sync.inspect;

import java.lang.ref.WeakReference;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from an exchange: header values, JSON fields, query parameters, presigned URL
 * signatures, bearer tokens and userinfo in text, and configured secret strings anywhere.
 *
 * <p>Redaction is idempotent ({@code [REDACTED]} is never redacted into something else), so
 * layering inspectors that each redact is safe. It does not trust the clients' own redaction.
 */
final class Redactor {
  static final String REDACTED = "[REDACTED]";

  /** Shorter secrets would blank out ordinary words in every body. */
  static final int MIN_SECRET_LENGTH = 6;

  static final Redactor DEFAULT = new Redactor(List.of());

  private static final ThreadLocal<WeakReference<InspectedExchange>> LAST = new ThreadLocal<>();

  private static final List<String> HEADER_WORDS =
      List.of("token", "secret", "key", "authorization", "cookie", "password", "credential");
  private static final List<String> FIELD_WORDS =
      List.of(
          "apikey",
          "accesskey",
          "privatekey",
          "secretkey",
          "token",
          "password",
          "passwd",
          "secret",
          "authorization",
          "credential",
          "signature");
  private static final Set<String> EXACT_PARAMS = Set.of("sig", "key", "auth");

  // Patterns are written to stay linear on 64 KiB bodies: no unbounded run before a literal that
  // would be retried from every word boundary (a base64url blob is full of them).
  private static final Pattern AUTH_SCHEME =
      Pattern.compile("(?i)^\\s*(Bearer|Basic|Token|Digest|ApiKey|Key)\\s+\\S.*$", Pattern.DOTALL);
  private static final Pattern BEARER =
      Pattern.compile("(?i)\\b(Bearer)\\s+[A-Za-z0-9\\-._~+/]+=*");
  private static final Pattern USERINFO =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]{0,30}://)[^/\\s:@\"'<>]+:[^/\\s@\"'<>]+@");
  private static final Pattern QUERY_PARAM =
      Pattern.compile("(^|[?&]|\\\\u0026)([^=&?\\s\"'<>\\\\#]+)=([^&\\s\"'<>\\\\#]*)");
  private static final Pattern KEY_VALUE_TEXT =
      Pattern.compile(
          "(?i)(api[-_ ]?key|token|passw(?:or)?d|secret)(\\s*[:=]\\s*)([^\\s,;&\"'\\[\\]{}<>]+)");

  /** Secrets and their URL-encoded forms, longest first so a longer one is never half-replaced. */
  private final List<String> secrets;

  private Redactor(List<String> secrets) {
    this.secrets = secrets;
  }

  /**
   * Returns a redactor that also replaces each of {@code secrets} wherever it appears.
   *
   * @throws IllegalArgumentException if a secret is shorter than {@value #MIN_SECRET_LENGTH}
   *     characters (it would blank ordinary text) or blank
   */
  static Redactor withSecrets(Collection<String> secrets) {
    Set<String> forms = new LinkedHashSet<>();
    int index = 0;
    for (String secret : secrets) {
      Objects.requireNonNull(secret, "secrets[" + index + "]");
      if (secret.isBlank() || secret.length() < MIN_SECRET_LENGTH) {
        throw new IllegalArgumentException(
            "secrets["
                + index
                + "] is shorter than "
                + MIN_SECRET_LENGTH
                + " characters; redacting it would blank ordinary text");
      }
      forms.add(secret);
      forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
      index++;
    }
    List<String> sorted = new ArrayList<>(forms);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new Redactor(List.copyOf(sorted));
  }

  /** Returns a redactor with this one's secrets and {@code other}'s. */
  Redactor plus(Redactor other) {
    Set<String> all = new LinkedHashSet<>(secrets);
    all.addAll(other.secrets);
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new Redactor(List.copyOf(sorted));
  }

  /**
   * Returns {@code e} itself when it is the exchange this thread's last redaction produced, else a
   * redacted copy. Inspectors are layered (listener, secrets, filter, sink) and each redacts
   * defensively; since records are immutable and calls are synchronous, remembering the last output
   * per thread lets the layers after the first skip the work. The reference is weak so an idle pool
   * thread does not pin a large body.
   */
  @SuppressWarnings("ReferenceEquality") // identity is cheap and enough; equals() compares bodies
  InspectedExchange redactOnce(InspectedExchange e) {
    WeakReference<InspectedExchange> last = LAST.get();
    if (last != null && last.get() == e) {
      return e;
    }
    return redact(e);
  }

  InspectedExchange redact(InspectedExchange e) {
    InspectedExchange out = redactFields(e);
    LAST.set(new WeakReference<>(out));
    return out;
  }

  private InspectedExchange redactFields(InspectedExchange e) {
    return new InspectedExchange(
        e.time(),
        e.source(),
        e.method(),
        text(e.url()),
        text(e.endpoint()),
        e.attempt(),
        e.status(),
        e.duration(),
        headers(e.requestHeaders()),
        body(e.requestBody()),
        headers(e.responseHeaders()),
        body(e.responseBody()),
        e.error() == null ? null : text(e.error()));
  }

  Map<String, List<String>> headers(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          boolean sensitive = sensitiveHeader(name);
          List<String> redacted = new ArrayList<>(values.size());
          for (String value : values) {
            redacted.add(sensitive ? sensitiveHeaderValue(value) : text(value));
          }
          out.put(name, redacted);
        });
    return out;
  }

  /**
   * Redacts a body: JSON fields with credential names first, then everything {@link #text} does.
   */
  String body(String body) {
    if (body.isEmpty()) {
      return body;
    }
    return text(JsonScan.replaceValues(body, Redactor::sensitiveField, REDACTED));
  }

  /** Redacts free text: secrets, bearer tokens, URL userinfo, credential parameters. */
  String text(String text) {
    String out = text;
    for (String secret : secrets) {
      if (out.contains(secret)) {
        out = out.replace(secret, REDACTED);
      }
    }
    if (containsIgnoreCase(out, "bearer")) {
      out = BEARER.matcher(out).replaceAll("$1 " + Matcher.quoteReplacement(REDACTED));
    }
    if (out.contains("://")) {
      out = USERINFO.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(REDACTED) + "@");
    }
    if (out.indexOf('=') >= 0) {
      out = queryParams(out);
    }
    if (out.indexOf(':') >= 0 || out.indexOf('=') >= 0) {
      out = KEY_VALUE_TEXT.matcher(out).replaceAll("$1$2" + Matcher.quoteReplacement(REDACTED));
    }
    return out;
  }

  private static String queryParams(String text) {
    Matcher m = QUERY_PARAM.matcher(text);
    StringBuilder sb = null;
    while (m.find()) {
      if (m.group(3).isEmpty() || !sensitiveParam(m.group(2))) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(text.length());
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2) + "=" + REDACTED));
    }
    if (sb == null) {
      return text;
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String sensitiveHeaderValue(String value) {
    Matcher scheme = AUTH_SCHEME.matcher(value);
    return scheme.matches() ? scheme.group(1) + " " + REDACTED : REDACTED;
  }

  /** A header is sensitive when its name contains token, secret, key, authorization or cookie. */
  static boolean sensitiveHeader(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String word : HEADER_WORDS) {
      if (lower.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** A JSON field is sensitive when its name, ignoring case, _ and -, names a credential. */
  static boolean sensitiveField(String name) {
    String normalized = normalize(name);
    for (String word : FIELD_WORDS) {
      if (normalized.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A query parameter is sensitive when it is a credential field or a presigned URL's signature
   * ({@code X-Amz-Signature}, {@code X-Amz-Credential}, {@code X-Amz-Security-Token}, {@code
   * Signature}, {@code sig}).
   */
  static boolean sensitiveParam(String rawName) {
    String name;
    try {
      name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      name = rawName;
    }
    return sensitiveField(name) || EXACT_PARAMS.contains(normalize(name));
  }

  private static String normalize(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        sb.append(Character.toLowerCase(c));
      }
    }
    return sb.toString();
  }

  private static boolean containsIgnoreCase(String text, String word) {
    int n = word.length();
    for (int i = 0; i + n <= text.length(); i++) {
      if (text.regionMatches(true, i, word, 0, n)) {
        return true;
      }
    }
    return false;
  }
}
