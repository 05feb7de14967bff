package io.github.brazeodp.sync.state;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A process that commits one transaction and then dies in the middle of a second, for the crash
 * test; {@link Runtime#halt} skips every shutdown hook and finaliser, like a kill -9.
 */
final class CrashingWriter {
  static final int EXIT_CODE = 3;

  private CrashingWriter() {}

  public static void main(String[] args) {
    SyncStateStore store = SyncStateStore.sqlite(Path.of(args[0]));
    store.transaction(
        tx -> {
          tx.putHashes("profile", Map.of("committed", "1"));
          tx.putCheckpoint("scope", Checkpoint.builder("run-1").position("part-1.txt", 10).build());
        });
    store.transaction(
        tx -> {
          Map<String, String> hashes = new HashMap<>();
          for (int i = 0; i < 50_000; i++) {
            hashes.put("lost-" + i, "h");
          }
          tx.putHashes("profile", hashes);
          tx.putCheckpoint("scope", Checkpoint.builder("run-1").position("part-2.txt", 99).build());
          tx.enqueue(List.of(new OutboxMessage("lost", "p", Instant.EPOCH)));
          Runtime.getRuntime().halt(EXIT_CODE);
        });
  }
}
