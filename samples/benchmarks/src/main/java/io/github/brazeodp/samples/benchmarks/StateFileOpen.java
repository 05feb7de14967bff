package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.sync.state.IdentityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures opening a SQLite state file of a 1,000,000-user sync (hashes, identity map, one
 * segment's membership) two ways: with the corruption check ({@code PRAGMA quick_check}) that reads
 * the whole file, as for a file changed since its last clean close (here: its {@code -checked} note
 * removed), and without it, as for a file its last clean close left as it is (the open then reads
 * the file once for its checksum). Closing writes the note, so it is timed too.
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.StateFileOpen [users] [file]</pre>
 */
public final class StateFileOpen {
  private static final int CHUNK = 50_000;

  private StateFileOpen() {}

  public static void main(String[] args) throws IOException {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path file =
        args.length > 1
            ? Path.of(args[1])
            : Files.createTempDirectory("state-open-").resolve("s.db");
    if (!Files.exists(file)) {
      try (SyncStateStore store = SyncStateStore.sqlite(file)) {
        for (int from = 0; from < users; from += CHUNK) {
          Map<String, String> hashes = new HashMap<>();
          List<IdentityRecord> identities = new ArrayList<>();
          List<String> members = new ArrayList<>();
          for (int i = from; i < Math.min(users, from + CHUNK); i++) {
            String id = "5f" + Integer.toHexString(0x10000000 + i) + "a1b2c3d4e5f6";
            hashes.put(id, Integer.toHexString(id.hashCode()) + "0123456789abcdef0123456789abcdef");
            identities.add(
                new IdentityRecord(
                    id, "ext-" + i, Map.of("email", "user" + i + "@example.com"), Instant.EPOCH));
            members.add(id);
          }
          store.transaction(
              tx -> {
                tx.putHashes("profile", hashes);
                tx.putIdentities(identities);
                tx.stageMembers("segment", "run-1", members);
              });
        }
        store.commitMembership("segment", "run-1");
      }
    }
    System.out.printf("%s: %,d bytes, %,d users%n", file, Files.size(file), users);
    Path note = file.resolveSibling(file.getFileName() + "-checked");
    for (int i = 0; i < 3; i++) {
      Files.deleteIfExists(note);
      long start = System.nanoTime();
      SyncStateStore store = SyncStateStore.sqlite(file);
      long opened = System.nanoTime();
      store.close();
      long closed = System.nanoTime();
      System.out.printf(
          "open of a changed file (quick_check): %d ms; close (checksum, note): %d ms%n",
          (opened - start) / 1_000_000, (closed - opened) / 1_000_000);
      start = System.nanoTime();
      store = SyncStateStore.sqlite(file);
      opened = System.nanoTime();
      store.close();
      System.out.printf(
          "open of a file as its clean close left it (checksum only): %d ms%n",
          (opened - start) / 1_000_000);
    }
  }
}
