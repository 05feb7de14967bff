package io.github.brazeodp.sync.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.github.brazeodp.sync.state.ActivityRecord.Flow;
import io.github.brazeodp.sync.state.ActivityRecord.Rejection;
import io.github.brazeodp.sync.state.ActivityRecord.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SyncStateStore} must have; one subclass per implementation runs it, so
 * the in-memory store cannot drift from the SQLite one.
 */
abstract class SyncStateStoreContractTest {
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00.123456789Z");

  SyncStateStore store;

  /** Creates a new, empty store. */
  abstract SyncStateStore newStore();

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static List<String> keys(String prefix, int from, int to) {
    // Zero-padded to seven digits without String.format, which is slow for 200,000 keys.
    return IntStream.range(from, to)
        .mapToObj(i -> prefix + Integer.toString(10_000_000 + i).substring(1))
        .toList();
  }

  static List<String> all(Iterable<String> iterable) {
    List<String> list = new ArrayList<>();
    iterable.forEach(list::add);
    return list;
  }

  static ActivityRecord activity(String id, Flow flow, Instant end) {
    return new ActivityRecord(
        id,
        ActivityRecord.CATEGORY_BRAZE,
        flow,
        "subject-" + id,
        end.minusSeconds(60),
        end,
        Status.SUCCEEDED,
        ActivityCounts.empty(),
        List.of());
  }

  @Nested
  class Checkpoints {
    @Test
    void storesReplacesAndClearsACheckpoint() {
      Checkpoint checkpoint =
          Checkpoint.builder("run-1")
              .export("prefix/a:b~", "https://example.test/export?x=1", T0)
              .completedFiles(List.of("part-0.txt", "dé:jà~1.txt", "emoji-😀.txt"))
              .position("part-2.txt", 4_812)
              .attribute("note", "")
              .attribute("k~:", "v:~7")
              .build();
      assertThat(store.checkpoint("segment-sync/s1")).isEmpty();

      store.putCheckpoint("segment-sync/s1", checkpoint);

      assertThat(store.checkpoint("segment-sync/s1")).contains(checkpoint);
      assertThat(store.checkpoint("segment-sync/s2")).isEmpty();

      Checkpoint next = checkpoint.withCompletedFile("part-2.txt").atLine("part-3.txt", 7);
      store.putCheckpoint("segment-sync/s1", next);
      assertThat(store.checkpoint("segment-sync/s1")).contains(next);

      assertThat(store.clearCheckpoint("segment-sync/s1")).isTrue();
      assertThat(store.clearCheckpoint("segment-sync/s1")).isFalse();
      assertThat(store.checkpoint("segment-sync/s1")).isEmpty();
    }

    @Test
    void storesACheckpointWithoutExport() {
      Checkpoint bare = Checkpoint.builder("run-2").build();
      store.putCheckpoint("scope", bare);
      assertThat(store.checkpoint("scope")).contains(bare);
    }

    @Test
    void keepsTheLastSuccessPerScope() {
      assertThat(store.lastSuccess("segment-sync/s1")).isEmpty();
      store.putLastSuccess("segment-sync/s1", T0);
      store.putLastSuccess("segment-sync/s2", T0.plusSeconds(5));
      store.putLastSuccess("segment-sync/s1", T0.plusSeconds(60));
      assertThat(store.lastSuccess("segment-sync/s1")).contains(T0.plusSeconds(60));
      assertThat(store.lastSuccess("segment-sync/s2")).contains(T0.plusSeconds(5));
    }

    @Test
    void rejectsInstantsOutsideTheStorableRange() {
      assertThatThrownBy(() -> store.putLastSuccess("s", Instant.MAX))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("range");
      assertThat(store.lastSuccess("s")).isEmpty();
    }
  }

  @Nested
  class Hashes {
    @Test
    void readsABatchOfHashes() {
      store.putHashes("profile", Map.of("a", "h1", "b", "h2", "c", "h3"));
      store.putHashes("segment/1", Map.of("a", "other"));

      assertThat(store.hashes("profile", List.of("a", "c", "missing", "a")))
          .isEqualTo(Map.of("a", "h1", "c", "h3"));
      assertThat(store.hashes("segment/1", List.of("a", "b"))).isEqualTo(Map.of("a", "other"));
      assertThat(store.hashes("profile", List.of())).isEmpty();
      assertThat(store.hashCount("profile")).isEqualTo(3);
    }

    @Test
    void replacesRemovesAndClearsHashes() {
      store.putHashes("profile", Map.of("a", "h1", "b", "h2", "c", "h3"));
      store.putHashes("profile", Map.of("a", "h9"));
      assertThat(store.hashes("profile", List.of("a"))).isEqualTo(Map.of("a", "h9"));

      assertThat(store.removeHashes("profile", List.of("b", "zz"))).isEqualTo(1);
      assertThat(store.hashes("profile", List.of("a", "b", "c")))
          .isEqualTo(Map.of("a", "h9", "c", "h3"));

      store.putHashes("other", Map.of("a", "x"));
      assertThat(store.clearHashes("profile")).isEqualTo(2);
      assertThat(store.hashCount("profile")).isZero();
      assertThat(store.hashCount("other")).isEqualTo(1);
    }

    @Test
    void readsBatchesOfEverySize() {
      Map<String, String> hashes = new LinkedHashMap<>();
      for (String key : keys("c", 0, 2_500)) {
        hashes.put(key, "h-" + key);
      }
      store.putHashes("profile", hashes);
      List<String> wanted = new ArrayList<>(keys("c", 0, 2_500));
      Collections.shuffle(wanted, new java.util.Random(7));
      for (int size : new int[] {1, 15, 16, 17, 499, 500, 501, 1_000, 2_500}) {
        List<String> batch = new ArrayList<>(wanted.subList(0, size));
        batch.add("absent");
        Map<String, String> expected = new HashMap<>();
        batch.stream().filter(hashes::containsKey).forEach(k -> expected.put(k, hashes.get(k)));
        assertThat(store.hashes("profile", batch)).as("batch of %d", size).isEqualTo(expected);
      }
    }

    @Test
    void comparesHashEndsInTheStore() {
      store.putHashes("profile", Map.of("a", "p1:d1", "b", "p2:d2", "c", "p3", "d", "p4:d4"));
      store.putHashes("other", Map.of("e", "p5:d5"));

      Map<String, String> suffixes = new LinkedHashMap<>();
      suffixes.put("a", ":d1"); // matches: absent from the answer
      suffixes.put("b", ":dX"); // differs: its stored hash comes back
      suffixes.put("c", ":d3"); // stored without a line digest
      suffixes.put("d", "a longer suffix than the hash:d4");
      suffixes.put("e", ":d5"); // stored, but in another namespace
      suffixes.put("new", ":d6");
      assertThat(store.hashesUnlessEndingWith("profile", suffixes))
          .isEqualTo(
              Map.of(
                  "b", Optional.of("p2:d2"),
                  "c", Optional.of("p3"),
                  "d", Optional.of("p4:d4"),
                  "e", Optional.empty(),
                  "new", Optional.empty()));
      assertThat(store.hashesUnlessEndingWith("profile", Map.of("a", ":d1", "d", ":d4"))).isEmpty();
      assertThat(store.hashesUnlessEndingWith("profile", Map.of())).isEmpty();
    }

    @Test
    void comparesBatchesOfEverySize() {
      Map<String, String> hashes = new LinkedHashMap<>();
      for (String key : keys("c", 0, 1_200)) {
        hashes.put(key, "p-" + key + ":" + key.hashCode() % 7);
      }
      store.putHashes("profile", hashes);
      for (int size : new int[] {1, 16, 17, 500, 501, 1_200}) {
        Map<String, String> suffixes = new LinkedHashMap<>();
        Map<String, Optional<String>> expected = new HashMap<>();
        for (String key : keys("c", 0, size)) {
          boolean same = key.hashCode() % 3 != 0;
          suffixes.put(key, same ? ":" + key.hashCode() % 7 : ":x");
          if (!same) {
            expected.put(key, Optional.of(hashes.get(key)));
          }
        }
        suffixes.put("absent-" + size, ":1");
        expected.put("absent-" + size, Optional.empty());
        assertThat(store.hashesUnlessEndingWith("profile", suffixes))
            .as("batch of %d", size)
            .isEqualTo(expected);
      }
    }

    @Test
    void rejectsNullKeys() {
      List<String> withNull = new ArrayList<>();
      withNull.add(null);
      assertThatThrownBy(() -> store.hashes("profile", withNull))
          .isInstanceOf(NullPointerException.class);
      Map<String, String> nullValue = new HashMap<>();
      nullValue.put("a", null);
      assertThatThrownBy(() -> store.putHashes("profile", nullValue))
          .isInstanceOf(NullPointerException.class);
    }
  }

  @Nested
  class Membership {
    @Test
    void computesEntriesAndExitsThenSwaps() {
      store.stageMembers("seg", "run-1", List.of("a", "b", "c"));
      assertThat(all(store.entered("seg", "run-1"))).containsExactly("a", "b", "c");
      assertThat(all(store.exited("seg", "run-1"))).isEmpty();
      assertThat(store.commitMembership("seg", "run-1")).isEqualTo(new MembershipChange(3, 0));
      assertThat(all(store.members("seg"))).containsExactly("a", "b", "c");

      store.stageMembers("seg", "run-2", List.of("b", "d"));
      store.stageMembers("seg", "run-2", List.of("c", "d", "e"));
      assertThat(store.stagedCount("seg", "run-2")).isEqualTo(4);
      assertThat(all(store.entered("seg", "run-2"))).containsExactly("d", "e");
      assertThat(all(store.exited("seg", "run-2"))).containsExactly("a");
      // Reading the diff changes nothing until the commit.
      assertThat(store.memberCount("seg")).isEqualTo(3);

      assertThat(store.commitMembership("seg", "run-2")).isEqualTo(new MembershipChange(2, 1));
      assertThat(all(store.members("seg"))).containsExactly("b", "c", "d", "e");
      assertThat(store.stagedCount("seg", "run-2")).isZero();
    }

    @Test
    void addingStagedEntriesAndRemovingExitsChangesOnlyThoseRows() {
      store.stageMembers("seg", "run-1", List.of("a", "b", "c"));
      store.commitMembership("seg", "run-1");
      store.stageMembers("seg-2", "run-2", List.of("x"));

      store.stageMembers("seg", "run-2", List.of("d", "b"));
      store.stageMembers("seg", "crashed-run", List.of("z"));
      assertThat(store.removeMembers("seg", List.of("a", "not-a-member"))).isEqualTo(1);
      assertThat(store.addStagedMembers("seg", "run-2")).isEqualTo(new MembershipChange(1, 0));
      assertThat(all(store.members("seg"))).containsExactly("b", "c", "d");
      // Every staged run of the segment is dropped; other segments keep theirs.
      assertThat(store.stagedCount("seg", "crashed-run")).isZero();
      assertThat(store.stagedCount("seg-2", "run-2")).isEqualTo(1);
      assertThat(store.addStagedMembers("seg", "run-3")).isEqualTo(new MembershipChange(0, 0));
      assertThat(store.removeMembers("other", List.of("b"))).isZero();
      assertThat(all(store.members("seg"))).containsExactly("b", "c", "d");
    }

    @Test
    void aRolledBackMembershipChangeLeavesTheMembersAsTheyWere() {
      store.stageMembers("seg", "run-1", List.of("a", "b"));
      store.commitMembership("seg", "run-1");
      store.stageMembers("seg", "run-2", List.of("c"));
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        tx.removeMembers("seg", List.of("a"));
                        tx.addStagedMembers("seg", "run-2");
                        throw new IllegalStateException("boom");
                      }))
          .hasMessage("boom");
      assertThat(all(store.members("seg"))).containsExactly("a", "b");
      assertThat(store.stagedCount("seg", "run-2")).isEqualTo(1);
    }

    @Test
    void aCompleteEmptyExportExitsEveryone() {
      store.stageMembers("seg", "run-1", List.of("a", "b"));
      store.commitMembership("seg", "run-1");
      assertThat(all(store.exited("seg", "run-2"))).containsExactly("a", "b");
      assertThat(store.commitMembership("seg", "run-2")).isEqualTo(new MembershipChange(0, 2));
      assertThat(store.memberCount("seg")).isZero();
    }

    @Test
    void keepsSegmentsAndRunsApart() {
      store.stageMembers("seg-1", "run-1", List.of("a"));
      store.stageMembers("seg-2", "run-1", List.of("b"));
      store.stageMembers("seg-1", "crashed-run", List.of("z"));
      store.commitMembership("seg-1", "run-1");

      assertThat(all(store.members("seg-1"))).containsExactly("a");
      assertThat(store.memberCount("seg-2")).isZero();
      assertThat(store.stagedCount("seg-2", "run-1")).isEqualTo(1);
      // The commit drops every staged run of its segment, including a crashed one.
      assertThat(store.stagedCount("seg-1", "crashed-run")).isZero();
    }

    @Test
    void discardsStagedMembers() {
      store.stageMembers("seg", "run-1", List.of("a", "b"));
      store.stageMembers("seg", "run-2", List.of("a"));
      assertThat(store.discardStagedMembers("seg")).isEqualTo(3);
      assertThat(store.stagedCount("seg", "run-1")).isZero();
      assertThat(store.discardStagedMembers("seg")).isZero();
    }

    @Test
    void pagesInKeyOrder() {
      store.stageMembers("seg", "r1", keys("m", 0, 10));
      store.commitMembership("seg", "r1");
      store.stageMembers("seg", "r2", keys("m", 5, 15));

      assertThat(store.membersPage("seg", null, 3)).isEqualTo(keys("m", 0, 3));
      assertThat(store.membersPage("seg", "m0000002", 3)).isEqualTo(keys("m", 3, 6));
      assertThat(store.membersPage("seg", "m0000009", 3)).isEmpty();
      assertThat(store.enteredPage("seg", "r2", null, 3)).isEqualTo(keys("m", 10, 13));
      assertThat(store.enteredPage("seg", "r2", "m0000012", 3)).isEqualTo(keys("m", 13, 15));
      assertThat(store.exitedPage("seg", "r2", null, 2)).isEqualTo(keys("m", 0, 2));
      assertThat(store.exitedPage("seg", "r2", "m0000003", 5)).isEqualTo(List.of("m0000004"));
      assertThat(all(store.members("seg"))).isEqualTo(keys("m", 0, 10));
      assertThatThrownBy(() -> store.membersPage("seg", null, 0))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void iteratesAcrossManyPages() {
      List<String> members = keys("m", 0, 2 * SyncStateStore.DEFAULT_PAGE_SIZE + 1);
      store.stageMembers("seg", "r1", members);
      store.commitMembership("seg", "r1");
      assertThat(all(store.members("seg"))).isEqualTo(members);
      store.stageMembers("seg", "r2", List.of());
      assertThat(all(store.exited("seg", "r2"))).isEqualTo(members);
    }

    @Test
    void ordersKeysByCodePointInBothStores() {
      // U+FF5E sorts before U+1F600 by code point (and in UTF-8), but after it in UTF-16.
      List<String> keys = List.of("b", "a", "\uFF5E", "😀", "é", "A");
      store.stageMembers("seg", "r1", keys);
      store.commitMembership("seg", "r1");
      assertThat(all(store.members("seg"))).containsExactly("A", "a", "b", "é", "\uFF5E", "😀");
      assertThat(store.membersPage("seg", "\uFF5E", 5)).containsExactly("😀");
    }

    @Test
    void tellsWhichKeysAreMembers() {
      store.stageMembers("seg", "r1", List.of("a", "b", "c"));
      store.commitMembership("seg", "r1");
      assertThat(store.membersAmong("seg", List.of("a", "c", "x")))
          .containsExactlyInAnyOrder("a", "c");
      assertThat(store.membersAmong("other", List.of("a"))).isEmpty();
    }

    @Test
    void tellsWhichKeysAreNotMembers() {
      store.stageMembers("seg", "r1", List.of("a", "b", "c"));
      store.commitMembership("seg", "r1");
      store.stageMembers("other", "r1", List.of("x"));
      store.commitMembership("other", "r1");
      assertThat(store.nonMembersAmong("seg", List.of("a", "c", "x", "y", "x")))
          .containsExactlyInAnyOrder("x", "y");
      assertThat(store.nonMembersAmong("seg", List.of("a", "b"))).isEmpty();
      List<String> many = keys("m", 0, 1_100);
      store.stageMembers("big", "r1", many.subList(0, 600));
      store.commitMembership("big", "r1");
      assertThat(store.nonMembersAmong("big", many))
          .containsExactlyInAnyOrderElementsOf(many.subList(600, 1_100));
    }

    @Test
    void addsMembersWithoutStaging() {
      store.stageMembers("seg", "r1", List.of("a"));
      store.commitMembership("seg", "r1");
      assertThat(store.addMembers("seg", List.of("a", "b", "c", "b"))).isEqualTo(2);
      assertThat(all(store.members("seg"))).containsExactly("a", "b", "c");
      assertThat(store.memberCount("other")).isZero();
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        tx.addMembers("seg", List.of("d"));
                        throw new IllegalStateException("rolled back");
                      }))
          .hasMessageContaining("rolled back");
      assertThat(store.memberCount("seg")).isEqualTo(3);
    }

    Map<String, String> memberHashes(String segment, String namespace) {
      Map<String, String> seen = new HashMap<>();
      store.forEachMemberHash(
          segment,
          namespace,
          (member, hash) ->
              assertThat(seen.put(member, hash == null ? "<none>" : hash))
                  .as("member %s handed over twice", member)
                  .isNull());
      return seen;
    }

    @Test
    void handsOverEveryMemberWithItsHashAcrossPages() {
      // Three pages of the SQL stores: one with a hash a joined page cannot carry (a space),
      // one read joined, and one with such keys and keys that sort apart in UTF-16 and in code
      // points.
      List<String> members = new ArrayList<>(keys("m", 0, 12_345));
      members.addAll(List.of("a b", "é", "\uFF5E", "😀", " lead", "trail "));
      store.addMembers("seg", members);
      store.addMembers("other", List.of("m0000001", "x"));
      Map<String, String> hashes = new HashMap<>();
      Map<String, String> expected = new HashMap<>();
      for (int i = 0; i < members.size(); i++) {
        String key = members.get(i);
        String hash = i % 3 == 0 ? null : i == 1 ? "with space" : "h" + i + ":x";
        if (hash != null) {
          hashes.put(key, hash);
        }
        expected.put(key, hash == null ? "<none>" : hash);
      }
      // Hashes of non-members between members, and of members in another namespace.
      hashes.put("m0007000a", "not-a-member");
      hashes.put("x", "not a member either");
      store.putHashes("profile", hashes);
      store.putHashes("elsewhere", Map.of("m0000000", "other namespace"));
      assertThat(memberHashes("seg", "profile")).isEqualTo(expected);
      assertThat(memberHashes("other", "profile"))
          .containsOnly(Map.entry("m0000001", "with space"), Map.entry("x", "not a member either"));
      assertThat(memberHashes("none", "profile")).isEmpty();
    }

    @Test
    void pairsEachMemberWithItsOwnHashWhenAPageHasAsManyHashesAsMembers() {
      // Pages where every member has a hash and nothing else lies in range pair up in key order;
      // in the first page one member has none and a non-member's hash sorts right after it, so
      // the counts agree but the keys do not.
      List<String> members = keys("f", 0, 12_000);
      store.addMembers("seg", members);
      Map<String, String> hashes = new HashMap<>();
      Map<String, String> expected = new HashMap<>();
      for (String key : members) {
        String hash = key.equals("f0000500") ? null : "h-" + key;
        if (hash != null) {
          hashes.put(key, hash);
        }
        expected.put(key, hash == null ? "<none>" : hash);
      }
      hashes.put("f0000500a", "not-a-member");
      store.putHashes("profile", hashes);
      assertThat(memberHashes("seg", "profile")).isEqualTo(expected);
    }

    @Test
    void handsOverHashesOfAFewMembersAmongManyOthers() {
      // A namespace far larger than the segment: the pages look their members up instead.
      List<String> all = keys("k", 0, 25_000);
      Map<String, String> hashes = new HashMap<>();
      all.forEach(k -> hashes.put(k, "h-" + k));
      store.putHashes("profile", hashes);
      store.addMembers("seg", List.of(all.get(0), all.get(24_999), "k-no-hash"));
      assertThat(memberHashes("seg", "profile"))
          .containsOnly(
              Map.entry(all.get(0), "h-" + all.get(0)),
              Map.entry(all.get(24_999), "h-" + all.get(24_999)),
              Map.entry("k-no-hash", "<none>"));
    }

    @Test
    void readsNonMembersInsideATransactionWithItsOwnWrites() {
      store.transaction(
          tx -> {
            tx.stageMembers("seg", "r1", List.of("a"));
            tx.commitMembership("seg", "r1");
            assertThat(store.nonMembersAmong("seg", List.of("a", "b"))).containsExactly("b");
          });
    }
  }

  @Nested
  class IdentityMap {
    final Instant at = T0;

    IdentityRecord row(String brazeId, String externalId, String email) {
      return new IdentityRecord(brazeId, externalId, Map.of("email", email), at);
    }

    @Test
    void looksUpByEitherId() {
      IdentityRecord ann =
          new IdentityRecord("b1", "ext-1", Map.of("email", "ann@x.test", "phone", "+33 1"), at);
      IdentityRecord bob = row("b2", null, "bob@x.test");
      store.putIdentities(List.of(ann, bob));

      assertThat(store.identityByBrazeId("b1")).contains(ann);
      assertThat(store.identityByExternalId("ext-1")).contains(ann);
      assertThat(store.identityByBrazeId("b2")).contains(bob);
      assertThat(store.identityByExternalId("nope")).isEmpty();
    }

    @Test
    void looksUpManyByBrazeIdAtOnceBeyondOneQuerysWorth() {
      List<IdentityRecord> rows = new java.util.ArrayList<>();
      List<String> wanted = new java.util.ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        rows.add(row("b" + i, i % 2 == 0 ? "ext-" + i : null, "u" + i + "@x.test"));
        wanted.add("b" + (i * 3));
      }
      store.putIdentities(rows);
      wanted.add("b3");
      Map<String, IdentityRecord> found = store.identitiesByBrazeIds(wanted);
      assertThat(found).hasSize(400).containsEntry("b3", rows.get(3));
      assertThat(found.get("b1197")).isEqualTo(rows.get(1197));
      assertThat(found).doesNotContainKey("b1200");
      assertThat(store.identitiesByBrazeIds(List.of())).isEmpty();
      List<String> external = new java.util.ArrayList<>();
      for (int i = 0; i < 1_200; i += 2) {
        external.add("ext-" + i);
      }
      Map<String, IdentityRecord> byExternal = store.identitiesByExternalIds(external);
      assertThat(byExternal).hasSize(600).containsEntry("ext-1198", rows.get(1198));
    }

    @Test
    void looksUpManyIdsAtOnceAsOneByOne() {
      IdentityRecord ann = row("b1", "ext-1", "ann@x.test");
      IdentityRecord bob = row("b2", null, "bob@x.test");
      store.putIdentities(List.of(ann, bob));

      assertThat(store.identitiesByBrazeIds(List.of("b1", "b2", "b9")))
          .isEqualTo(Map.of("b1", ann, "b2", bob));
      assertThat(store.identitiesByExternalIds(List.of("ext-1", "ext-9")))
          .isEqualTo(Map.of("ext-1", ann));
      assertThat(store.identitiesByBrazeIds(List.of())).isEmpty();
      assertThatThrownBy(() -> store.identitiesByBrazeIds(java.util.Arrays.asList("b1", null)))
          .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aNewRowReplacesTheOldOne() {
      store.putIdentities(List.of(row("b1", "ext-1", "old@x.test")));
      IdentityRecord renamed = row("b1", "ext-9", "new@x.test");
      store.putIdentities(List.of(renamed));
      assertThat(store.identityByBrazeId("b1")).contains(renamed);
      assertThat(store.identityByExternalId("ext-1")).isEmpty();
      assertThat(store.identityByExternalId("ext-9")).contains(renamed);
    }

    @Test
    void anUnchangedRowKeepsTheTimeItWasRecorded() {
      store.putIdentities(List.of(row("b1", "ext-1", "ann@x.test"), row("b2", null, "bob@x.test")));
      Instant later = at.plusSeconds(3600);
      IdentityRecord sameAnn =
          new IdentityRecord("b1", "ext-1", Map.of("email", "ann@x.test"), later);
      IdentityRecord sameBob = new IdentityRecord("b2", null, Map.of("email", "bob@x.test"), later);
      IdentityRecord newEmail =
          new IdentityRecord("b1", "ext-1", Map.of("email", "ann@y.test"), later.plusSeconds(1));
      IdentityRecord newExternal =
          new IdentityRecord("b2", "ext-2", Map.of("email", "bob@x.test"), later.plusSeconds(2));
      store.putIdentities(List.of(sameAnn, sameBob));
      assertThat(store.identityByBrazeId("b1").orElseThrow().updatedAt()).isEqualTo(at);
      assertThat(store.identityByBrazeId("b2").orElseThrow().updatedAt()).isEqualTo(at);
      store.putIdentities(List.of(newEmail, newExternal));
      assertThat(store.identityByBrazeId("b1")).contains(newEmail);
      assertThat(store.identityByBrazeId("b2")).contains(newExternal);
      assertThat(store.identityByExternalId("ext-2")).contains(newExternal);
    }

    @Test
    void anExternalIdMovesToTheLastUserClaimingIt() {
      store.putIdentities(List.of(row("b1", "ext-1", "a@x.test")));
      store.putIdentities(List.of(row("b2", "ext-1", "b@x.test")));
      assertThat(store.identityByExternalId("ext-1").orElseThrow().brazeId()).isEqualTo("b2");
      assertThat(store.identityByBrazeId("b1").orElseThrow().externalId()).isNull();
    }

    @Test
    void aLargeBatchTakesAnExternalIdHeldByAnotherUser() {
      // Several statements' worth of rows; one late row claims an external id another user
      // holds, so the rows already written by then are written again after the id is released.
      List<IdentityRecord> stored = new java.util.ArrayList<>();
      for (int i = 0; i < 250; i++) {
        stored.add(row("b" + i, "ext-" + i, "u" + i + "@x.test"));
      }
      store.putIdentities(stored);
      List<IdentityRecord> batch = new java.util.ArrayList<>();
      for (int i = 1_000; i < 1_150; i++) {
        batch.add(row("b" + i, i == 1_120 ? "ext-5" : "ext-" + i, "u" + i + "@x.test"));
      }
      store.putIdentities(batch);
      assertThat(store.identityByExternalId("ext-5").orElseThrow().brazeId()).isEqualTo("b1120");
      assertThat(store.identityByBrazeId("b5").orElseThrow().externalId()).isNull();
      assertThat(store.identitiesByBrazeIds(batch.stream().map(IdentityRecord::brazeId).toList()))
          .hasSize(150)
          .containsEntry("b1000", batch.get(0))
          .containsEntry("b1149", batch.get(149));
      assertThat(store.identityByBrazeId("b6")).contains(stored.get(6));
    }

    @Test
    void appliesABatchInOrder() {
      store.putIdentities(List.of(row("b3", "ext-3", "c@x.test"), row("b4", "ext-1", "d@x.test")));
      store.putIdentities(
          List.of(
              row("b2", "ext-1", "b@x.test"), // takes ext-1 from b4
              row("b1", "ext-1", "a@x.test"), // takes it from b2
              row("b1", "ext-2", "a2@x.test"), // releases ext-1
              row("b5", "ext-3", "e@x.test"), // takes ext-3 from b3
              row("b3", "ext-4", "c2@x.test")));

      assertThat(store.identityByExternalId("ext-1")).isEmpty();
      assertThat(store.identityByExternalId("ext-2").orElseThrow().brazeId()).isEqualTo("b1");
      assertThat(store.identityByExternalId("ext-3").orElseThrow().brazeId()).isEqualTo("b5");
      assertThat(store.identityByExternalId("ext-4").orElseThrow().brazeId()).isEqualTo("b3");
      assertThat(store.identityByBrazeId("b2").orElseThrow().externalId()).isNull();
      assertThat(store.identityByBrazeId("b4").orElseThrow().externalId()).isNull();
      assertThat(store.identityByBrazeId("b1").orElseThrow().identifiers())
          .isEqualTo(Map.of("email", "a2@x.test"));
    }
  }

  @Nested
  class CurrentsDedup {
    @Test
    void marksIdsSeenOnce() {
      assertThat(store.markSeen(List.of("e3", "e1", "e2", "e1"), T0))
          .containsExactly("e3", "e1", "e2");
      assertThat(store.markSeen(List.of("e2", "e4", "e1"), T0.plusSeconds(1)))
          .containsExactly("e4");
      assertThat(store.markSeen(List.of(), T0)).isEmpty();
    }

    @Test
    void purgesIdsOutsideTheWindow() {
      store.markSeen(List.of("old"), T0);
      store.markSeen(List.of("edge"), T0.plus(Duration.ofDays(1)));
      store.markSeen(List.of("new"), T0.plus(Duration.ofDays(2)));
      // A later sighting does not extend the window: it starts at the first one.
      store.markSeen(List.of("old"), T0.plus(Duration.ofDays(2)));

      assertThat(store.purgeSeenBefore(T0.plus(Duration.ofDays(1)))).isEqualTo(1);
      assertThat(store.markSeen(List.of("old", "edge", "new"), T0.plus(Duration.ofDays(3))))
          .containsExactly("old");
      assertThat(store.purgeSeenBefore(Instant.MAX)).isEqualTo(3);
    }

    @Test
    void concurrentDeliveriesSeeEachIdAsNewOnce() throws Exception {
      List<String> ids = keys("evt", 0, 400);
      Set<String> fresh = ConcurrentHashMap.newKeySet();
      List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int offset = t * 37;
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < ids.size(); i += 50) {
                      List<String> batch = new ArrayList<>();
                      for (int j = 0; j < 50; j++) {
                        batch.add(ids.get((offset + i + j) % ids.size()));
                      }
                      for (String id : store.markSeen(batch, T0)) {
                        if (!fresh.add(id)) {
                          duplicates.add(id);
                        }
                      }
                    }
                  }));
        }
        for (Future<?> future : futures) {
          future.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(duplicates).isEmpty();
      assertThat(fresh).hasSize(ids.size());
    }
  }

  @Nested
  class Outbox {
    OutboxMessage message(String id, String payload) {
      return new OutboxMessage(id, payload, T0);
    }

    @Test
    void keepsMessagesInOrderUntilAcknowledged() {
      assertThat(
              store.enqueue(
                  List.of(message("3", "{\"c\":3}"), message("1", "{\"a\":1}"), message("2", "x"))))
          .isEqualTo(3);
      assertThat(store.enqueue(List.of(message("4", "y"), message("1", "duplicate")))).isEqualTo(1);

      assertThat(store.peekOutbox(2)).extracting(OutboxMessage::id).containsExactly("3", "1");
      assertThat(store.peekOutbox(10))
          .containsExactly(
              message("3", "{\"c\":3}"),
              message("1", "{\"a\":1}"),
              message("2", "x"),
              message("4", "y"));

      assertThat(store.acknowledge(List.of("1", "3", "unknown"))).isEqualTo(2);
      assertThat(store.peekOutbox(10)).extracting(OutboxMessage::id).containsExactly("2", "4");
      assertThat(store.acknowledge(List.of("2", "4"))).isEqualTo(2);
      assertThat(store.peekOutbox(10)).isEmpty();
    }

    @Test
    void claimsHideMessagesFromOtherOwnersUntilAcknowledgedReleasedOrExpired() {
      store.enqueue(List.of(message("1", "a"), message("2", "b"), message("3", "c")));
      Duration lease = Duration.ofMinutes(1);

      assertThat(store.claimOutbox("fwd-a", 2, T0, lease))
          .containsExactly(message("1", "a"), message("2", "b"));
      // Another owner gets only what nobody holds; the holder gets its own claims again.
      assertThat(store.claimOutbox("fwd-b", 10, T0, lease))
          .extracting(OutboxMessage::id)
          .containsExactly("3");
      assertThat(store.claimOutbox("fwd-c", 10, T0, lease)).isEmpty();
      assertThat(store.claimOutbox("fwd-a", 10, T0.plusSeconds(1), lease))
          .extracting(OutboxMessage::id)
          .containsExactly("1", "2");
      // Claims change nothing a reader sees.
      assertThat(store.peekOutbox(10)).extracting(OutboxMessage::id).containsExactly("1", "2", "3");

      // A counted attempt releases the message to anyone; an acknowledged one is gone.
      store.countAttempts(List.of("1"));
      store.acknowledge(List.of("2"));
      assertThat(store.claimOutbox("fwd-c", 10, T0.plusSeconds(2), lease))
          .containsExactly(new OutboxMessage("1", "a", T0, 1));

      // fwd-b's claim (from T0) and fwd-c's (from T0 + 2 s) expire in order.
      assertThat(store.claimOutbox("fwd-d", 10, T0.plus(lease).minusNanos(1), lease)).isEmpty();
      assertThat(store.claimOutbox("fwd-d", 10, T0.plus(lease), lease))
          .extracting(OutboxMessage::id)
          .containsExactly("3");
      assertThat(store.claimOutbox("fwd-e", 10, T0.plus(lease).plusSeconds(2), lease))
          .extracting(OutboxMessage::id)
          .containsExactly("1");
    }

    @Test
    void claimsAreUndoneWithTheirTransactionAndCheckTheirArguments() {
      store.enqueue(List.of(message("1", "a")));
      Duration lease = Duration.ofMinutes(1);
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        assertThat(store.claimOutbox("fwd-a", 1, T0, lease)).hasSize(1);
                        throw new IllegalStateException("crash");
                      }))
          .hasMessage("crash");
      assertThat(store.claimOutbox("fwd-b", 1, T0, lease)).hasSize(1);

      assertThatThrownBy(() -> store.claimOutbox(null, 1, T0, lease))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("owner");
      assertThatThrownBy(() -> store.claimOutbox("fwd", 0, T0, lease))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("limit");
      assertThatThrownBy(() -> store.claimOutbox("fwd", 1, T0, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void measuresItsSizeInUtf8Bytes() {
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(0, 0));
      store.enqueue(List.of(message("a", "abc"), message("b", "é😀")));
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(2, 3 + 2 + 4));
      store.acknowledge(List.of("a"));
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(1, 6));
    }

    @Test
    void queuesEventsAtomicallyWithTheirDedupMarks() {
      List<String> ids = List.of("e1", "e2");
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        Set<String> fresh = tx.markSeen(ids, T0);
                        tx.enqueue(fresh.stream().map(id -> message(id, "p")).toList());
                        throw new IllegalStateException("disk full");
                      }))
          .hasMessage("disk full");
      assertThat(store.outboxSize().messages()).isZero();

      Set<String> fresh =
          store.transactionResult(
              tx -> {
                Set<String> newIds = tx.markSeen(ids, T0);
                tx.enqueue(newIds.stream().map(id -> message(id, "p")).toList());
                return newIds;
              });
      assertThat(fresh).containsExactly("e1", "e2");
      assertThat(store.peekOutbox(5)).hasSize(2);
    }
  }

  /**
   * Messages queued with {@link StateWriter#enqueueNew}, which a store may keep as one row: every
   * operation still takes them one by one, before and after their row is split.
   */
  @Nested
  class QueuedTogether {
    final List<OutboxMessage> request =
        List.of(
            new OutboxMessage("c1", "{\"p\":1}", T0),
            new OutboxMessage("c2", "é:2", T0),
            new OutboxMessage("c3", "12:3", T0),
            new OutboxMessage("c4", "", T0));
    final Duration lease = Duration.ofMinutes(1);

    long queue(List<OutboxMessage> messages) {
      return store.transactionResult(tx -> tx.enqueueNew(messages));
    }

    OutboxMessage attempted(OutboxMessage m, int attempts) {
      return new OutboxMessage(m.id(), m.payload(), m.enqueuedAt(), attempts);
    }

    @Test
    void areReadMeasuredClaimedAndAcknowledgedLikeSingleMessages() {
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        tx.enqueueNew(request);
                        throw new IllegalStateException("disk full");
                      }))
          .hasMessage("disk full");
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(0, 0));

      assertThat(queue(request)).isEqualTo(4);
      assertThat(store.peekOutbox(10)).containsExactlyElementsOf(request);
      assertThat(store.peekOutbox(3)).containsExactlyElementsOf(request.subList(0, 3));
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(4, 7 + 4 + 4 + 0));

      assertThat(store.claimOutbox("fwd-a", 10, T0, lease)).containsExactlyElementsOf(request);
      assertThat(store.claimOutbox("fwd-b", 10, T0, lease)).isEmpty();
      assertThat(store.claimOutbox("fwd-a", 10, T0, lease)).containsExactlyElementsOf(request);
      assertThat(store.acknowledge(List.of("c4", "c2", "c3", "c1", "other"))).isEqualTo(4);
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(0, 0));
      assertThat(store.peekOutbox(10)).isEmpty();
      assertThat(store.claimOutbox("fwd-b", 10, T0, lease)).isEmpty();
    }

    @Test
    void partOfAClaimedRequestIsAcknowledgedRetriedOrDeadLetteredAlone() {
      queue(request);
      assertThat(store.claimOutbox("fwd-a", 10, T0, lease)).hasSize(4);

      assertThat(store.acknowledge(List.of("c1"))).isEqualTo(1);
      assertThat(store.countAttempts(List.of("c2", "missing"))).isEqualTo(1);
      assertThat(store.deadLetter(Map.of("c3", "ODP refused the event: bad"), T0)).isEqualTo(1);

      assertThat(store.peekOutbox(10))
          .containsExactly(attempted(request.get(1), 1), request.get(3));
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(2, 4));
      assertThat(store.deadLetters(DeadLetterFilter.all(), 10))
          .containsExactly(new DeadLetter("c3", "12:3", T0, T0, "ODP refused the event: bad", 0));
      // The retried message is free again; the other one is still fwd-a's.
      assertThat(store.claimOutbox("fwd-b", 10, T0.plusSeconds(1), lease))
          .containsExactly(attempted(request.get(1), 1));
      assertThat(store.claimOutbox("fwd-c", 10, T0.plus(lease), lease))
          .containsExactly(request.get(3));
    }

    @Test
    void aWholeRetriedRequestCountsOneAttemptEachAndIsFreeAgain() {
      queue(request);
      store.claimOutbox("fwd-a", 10, T0, lease);
      assertThat(store.countAttempts(List.of("c1", "c2", "c3", "c4"))).isEqualTo(4);
      assertThat(store.claimOutbox("fwd-b", 10, T0, lease))
          .containsExactly(
              attempted(request.get(0), 1),
              attempted(request.get(1), 1),
              attempted(request.get(2), 1),
              attempted(request.get(3), 1));
      assertThat(store.deadLetter(Map.of("c1", "a", "c2", "b", "c3", "c", "c4", "d"), T0))
          .isEqualTo(4);
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(0, 0));
      assertThat(store.deadLetterCount()).isEqualTo(4);
    }

    @Test
    void aClaimSmallerThanARequestTakesPartOfIt() {
      queue(request);
      assertThat(store.claimOutbox("fwd-a", 3, T0, lease))
          .containsExactlyElementsOf(request.subList(0, 3));
      assertThat(store.claimOutbox("fwd-b", 3, T0, lease)).containsExactly(request.get(3));
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(4, 15));
    }

    @Test
    void unclaimedMessagesAreFoundByTheirIds() {
      queue(request);
      queue(List.of(new OutboxMessage("d1", "x", T0), new OutboxMessage("d2", "y", T0)));
      assertThat(store.acknowledge(List.of("c2", "d2", "unknown"))).isEqualTo(2);
      assertThat(store.countAttempts(List.of("c1"))).isEqualTo(1);
      assertThat(store.deadLetter(Map.of("d1", "refused"), T0)).isEqualTo(1);
      assertThat(store.peekOutbox(10))
          .containsExactly(attempted(request.get(0), 1), request.get(2), request.get(3));
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(3, 7 + 4 + 0));
    }

    @Test
    void theFirstMessageReadIsTheOldestOneWhicheverWayItWasQueued() {
      queue(request);
      store.enqueue(List.of(new OutboxMessage("later", "x", T0.plusSeconds(60))));
      assertThat(store.peekOutbox(1)).containsExactly(request.get(0));
      assertThat(store.peekOutbox(10))
          .extracting(OutboxMessage::id)
          .containsExactly("c1", "c2", "c3", "c4", "later");
      store.acknowledge(List.of("c1", "c2", "c3", "c4"));
      queue(
          List.of(
              new OutboxMessage("newer-1", "y", T0.plusSeconds(120)),
              new OutboxMessage("newer-2", "z", T0.plusSeconds(120))));
      assertThat(store.peekOutbox(1)).extracting(OutboxMessage::id).containsExactly("later");
    }

    @Test
    void singleMessagesAndRequestsAreBothDelivered() {
      store.enqueue(List.of(new OutboxMessage("s1", "a", T0)));
      queue(request);
      queue(List.of(new OutboxMessage("one", "b", T0.plusSeconds(1))));
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(6, 17));
      // Single messages and requests may interleave differently by store; each comes once.
      List<OutboxMessage> claimed = store.claimOutbox("fwd-a", 10, T0, lease);
      assertThat(claimed)
          .extracting(OutboxMessage::id)
          .containsExactlyInAnyOrder("s1", "c1", "c2", "c3", "c4", "one");
      assertThat(store.acknowledge(claimed.stream().map(OutboxMessage::id).toList())).isEqualTo(6);
      assertThat(store.peekOutbox(10)).isEmpty();
    }
  }

  @Nested
  class Parked {
    ParkedEvent parked(String id, String brazeId, String externalId, Instant at) {
      return new ParkedEvent(id, "{\"p\":\"" + id + "\"}", brazeId, externalId, at);
    }

    @Test
    void parkedEventsMatchOnceTheIdentityMapLearnsTheirUser() {
      assertThat(
              store.park(
                  List.of(
                      parked("e1", "b1", null, T0),
                      parked("e2", null, "x2", T0),
                      parked("e3", "b3", "x3", T0),
                      parked("e1", "b1", null, T0))))
          .isEqualTo(3);
      assertThat(store.park(List.of(parked("e1", "b1", null, T0)))).isZero();
      assertThat(store.parkedCount()).isEqualTo(3);
      assertThat(store.parkedMatched(10)).isEmpty();

      store.putIdentities(
          List.of(
              new IdentityRecord("b1", null, Map.of("email", "one@example.com"), T0),
              new IdentityRecord("b9", "x2", Map.of("email", "two@example.com"), T0)));

      assertThat(store.parkedMatched(10))
          .containsExactly(parked("e1", "b1", null, T0), parked("e2", null, "x2", T0));
      assertThat(store.parkedMatched(1)).extracting(ParkedEvent::id).containsExactly("e1");
      assertThat(store.removeParked(List.of("e1", "missing"))).isEqualTo(1);
      assertThat(store.parkedMatched(10)).extracting(ParkedEvent::id).containsExactly("e2");
      assertThat(store.parkedCount()).isEqualTo(2);
    }

    @Test
    void purgeDropsTheTooOldThenTheOldestBeyondTheCount() {
      for (int i = 0; i < 5; i++) {
        store.park(List.of(parked("e" + i, "b" + i, null, T0.plusSeconds(i))));
      }
      assertThat(store.purgeParked(T0.plusSeconds(1), 10)).isEqualTo(1);
      assertThat(store.purgeParked(T0, 2)).isEqualTo(2);
      store.putIdentities(
          List.of(
              new IdentityRecord("b3", null, Map.of("email", "3@example.com"), T0),
              new IdentityRecord("b4", null, Map.of("email", "4@example.com"), T0)));
      assertThat(store.parkedMatched(10)).extracting(ParkedEvent::id).containsExactly("e3", "e4");
      assertThat(store.purgeParked(Instant.MAX, 0)).isEqualTo(2);
      assertThat(store.parkedCount()).isZero();
    }

    @Test
    void aParkedEventNeedsAUserId() {
      assertThatThrownBy(() -> parked("e", null, null, T0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("brazeId or an externalId");
    }
  }

  @Nested
  class DeadLetters {
    OutboxMessage message(String id) {
      return new OutboxMessage(id, "{\"id\":\"" + id + "\"}", T0);
    }

    @Test
    void countsAttemptsOfQueuedMessagesOnly() {
      store.enqueue(List.of(message("a"), message("b")));
      assertThat(store.countAttempts(List.of("a", "missing"))).isEqualTo(1);
      store.countAttempts(List.of("a"));
      assertThat(store.peekOutbox(5))
          .containsExactly(new OutboxMessage("a", message("a").payload(), T0, 2), message("b"));
    }

    @Test
    void movesMessagesWithTheirReasonAndKeepsThemUntilPurged() {
      store.enqueue(List.of(message("a"), message("b"), message("c")));
      store.countAttempts(List.of("b"));
      Instant dead = T0.plusSeconds(60);

      assertThat(store.deadLetter(Map.of("b", "data._source: not allowed", "missing", "x"), dead))
          .isEqualTo(1);
      store.deadLetter(Map.of("a", "expired after 7 days"), dead.plusSeconds(1));

      assertThat(store.peekOutbox(5)).containsExactly(message("c"));
      assertThat(store.outboxSize()).isEqualTo(new OutboxSize(1, message("c").sizeInBytes()));
      assertThat(store.deadLetterCount()).isEqualTo(2);
      assertThat(store.deadLetters(DeadLetterFilter.all(), 10))
          .containsExactly(
              new DeadLetter("b", message("b").payload(), T0, dead, "data._source: not allowed", 1),
              new DeadLetter(
                  "a", message("a").payload(), T0, dead.plusSeconds(1), "expired after 7 days", 0));
      assertThat(store.deadLetters(DeadLetterFilter.reasonContains("_source"), 10))
          .extracting(DeadLetter::id)
          .containsExactly("b");
      assertThat(store.deadLetters(DeadLetterFilter.all().since(dead.plusSeconds(1)), 10))
          .extracting(DeadLetter::id)
          .containsExactly("a");
      assertThat(store.deadLetters(DeadLetterFilter.all().before(dead.plusSeconds(1)), 10))
          .extracting(DeadLetter::id)
          .containsExactly("b");
      assertThat(store.deadLetters(DeadLetterFilter.all(), 1)).hasSize(1);

      assertThat(store.purgeDeadLetters(dead.plusSeconds(1))).isEqualTo(1);
      assertThat(store.deadLetters(DeadLetterFilter.all(), 10))
          .extracting(DeadLetter::id)
          .containsExactly("a");
      assertThat(store.purgeDeadLetters(Instant.MAX)).isEqualTo(1);
      assertThat(store.deadLetterCount()).isZero();
    }

    @Test
    void replaysSelectedLettersToTheEndOfTheOutboxAsFreshMessages() {
      store.enqueue(List.of(message("a"), message("b"), message("c")));
      store.countAttempts(List.of("a", "b"));
      store.deadLetter(Map.of("a", "refused: _x"), T0);
      store.deadLetter(Map.of("b", "gave up after 2 attempts"), T0.plusSeconds(5));
      Instant replayed = T0.plusSeconds(100);

      assertThat(store.replayDeadLetters(DeadLetterFilter.reasonContains("_x"), replayed))
          .isEqualTo(1);
      assertThat(store.peekOutbox(5))
          .containsExactly(
              message("c"), new OutboxMessage("a", message("a").payload(), replayed, 0));
      assertThat(store.deadLetters(DeadLetterFilter.all(), 5))
          .extracting(DeadLetter::id)
          .containsExactly("b");

      // Dying again replaces the earlier letter instead of failing on the id.
      store.deadLetter(Map.of("a", "refused again"), T0.plusSeconds(200));
      assertThat(store.deadLetters(DeadLetterFilter.all(), 5))
          .extracting(DeadLetter::id, DeadLetter::reason)
          .containsExactly(tuple("b", "gave up after 2 attempts"), tuple("a", "refused again"));

      assertThat(store.replayDeadLetters(DeadLetterFilter.all(), replayed)).isEqualTo(2);
      assertThat(store.deadLetterCount()).isZero();
      assertThat(store.peekOutbox(5)).extracting(OutboxMessage::id).containsExactly("c", "b", "a");
    }

    @Test
    void undoesAMoveWhenTheTransactionFails() {
      store.enqueue(List.of(message("a")));
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        store.deadLetter(Map.of("a", "r"), T0);
                        throw new IllegalStateException("disk full");
                      }))
          .hasMessage("disk full");
      assertThat(store.peekOutbox(5)).containsExactly(message("a"));
      assertThat(store.deadLetterCount()).isZero();
    }

    @Test
    void refusesBadArguments() {
      assertThatThrownBy(() -> store.deadLetter(Map.of("a", "r"), Instant.MAX))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.deadLetters(DeadLetterFilter.all(), 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new DeadLetterFilter(null, T0.plusSeconds(1), T0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("until");
    }
  }

  @Nested
  class Ledger {
    static final String ACT = "winback";
    static final String OCC = "2026-03-01T09:00Z";

    @Test
    void claimsOnlyCustomersThatWereNotSent() {
      LedgerClaim first = store.recordPending(ACT, OCC, List.of("c1", "c2", "c3", "c1"), T0);
      assertThat(first.claimed()).containsExactly("c1", "c2", "c3");
      assertThat(first.skipped()).isEmpty();

      store.markOutcome(ACT, OCC, List.of("c1"), LedgerState.SENT, "d-1", null, T0.plusSeconds(1));
      store.markOutcome(
          ACT, OCC, List.of("c2"), LedgerState.FAILED, null, "400", T0.plusSeconds(1));
      store.markOutcome(
          ACT, OCC, List.of("c3"), LedgerState.UNKNOWN, null, "timeout", T0.plusSeconds(1));

      LedgerClaim second =
          store.recordPending(ACT, OCC, List.of("c1", "c2", "c3", "c4"), T0.plusSeconds(2));
      assertThat(second.claimed()).containsExactly("c2", "c4");
      assertThat(second.skipped())
          .isEqualTo(Map.of("c1", LedgerState.SENT, "c3", LedgerState.UNKNOWN));

      LedgerClaim third = store.recordPending(ACT, OCC, List.of("c2", "c4"), T0.plusSeconds(3));
      assertThat(third.claimed()).isEmpty();
      assertThat(third.skipped())
          .isEqualTo(Map.of("c2", LedgerState.PENDING, "c4", LedgerState.PENDING));

      // Another occurrence of the same activation is independent.
      assertThat(store.recordPending(ACT, "next", List.of("c1"), T0).claimed())
          .containsExactly("c1");
    }

    @Test
    void recordsOutcomesWithTheirDetails() {
      store.recordPending(ACT, OCC, List.of("c1", "c2"), T0);
      Instant done = T0.plusSeconds(4);
      store.markOutcome(ACT, OCC, List.of("c1", "c2"), LedgerState.SENT, "dispatch-7", null, done);

      assertThat(store.ledgerEntry(ACT, OCC, "c1"))
          .contains(
              new LedgerEntry(ACT, OCC, "c1", LedgerState.SENT, T0, done, "dispatch-7", null));
      assertThat(store.ledgerEntry(ACT, OCC, "nobody")).isEmpty();

      // Repeating the same outcome is harmless.
      store.markOutcome(ACT, OCC, List.of("c1"), LedgerState.SENT, "dispatch-7", null, done);
    }

    @Test
    void reclaimingAFailedEntryClearsItsDetails() {
      store.recordPending(ACT, OCC, List.of("c1"), T0);
      store.markOutcome(
          ACT, OCC, List.of("c1"), LedgerState.FAILED, null, "429", T0.plusSeconds(1));
      store.recordPending(ACT, OCC, List.of("c1"), T0.plusSeconds(9));
      assertThat(store.ledgerEntry(ACT, OCC, "c1"))
          .contains(
              new LedgerEntry(
                  ACT,
                  OCC,
                  "c1",
                  LedgerState.PENDING,
                  T0.plusSeconds(9),
                  T0.plusSeconds(9),
                  null,
                  null));
    }

    @Test
    void refusesInvalidOutcomesAndChangesNothing() {
      store.recordPending(ACT, OCC, List.of("c1", "c2"), T0);
      store.markOutcome(ACT, OCC, List.of("c2"), LedgerState.SENT, "d", null, T0);

      assertThatThrownBy(
              () ->
                  store.markOutcome(
                      ACT, OCC, List.of("c1", "ghost"), LedgerState.SENT, "d", null, T0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ghost")
          .hasMessageContaining("pending");
      assertThat(store.ledgerEntry(ACT, OCC, "c1").orElseThrow().state())
          .isEqualTo(LedgerState.PENDING);

      assertThatThrownBy(
              () -> store.markOutcome(ACT, OCC, List.of("c2"), LedgerState.FAILED, null, "x", T0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("SENT");
      assertThatThrownBy(
              () -> store.markOutcome(ACT, OCC, List.of("c1"), LedgerState.PENDING, null, null, T0))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPersonMayResolveAnUnknownSend() {
      store.recordPending(ACT, OCC, List.of("c1", "c2"), T0);
      store.markOutcome(ACT, OCC, List.of("c1", "c2"), LedgerState.UNKNOWN, null, "timeout", T0);
      store.markOutcome(ACT, OCC, List.of("c1"), LedgerState.SENT, null, "checked in Braze", T0);
      store.markOutcome(ACT, OCC, List.of("c2"), LedgerState.FAILED, null, "checked in Braze", T0);
      assertThat(store.recordPending(ACT, OCC, List.of("c1", "c2"), T0).claimed())
          .containsExactly("c2");
    }

    @Test
    void aRerunAfterACrashSendsOnlyTheRemainingBatches() {
      List<List<String>> batches = new ArrayList<>();
      for (int b = 0; b < 5; b++) {
        batches.add(keys("cust-" + b + "-", 0, 50));
      }
      // First run: batches 1 and 2 sent, batch 3 recorded pending, then the process dies.
      for (int b = 0; b < 2; b++) {
        store.recordPending(ACT, OCC, batches.get(b), T0);
        store.markOutcome(ACT, OCC, batches.get(b), LedgerState.SENT, "d" + b, null, T0);
      }
      store.recordPending(ACT, OCC, batches.get(2), T0);

      // Rerun: what the crash left pending is unknown, never resent.
      assertThat(store.pendingToUnknown(ACT, OCC, "run interrupted", T0.plusSeconds(60)))
          .isEqualTo(50);
      List<String> sent = new ArrayList<>();
      for (List<String> batch : batches) {
        LedgerClaim claim = store.recordPending(ACT, OCC, batch, T0.plusSeconds(61));
        sent.addAll(claim.claimed());
        store.markOutcome(
            ACT, OCC, claim.claimed(), LedgerState.SENT, "r", null, T0.plusSeconds(62));
      }
      List<String> expected = new ArrayList<>(batches.get(3));
      expected.addAll(batches.get(4));
      assertThat(sent).isEqualTo(expected);

      List<LedgerEntry> unknown = store.ledgerEntries(ACT, OCC, EnumSet.of(LedgerState.UNKNOWN));
      assertThat(unknown).extracting(LedgerEntry::customer).isEqualTo(batches.get(2));
      assertThat(unknown).allSatisfy(e -> assertThat(e.reason()).isEqualTo("run interrupted"));
      assertThat(store.ledgerCounts(ACT, OCC))
          .isEqualTo(
              Map.of(
                  LedgerState.PENDING, 0L,
                  LedgerState.SENT, 200L,
                  LedgerState.FAILED, 0L,
                  LedgerState.UNKNOWN, 50L));
    }

    @Test
    void listsEntriesByStateInCustomerOrder() {
      store.recordPending(ACT, OCC, List.of("c3", "c1", "c2", "c4"), T0);
      store.markOutcome(ACT, OCC, List.of("c2"), LedgerState.SENT, null, null, T0);
      store.markOutcome(ACT, OCC, List.of("c4"), LedgerState.UNKNOWN, null, null, T0);
      assertThat(
              store.ledgerEntries(ACT, OCC, EnumSet.of(LedgerState.PENDING, LedgerState.UNKNOWN)))
          .extracting(LedgerEntry::customer)
          .containsExactly("c1", "c3", "c4");
      assertThat(store.ledgerEntries(ACT, OCC, EnumSet.noneOf(LedgerState.class))).isEmpty();
      assertThat(store.ledgerCounts("none", "none").values()).containsOnly(0L);
    }

    @Test
    void listsAnActivationsEntriesOverAllOccurrencesUpToALimit() {
      store.recordPending(ACT, "event:b", List.of("c2", "c1"), T0);
      store.recordPending(ACT, "event:a", List.of("c9"), T0);
      store.recordPending("other", "event:a", List.of("c0"), T0);
      store.markOutcome(ACT, "event:b", List.of("c1", "c2"), LedgerState.UNKNOWN, null, "t", T0);
      store.markOutcome(ACT, "event:a", List.of("c9"), LedgerState.SENT, null, null, T0);
      store.markOutcome("other", "event:a", List.of("c0"), LedgerState.UNKNOWN, null, null, T0);

      assertThat(store.ledgerEntries(ACT, EnumSet.of(LedgerState.UNKNOWN), 10))
          .extracting(e -> e.occurrence() + "/" + e.customer())
          .containsExactly("event:b/c1", "event:b/c2");
      assertThat(store.ledgerEntries(ACT, EnumSet.allOf(LedgerState.class), 2))
          .extracting(e -> e.occurrence() + "/" + e.customer())
          .containsExactly("event:a/c9", "event:b/c1");
      assertThat(store.ledgerEntries(ACT, EnumSet.noneOf(LedgerState.class), 5)).isEmpty();
      assertThatThrownBy(() -> store.ledgerEntries(ACT, EnumSet.allOf(LedgerState.class), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("limit");
    }

    @Test
    void countsSendsForTheHourlyCaps() {
      Instant hourAgo = T0.minus(Duration.ofHours(1));
      store.recordPending(ACT, "e1", List.of("c1", "c2"), hourAgo.minusSeconds(1));
      store.markOutcome(ACT, "e1", List.of("c1", "c2"), LedgerState.SENT, null, null, hourAgo);
      store.recordPending(ACT, "e2", List.of("c1", "c2", "c3"), hourAgo);
      store.markOutcome(ACT, "e2", List.of("c1"), LedgerState.SENT, null, null, T0);
      store.markOutcome(ACT, "e2", List.of("c2"), LedgerState.FAILED, null, null, T0);
      store.markOutcome(ACT, "e2", List.of("c3"), LedgerState.UNKNOWN, null, null, T0);
      store.recordPending(ACT, "e3", List.of("c1"), T0);
      store.recordPending("other", "e1", List.of("c1"), T0);

      // Attempts at or after the start of the window count, failed ones do not.
      assertThat(store.sendsToCustomerSince(ACT, "c1", hourAgo)).isEqualTo(2);
      assertThat(store.sendsToCustomerSince(ACT, "c2", hourAgo)).isZero();
      assertThat(store.sendsToCustomerSince(ACT, "c3", hourAgo)).isEqualTo(1);
      assertThat(store.sendsToCustomerSince(ACT, "c1", Instant.MIN)).isEqualTo(3);
      assertThat(store.sendsSince(ACT, hourAgo)).isEqualTo(3);
      assertThat(store.sendsSince(ACT, T0.plusNanos(1))).isZero();
    }

    @Test
    void purgesOnlyResolvedEntries() {
      store.recordPending(ACT, OCC, List.of("sent", "failed", "unknown", "pending"), T0);
      store.markOutcome(ACT, OCC, List.of("sent"), LedgerState.SENT, null, null, T0);
      store.markOutcome(ACT, OCC, List.of("failed"), LedgerState.FAILED, null, null, T0);
      store.markOutcome(ACT, OCC, List.of("unknown"), LedgerState.UNKNOWN, null, null, T0);
      assertThat(store.purgeLedgerBefore(T0)).isZero();
      assertThat(store.purgeLedgerBefore(T0.plusSeconds(1))).isEqualTo(2);
      assertThat(store.ledgerEntries(ACT, OCC, EnumSet.allOf(LedgerState.class)))
          .extracting(LedgerEntry::customer)
          .containsExactly("pending", "unknown");
    }
  }

  @Nested
  class ActivityLog {
    @Test
    void keepsRecordsNewestFirst() {
      ActivityRecord full =
          new ActivityRecord(
              "run-1",
              ActivityRecord.CATEGORY_BRAZE,
              Flow.SEGMENT_SYNC,
              "VIP customers",
              T0,
              T0.plusSeconds(30),
              Status.PARTIAL,
              ActivityCounts.builder()
                  .read(10)
                  .matched(8)
                  .unmatched(2)
                  .unchanged(3)
                  .sent(5)
                  .rejected(1)
                  .retried(4)
                  .brazeCalls(6)
                  .odpCalls(7)
                  .other("duplicates", 11)
                  .build(),
              List.of(
                  new Rejection("no identifier", "part-1.txt:42"),
                  new Rejection("bad date", null)));
      store.appendActivity(full);
      store.appendActivity(activity("run-2", Flow.CURRENTS, T0.plusSeconds(40)));
      store.appendActivity(activity("run-3", Flow.SEGMENT_SYNC, T0.plusSeconds(10)));

      assertThat(store.recentActivity(10))
          .extracting(ActivityRecord::id)
          .containsExactly("run-3", "run-2", "run-1");
      assertThat(store.recentActivity(1)).extracting(ActivityRecord::id).containsExactly("run-3");
      assertThat(store.recentActivity(Flow.SEGMENT_SYNC, 10))
          .extracting(ActivityRecord::id)
          .containsExactly("run-3", "run-1");
      assertThat(store.recentActivity(Flow.ACTIVATION, 10)).isEmpty();
      assertThat(store.recentActivity(Flow.SEGMENT_SYNC, 10).get(1)).isEqualTo(full);
    }

    @Test
    void aRecordWithTheSameIdIsReplacedInPlace() {
      store.appendActivity(activity("a", Flow.CURRENTS, T0));
      store.appendActivity(activity("b", Flow.CURRENTS, T0));
      ActivityRecord updated = activity("a", Flow.ACTIVATION, T0.plusSeconds(5));
      store.appendActivity(updated);
      assertThat(store.recentActivity(10)).extracting(ActivityRecord::id).containsExactly("b", "a");
      assertThat(store.recentActivity(10).get(1)).isEqualTo(updated);
    }

    @Test
    void keepsTheReasonOfAFailedRun() {
      ActivityRecord failed =
          activity("f", Flow.SEGMENT_SYNC, T0).withReason("OutOfMemoryError: Java heap space");
      store.appendActivity(failed);
      assertThat(store.recentActivity(1).get(0).reason())
          .isEqualTo("OutOfMemoryError: Java heap space");
      assertThat(store.recentActivity(1).get(0)).isEqualTo(failed);
    }

    @Test
    void purgesRecordsPastRetention() {
      store.appendActivity(activity("old", Flow.CURRENTS, T0));
      store.appendActivity(activity("new", Flow.CURRENTS, T0.plus(Duration.ofDays(30))));
      assertThat(store.purgeActivityBefore(T0.plus(Duration.ofDays(1)))).isEqualTo(1);
      assertThat(store.recentActivity(10)).extracting(ActivityRecord::id).containsExactly("new");
    }
  }

  @Nested
  class RunLocks {
    static final Duration LEASE = Duration.ofMinutes(2);

    @Test
    void aSecondOwnerIsRefusedWhileTheLeaseRuns() {
      RunLease first = store.tryLock("segment-sync/s1", "a", T0, LEASE);
      assertThat(first.owner()).isEqualTo("a");
      assertThat(first.expiresAt()).isEqualTo(T0.plus(LEASE));

      RunLease refused = store.tryLock("segment-sync/s1", "b", T0.plusSeconds(119), LEASE);
      assertThat(refused).isEqualTo(first);
      assertThat(store.runLock("segment-sync/s1")).contains(first);
      // Scopes are independent.
      assertThat(store.tryLock("segment-sync/s2", "b", T0, LEASE).owner()).isEqualTo("b");
    }

    @Test
    void theHolderRenewsAndKeepsItsStart() {
      store.tryLock("scope", "a", T0, LEASE);
      RunLease renewed = store.tryLock("scope", "a", T0.plusSeconds(60), LEASE);
      assertThat(renewed.acquiredAt()).isEqualTo(T0);
      assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(60).plus(LEASE));
      assertThat(store.tryLock("scope", "b", T0.plusSeconds(150), LEASE).owner()).isEqualTo("a");
    }

    @Test
    void aLapsedLeaseOfACrashedHolderIsTakenOver() {
      store.tryLock("scope", "crashed", T0, LEASE);
      RunLease taken = store.tryLock("scope", "b", T0.plus(LEASE), LEASE);
      assertThat(taken.owner()).isEqualTo("b");
      assertThat(taken.acquiredAt()).isEqualTo(T0.plus(LEASE));
      // The crashed holder, come back, cannot release or renew what it lost.
      assertThat(store.unlock("scope", "crashed")).isFalse();
      assertThat(store.tryLock("scope", "crashed", T0.plus(LEASE), LEASE).owner()).isEqualTo("b");
    }

    @Test
    void onlyTheOwnerReleases() {
      store.tryLock("scope", "a", T0, LEASE);
      assertThat(store.unlock("scope", "b")).isFalse();
      assertThat(store.unlock("scope", "a")).isTrue();
      assertThat(store.runLock("scope")).isEmpty();
      assertThat(store.unlock("scope", "a")).isFalse();
      assertThat(store.tryLock("scope", "b", T0, LEASE).owner()).isEqualTo("b");
    }

    @Test
    void rejectsAnEmptyLease() {
      assertThatThrownBy(() -> store.tryLock("scope", "a", T0, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("lease");
    }

    @Test
    void exactlyOneOfManyThreadsGetsTheLock() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<RunLease>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          String owner = "owner-" + i;
          results.add(pool.submit(() -> store.tryLock("scope", owner, T0, LEASE)));
        }
        Set<String> winners = ConcurrentHashMap.newKeySet();
        for (Future<RunLease> result : results) {
          winners.add(result.get().owner());
        }
        assertThat(winners).hasSize(1);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Nested
  class Transactions {
    void writeEverything(StateWriter tx, String tag) {
      tx.putCheckpoint("scope-" + tag, Checkpoint.builder(tag).position("f", 3).build());
      tx.putLastSuccess("scope-" + tag, T0);
      tx.putHashes("profile", Map.of("k-" + tag, "h"));
      tx.stageMembers("seg", tag, List.of("m-" + tag));
      tx.putIdentities(List.of(new IdentityRecord("b-" + tag, "e-" + tag, Map.of(), T0)));
      tx.markSeen(List.of("id-" + tag), T0);
      tx.enqueue(List.of(new OutboxMessage("o-" + tag, "p", T0)));
      tx.recordPending("act", "occ", List.of("c-" + tag), T0);
      tx.appendActivity(activity("a-" + tag, Flow.ACTIVATION, T0));
    }

    void assertNothingOf(String tag) {
      assertThat(store.checkpoint("scope-" + tag)).isEmpty();
      assertThat(store.lastSuccess("scope-" + tag)).isEmpty();
      assertThat(store.hashes("profile", List.of("k-" + tag))).isEmpty();
      assertThat(store.stagedCount("seg", tag)).isZero();
      assertThat(store.identityByBrazeId("b-" + tag)).isEmpty();
      assertThat(store.identityByExternalId("e-" + tag)).isEmpty();
      assertThat(store.outboxSize().messages()).isZero();
      assertThat(store.ledgerEntry("act", "occ", "c-" + tag)).isEmpty();
      assertThat(store.recentActivity(10)).isEmpty();
      // Marking again proves the de-dup mark was rolled back too.
      assertThat(store.markSeen(List.of("id-" + tag), T0)).containsExactly("id-" + tag);
    }

    @Test
    void commitsEverythingTogether() {
      store.transaction(tx -> writeEverything(tx, "x"));
      assertThat(store.checkpoint("scope-x")).isPresent();
      assertThat(store.hashes("profile", List.of("k-x"))).containsEntry("k-x", "h");
      assertThat(store.stagedCount("seg", "x")).isEqualTo(1);
      assertThat(store.identityByExternalId("e-x")).isPresent();
      assertThat(store.outboxSize().messages()).isEqualTo(1);
      assertThat(store.ledgerEntry("act", "occ", "c-x")).isPresent();
      assertThat(store.recentActivity(10)).hasSize(1);
      assertThat(store.markSeen(List.of("id-x"), T0)).isEmpty();
    }

    @Test
    void anExceptionLeavesNothing() {
      RuntimeException boom = new IllegalStateException("boom");
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        writeEverything(tx, "x");
                        throw boom;
                      }))
          .isSameAs(boom);
      assertNothingOf("x");
    }

    @Test
    void anErrorLeavesNothing() {
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        writeEverything(tx, "x");
                        throw new AssertionError("boom");
                      }))
          .isInstanceOf(AssertionError.class);
      assertNothingOf("x");
    }

    @Test
    void aRejectedLedgerUpdateUndoesTheWholeTransaction() {
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        tx.putHashes("profile", Map.of("k", "h"));
                        tx.markOutcome(
                            "act", "occ", List.of("ghost"), LedgerState.SENT, null, null, T0);
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(store.hashCount("profile")).isZero();
    }

    @Test
    void undoesReplacementsAndRemovals() {
      store.transaction(tx -> writeEverything(tx, "x"));
      store.stageMembers("seg2", "r1", List.of("a", "b"));
      store.commitMembership("seg2", "r1");
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        tx.putHashes("profile", Map.of("k-x", "changed"));
                        tx.clearCheckpoint("scope-x");
                        tx.acknowledge(List.of("o-x"));
                        tx.purgeSeenBefore(Instant.MAX);
                        tx.purgeActivityBefore(Instant.MAX);
                        tx.stageMembers("seg2", "r2", List.of("c"));
                        tx.commitMembership("seg2", "r2");
                        tx.markOutcome(
                            "act", "occ", List.of("c-x"), LedgerState.SENT, "d", null, T0);
                        tx.putIdentities(List.of(new IdentityRecord("b-y", "e-x", Map.of(), T0)));
                        throw new IllegalStateException("boom");
                      }))
          .hasMessage("boom");
      assertThat(store.hashes("profile", List.of("k-x"))).containsEntry("k-x", "h");
      assertThat(store.checkpoint("scope-x")).isPresent();
      assertThat(store.peekOutbox(5)).extracting(OutboxMessage::id).containsExactly("o-x");
      assertThat(store.markSeen(List.of("id-x"), T0)).isEmpty();
      assertThat(store.recentActivity(5)).hasSize(1);
      assertThat(all(store.members("seg2"))).containsExactly("a", "b");
      assertThat(store.ledgerEntry("act", "occ", "c-x").orElseThrow().state())
          .isEqualTo(LedgerState.PENDING);
      assertThat(store.identityByExternalId("e-x").orElseThrow().brazeId()).isEqualTo("b-x");
      assertThat(store.identityByBrazeId("b-y")).isEmpty();
    }

    @Test
    void readsInsideATransactionSeeItsWrites() {
      String hash =
          store.transactionResult(
              tx -> {
                tx.putHashes("profile", Map.of("k", "h"));
                return store.hashes("profile", List.of("k")).get("k");
              });
      assertThat(hash).isEqualTo("h");
    }

    @Test
    void aFailedNestedTransactionUndoesOnlyItsOwnWrites() {
      store.transaction(
          tx -> {
            tx.putHashes("profile", Map.of("outer", "1"));
            try {
              store.transaction(
                  inner -> {
                    inner.putHashes("profile", Map.of("inner", "2"));
                    throw new IllegalStateException("inner failed");
                  });
            } catch (IllegalStateException expected) {
              // the outer transaction carries on
            }
            // A store-level write inside a transaction joins it.
            store.putHashes("profile", Map.of("joined", "3"));
          });
      assertThat(store.hashes("profile", List.of("outer", "inner", "joined")))
          .isEqualTo(Map.of("outer", "1", "joined", "3"));
    }

    @Test
    void aFailingOuterTransactionUndoesCommittedNestedOnes() {
      assertThatThrownBy(
              () ->
                  store.transaction(
                      tx -> {
                        store.transaction(inner -> inner.putHashes("profile", Map.of("a", "1")));
                        throw new IllegalStateException("outer failed");
                      }))
          .hasMessage("outer failed");
      assertThat(store.hashCount("profile")).isZero();
    }

    @Test
    void aWriterCannotBeUsedAfterItsTransaction() {
      AtomicReference<StateWriter> leaked = new AtomicReference<>();
      store.transaction(leaked::set);
      assertThatThrownBy(() -> leaked.get().putHashes("profile", Map.of("a", "1")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ended");
      assertThat(store.hashCount("profile")).isZero();
    }

    @Test
    void aWriterCannotBeUsedFromAnotherThread() throws Exception {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      store.transaction(
          tx -> {
            Thread other =
                new Thread(
                    () -> {
                      try {
                        tx.putHashes("profile", Map.of("a", "1"));
                      } catch (Throwable t) {
                        failure.set(t);
                      }
                    });
            other.start();
            try {
              other.join();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          });
      assertThat(failure.get()).isInstanceOf(IllegalStateException.class);
      assertThat(store.hashCount("profile")).isZero();
    }
  }

  @Test
  void aClosedStoreRefusesEveryCall() {
    store.close();
    store.close();
    assertThatThrownBy(() -> store.hashCount("profile")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.putLastSuccess("s", T0))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.transaction(tx -> {})).isInstanceOf(IllegalStateException.class);
  }
}
