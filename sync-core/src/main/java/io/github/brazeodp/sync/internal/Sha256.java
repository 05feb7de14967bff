package io.github.brazeodp.sync.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Hands out SHA-256 digests; cloning a prototype skips the provider lookup on each hash. */
public final class Sha256 {
  private static final MessageDigest PROTOTYPE = create();
  private static final boolean CLONEABLE = cloneable();

  // One digest per thread for digest(): cloning the prototype for every stored hash allocated its
  // state arrays each time. A digest holds no data between calls, only scratch space.
  private static final ThreadLocal<MessageDigest> PER_THREAD =
      ThreadLocal.withInitial(Sha256::newDigest);

  private Sha256() {}

  /** Returns the SHA-256 of {@code bytes[from, from + length)}. */
  public static byte[] digest(byte[] bytes, int from, int length) {
    MessageDigest sha = PER_THREAD.get();
    // A digest left half-fed by an error in an earlier call must not leak into this one.
    sha.reset();
    sha.update(bytes, from, length);
    return sha.digest();
  }

  /** Returns a fresh SHA-256 digest. */
  public static MessageDigest newDigest() {
    if (CLONEABLE) {
      try {
        return (MessageDigest) PROTOTYPE.clone();
      } catch (CloneNotSupportedException e) {
        // cannot happen: checked once below
      }
    }
    return create();
  }

  private static MessageDigest create() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }

  private static boolean cloneable() {
    try {
      return PROTOTYPE.clone() != null;
    } catch (CloneNotSupportedException e) {
      return false;
    }
  }
}
