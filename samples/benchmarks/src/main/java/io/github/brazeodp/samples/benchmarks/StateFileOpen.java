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
 * segment's membership), which includes the corruption check ({@code PRAGMA quick_check}) that
 * reads the whole file once.
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
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      SyncStateStore.sqlite(file).close();
      System.out.printf(
          "open (with quick_check): %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }
  }
}
