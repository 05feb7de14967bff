package io.github.brazeodp.braze;

import java.util.Map;

/**
 * The outcome of {@link BrazeClient#verifyKey()}: one verdict per permission the integration needs.
 *
 * @param baseUrl the REST endpoint that was probed
 * @param verdicts permission name (for example {@code users.track}) to verdict
 * @param summary a sentence for people: all granted, which are missing, or a wrong instance
 */
public record KeyVerification(String baseUrl, Map<String, Verdict> verdicts, String summary) {
  /** Copies the verdicts. */
  public KeyVerification {
    verdicts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(verdicts));
  }

  /** What a probe showed about one permission. */
  public enum Verdict {
    /** The request passed authentication and authorization (Braze answered 2xx or 400). */
    GRANTED,
    /** Braze answered 403: the key lacks this permission. */
    DENIED,
    /** Braze answered 401: the key is invalid here, or belongs to another instance. */
    KEY_REJECTED,
    /** The probe failed for another reason (network, 5xx); try again. */
    UNKNOWN
  }

  /** Returns whether every needed permission is granted. */
  public boolean allGranted() {
    return verdicts.values().stream().allMatch(v -> v == Verdict.GRANTED);
  }

  /**
   * Returns whether every probe answered 401, which usually means the key belongs to another
   * instance (or was pasted with quotes).
   */
  public boolean wrongInstanceOrInvalidKey() {
    return !verdicts.isEmpty()
        && verdicts.values().stream().allMatch(v -> v == Verdict.KEY_REJECTED);
  }
}
