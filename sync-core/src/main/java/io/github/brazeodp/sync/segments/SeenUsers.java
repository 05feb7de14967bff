package io.github.brazeodp.sync.segments;

/**
 * The Braze ids a run has seen, as 64-bit fingerprints in one open-addressing table: about 16 bytes
 * per user instead of about 100 for a set of strings, so that a run over several million-user
 * segments stays within a small heap. Two ids share a fingerprint with a chance of about n²/2⁶⁵
 * (3·10⁻⁸ for a million users); the cost of that is one user counted and given its custom events by
 * the other segment instead. Thread-safe.
 */
final class SeenUsers {
  // Pre-sizing keeps the largest table from being copied: growing copies the whole table each
  // time it doubles, and the old and new tables are both on the heap meanwhile.
  private static final int MAX_PRESIZE = 1 << 22;

  private long[] table;
  private int size;
  private boolean hasZero;

  SeenUsers() {
    this(0);
  }

  /** A table that holds {@code expected} ids without growing (up to two million). */
  SeenUsers(long expected) {
    int capacity = 1 << 10;
    while (capacity < MAX_PRESIZE && expected >= capacity / 2) {
      capacity <<= 1;
    }
    table = new long[capacity];
  }

  /** Adds the id; returns whether it was not seen before. */
  synchronized boolean add(String brazeId) {
    long key = fingerprint(brazeId);
    if (key == 0) {
      // Zero marks a free slot, so the one id that hashes to it is kept apart.
      boolean first = !hasZero;
      hasZero = true;
      return first;
    }
    if ((size + 1) * 2 > table.length) {
      grow();
    }
    if (!insert(table, key)) {
      return false;
    }
    size++;
    return true;
  }

  /** Tells whether the id (or one sharing its fingerprint) was added. */
  synchronized boolean contains(String brazeId) {
    long key = fingerprint(brazeId);
    if (key == 0) {
      return hasZero;
    }
    int mask = table.length - 1;
    int i = (int) (key ^ (key >>> 32)) & mask;
    while (table[i] != 0) {
      if (table[i] == key) {
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  private static boolean insert(long[] into, long key) {
    int mask = into.length - 1;
    int i = (int) (key ^ (key >>> 32)) & mask;
    while (into[i] != 0) {
      if (into[i] == key) {
        return false;
      }
      i = (i + 1) & mask;
    }
    into[i] = key;
    return true;
  }

  private void grow() {
    long[] bigger = new long[table.length * 2];
    for (long key : table) {
      if (key != 0) {
        insert(bigger, key);
      }
    }
    table = bigger;
  }

  /** FNV-1a over the UTF-16 units, then a final mix so that the low bits spread well. */
  static long fingerprint(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
