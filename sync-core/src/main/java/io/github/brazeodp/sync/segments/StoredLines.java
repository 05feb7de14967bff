package io.github.brazeodp.sync.segments;

/**
 * A segment's members as the store held them when its run started, each with the digest of the
 * export line its stored hash was made from, in one open-addressing table of 16 bytes a slot. Read
 * once per run with a scan, it answers what every batch of an unchanged rerun used to ask the store
 * (is this user a member, is its line the accepted one) without a look-up: on SQLite those look-ups
 * were two B-tree searches per user and most of the rerun.
 *
 * <p>Ids are kept as 61-bit fingerprints ({@link SeenUsers#fingerprint}). A fingerprint shared by
 * two ids can only make {@link #sameLineSlots} wrong if the other's stored line digest also equals
 * this line's 64-bit digest, and a line names its own user; absence is always certain. Not
 * thread-safe: filled by the store's scan (whose calls never overlap) before the segment thread
 * uses it.
 */
final class StoredLines {
  private static final long FINGERPRINT = ~7L;
  private static final long USED = 1;
  private static final long HAS_LINE = 2;
  // Read by this run: the segment thread marks the members it reads here, not in SeenUsers.
  private static final long SEEN = 4;
  private static final int PENDING = 256;

  // Key and line side by side (slot i at 2i and 2i + 1): a probe touches one cache line, where two
  // arrays cost two misses per user in a table of several megabytes.
  private final long[] slots;
  private final int mask;
  private long size;
  private long withHash;
  // Members added but not yet placed. The table is megabytes, so placing a member is a cache miss;
  // placed a page at a time, in a loop that does nothing else, the misses of many members overlap
  // (one at a time, each waited for the one before: a fifth of reading the stored members).
  private final long[] pendingKeys = new long[PENDING];
  private final long[] pendingLines = new long[PENDING];
  private int pending;

  private StoredLines(int capacity) {
    slots = new long[2 * capacity];
    mask = capacity - 1;
  }

  /** The bytes a table for {@code members} takes; callers check it against the heap first. */
  static long bytesFor(long members) {
    return 16L * capacityFor(members);
  }

  /** An empty table that holds {@code members} without growing. */
  static StoredLines forMembers(long members) {
    return new StoredLines(capacityFor(members));
  }

  private static int capacityFor(long members) {
    long capacity = 1 << 10;
    while (capacity < members * 2) {
      capacity <<= 1;
    }
    if (capacity > 1 << 29) {
      throw new IllegalArgumentException("too many members for one table: " + members);
    }
    return (int) capacity;
  }

  /**
   * Adds a stored member and its stored hash (null when it has none). The table does not grow: a
   * member beyond the expected count (one added between the count and the scan) is refused, and the
   * caller then does without the table.
   */
  boolean add(String id, String storedHash) {
    if ((size + pending + 1) * 2 > mask + 1) {
      return false;
    }
    long key = key(id);
    long line = 0;
    if (storedHash != null) {
      withHash++;
      // The digest in the form SegmentSync.sameLine compares: ':' and 16 lower-case hex digits
      // after the profile hash, read in the same pass that checks them.
      int from = storedHash.length() - 16;
      if (from == SegmentSync.PROFILE_HASH_LENGTH + 1
          && storedHash.charAt(from - 1) == SegmentSync.LINE_SEPARATOR) {
        long digest = 0;
        int i = from;
        for (; i < storedHash.length(); i++) {
          char c = storedHash.charAt(i);
          int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
          if (d < 0) {
            break;
          }
          digest = digest << 4 | d;
        }
        if (i == storedHash.length()) {
          key |= HAS_LINE;
          line = digest;
        }
      }
    }
    pendingKeys[pending] = key;
    pendingLines[pending] = line;
    if (++pending == PENDING) {
      place();
    }
    return true;
  }

  /** Places the members added since the last call; every read does this first. */
  StoredLines filled() {
    if (pending > 0) {
      place();
    }
    return this;
  }

  private void place() {
    for (int p = 0; p < pending; p++) {
      long key = pendingKeys[p];
      int i = slot(key);
      if (slots[i] == 0) {
        size++;
      } else {
        // Two members share a fingerprint: neither line can be vouched for.
        key &= ~HAS_LINE;
      }
      slots[i] = key;
      slots[i + 1] = pendingLines[p];
    }
    pending = 0;
  }

  /** Whether the id (or one sharing its fingerprint) was a member. */
  boolean member(String id) {
    filled();
    return slots[slot(key(id))] != 0;
  }

  /**
   * For each id, the slot (for {@link #markSeen}) of its member when the member's stored hash was
   * made from a line with the id's digest, or -1 when the id was no member, its line was another,
   * or the id is null. The keys first, then the probes, so that the probes' cache misses overlap
   * instead of each waiting behind a key's computation.
   */
  int[] sameLineSlots(String[] ids, long[] lineDigests) {
    filled();
    long[] keys = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      keys[i] = ids[i] == null ? 0 : key(ids[i]);
    }
    int[] found = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (keys[i] == 0) {
        found[i] = -1;
        continue;
      }
      found[i] = lineSlot(slot(keys[i]), lineDigests[i]);
    }
    return found;
  }

  /** The member's slot, or -1 when the id was not a member. */
  int slotOf(String id) {
    filled();
    int i = slot(key(id));
    return slots[i] != 0 ? i : -1;
  }

  /** Marks the member in {@code slot} as read by this run; true the first time. */
  boolean markSeen(int slot) {
    boolean first = (slots[slot] & SEEN) == 0;
    slots[slot] |= SEEN;
    return first;
  }

  /** Whether the id is a member this run marked as read. */
  boolean seen(String id) {
    int i = slotOf(id);
    return i >= 0 && (slots[i] & SEEN) != 0;
  }

  /** The members held. */
  long size() {
    filled();
    return size;
  }

  /** The members that had a stored hash. */
  long withHash() {
    return withHash;
  }

  /** The table key of an id: its fingerprint with the flag bits cleared, marked used. */
  private static long key(String id) {
    return (SeenUsers.fingerprint(id) & FINGERPRINT) | USED;
  }

  /** {@code slot} when its member's stored hash was made from a line with this digest, else -1. */
  private int lineSlot(int slot, long lineDigest) {
    return (slots[slot] & HAS_LINE) != 0 && slots[slot + 1] == lineDigest ? slot : -1;
  }

  /** Where the key is, or the free slot where it would go, as an index into {@code slots}. */
  private int slot(long key) {
    long want = key & FINGERPRINT;
    int i = (int) (want ^ (want >>> 32)) & mask;
    while (slots[2 * i] != 0 && (slots[2 * i] & FINGERPRINT) != want) {
      i = (i + 1) & mask;
    }
    return 2 * i;
  }
}
