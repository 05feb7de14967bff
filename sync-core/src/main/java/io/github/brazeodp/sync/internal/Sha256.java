package io.github.brazeodp.sync.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Hands out SHA-256 digests; cloning a prototype skips the provider lookup on each hash. */
public final class Sha256 {
  private static final MessageDigest PROTOTYPE = create();
  private static final boolean CLONEABLE = cloneable();

  private Sha256() {}

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
