package io.github.brazeodp.sync.internal;

/** Deterministic ids and hashes, so that resending the same fact yields the same id. */
public final class Hashes {
  private Hashes() {}

  /** Returns 32 hex digits of SHA-256 over the parts, each length-prefixed. */
  public static String of(String... parts) {
    int bytes = 0;
    for (String p : parts) {
      bytes += p == null ? 3 : p.length() + 8;
    }
    DigestInput in = new DigestInput(bytes);
    for (String p : parts) {
      in.decimalLengthPrefixed(p == null ? "\u0000" : p);
    }
    return in.sha256Hex128();
  }
}
