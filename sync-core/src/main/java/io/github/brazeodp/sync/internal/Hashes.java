package io.github.brazeodp.sync.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic ids and hashes, so that resending the same fact yields the same id. */
public final class Hashes {
  private Hashes() {}

  /** Returns 32 hex digits of SHA-256 over the parts, each length-prefixed. */
  public static String of(String... parts) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
    for (String p : parts) {
      byte[] bytes = (p == null ? "\u0000" : p).getBytes(StandardCharsets.UTF_8);
      sha.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
      sha.update(bytes);
    }
    return HexFormat.of().formatHex(sha.digest(), 0, 16);
  }
}
