package io.github.brazeodp.sync.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Deterministic ids and hashes, so that resending the same fact yields the same id. */
public final class Hashes {
  private Hashes() {}

  /** Returns 32 hex digits of SHA-256 over the parts, each length-prefixed. */
  public static String of(String... parts) {
    MessageDigest sha = Sha256.newDigest();
    for (String p : parts) {
      byte[] bytes = (p == null ? "\u0000" : p).getBytes(StandardCharsets.UTF_8);
      sha.update(lengthPrefix(bytes.length));
      sha.update(bytes);
    }
    return HexFormat.of().formatHex(sha.digest(), 0, 16);
  }

  /** The ASCII digits of {@code length} and a colon, without going through a String. */
  private static byte[] lengthPrefix(int length) {
    int digits = 1;
    for (int rest = length; rest >= 10; rest /= 10) {
      digits++;
    }
    byte[] out = new byte[digits + 1];
    out[digits] = ':';
    for (int i = digits - 1; i >= 0; i--) {
      out[i] = (byte) ('0' + length % 10);
      length /= 10;
    }
    return out;
  }
}
