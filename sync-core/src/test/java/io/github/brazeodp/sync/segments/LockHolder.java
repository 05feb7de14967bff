package io.github.brazeodp.sync.segments;

import io.github.brazeodp.sync.RunLock;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A second process for the cross-process lock test: takes the run lock of a scope in a SQLite file,
 * says so on stdout, and holds it until stdin closes or the process is killed.
 */
final class LockHolder {
  static final String READY = "locked";

  private LockHolder() {}

  public static void main(String[] args) throws IOException {
    try (SyncStateStore store = SyncStateStore.sqlite(Path.of(args[0]));
        RunLock lock =
            RunLock.builder(store)
                .scopes(List.of(args[1]))
                .lease(Duration.ofSeconds(Long.parseLong(args[2])))
                .acquire()) {
      System.out.println(READY + " " + lock.owner());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Holds the lock until the parent closes stdin.
      }
    }
  }
}
