package io.github.brazeodp.sync.segments;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StoredLinesTest {
  private static final String PROFILE = "0123456789abcdef0123456789abcdef";

  private static int sameLineSlot(StoredLines lines, String id, long lineDigest) {
    return lines.sameLineSlots(new String[] {id}, new long[] {lineDigest})[0];
  }

  private static boolean same(StoredLines lines, String id, long lineDigest) {
    return sameLineSlot(lines, id, lineDigest) >= 0;
  }

  @Test
  void answersMembershipAndTheLineEachHashWasMadeFrom() {
    StoredLines lines = StoredLines.forMembers(50_000);
    for (int i = 0; i < 50_000; i++) {
      String hash =
          i % 5 == 0 ? null : i % 5 == 1 ? PROFILE : PROFILE + ":" + String.format("%016x", i);
      assertThat(lines.add("b" + i, hash)).isTrue();
    }
    assertThat(lines.size()).isEqualTo(50_000);
    assertThat(lines.withHash()).isEqualTo(40_000);
    assertThat(lines.member("b49999")).isTrue();
    assertThat(lines.member("b50000")).isFalse();
    assertThat(lines.member("")).isFalse();
    // Only a hash that carries a line digest vouches for a line, and only for that one.
    assertThat(same(lines, "b2", 2)).isTrue();
    assertThat(same(lines, "b2", 3)).isFalse();
    assertThat(same(lines, "b1", 0)).isFalse();
    assertThat(same(lines, "b0", 0)).isFalse();
    assertThat(same(lines, "b50002", 50_002)).isFalse();
  }

  @Test
  void probesABatchAsEachIdAlone() {
    StoredLines lines = StoredLines.forMembers(2_000);
    for (int i = 0; i < 2_000; i++) {
      lines.add("b" + i, i % 4 == 0 ? null : PROFILE + ":" + String.format("%016x", i));
    }
    String[] ids = new String[3_000];
    long[] digests = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i % 7 == 0 ? null : "b" + i;
      digests[i] = i % 5 == 0 ? i + 1 : i;
    }
    int[] slots = lines.sameLineSlots(ids, digests);
    int vouched = 0;
    for (int i = 0; i < ids.length; i++) {
      int alone = ids[i] == null ? -1 : sameLineSlot(lines, ids[i], digests[i]);
      assertThat(slots[i]).as("id %s", ids[i]).isEqualTo(alone);
      vouched += alone >= 0 ? 1 : 0;
    }
    // Members with a digest (3 in 4 of the first 2,000), present, with the right digest.
    assertThat(vouched).isBetween(1_000, 1_300);
  }

  @Test
  void aDigestInAnotherFormVouchesForNothing() {
    StoredLines lines = StoredLines.forMembers(3);
    lines.add("upper", PROFILE + ":00000000000000FF");
    lines.add("short", PROFILE + ":ff");
    lines.add("ok", PROFILE + ":00000000000000ff");
    assertThat(same(lines, "upper", 0xff)).isFalse();
    assertThat(same(lines, "short", 0xff)).isFalse();
    assertThat(same(lines, "ok", 0xff)).isTrue();
  }

  @Test
  void refusesMoreMembersThanItWasSizedFor() {
    StoredLines lines = StoredLines.forMembers(0);
    int added = 0;
    while (lines.add("m" + added, null)) {
      added++;
    }
    // Half of the smallest table: a member added after the count is refused, never squeezed in.
    assertThat(added).isEqualTo(512);
    assertThat(StoredLines.bytesFor(1_000_000)).isEqualTo(32L << 20);
  }
}
