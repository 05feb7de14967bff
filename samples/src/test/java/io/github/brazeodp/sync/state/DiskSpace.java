package io.github.brazeodp.sync.state;

/**
 * Makes a SQLite state store's disk full and gives the space back, for the host's end-to-end tests:
 * a size-limited file system needs root, SQLite's page cap does not, and it fails writes with the
 * same {@code SQLITE_FULL} a full disk does.
 */
public final class DiskSpace {
  private DiskSpace() {}

  /** Lets the store's file grow no more; the next write that needs a page fails as disk full. */
  public static void fill(SyncStateStore store) {
    sqlite(store).maxPageCount(1);
  }

  /** Gives the space back. */
  public static void free(SyncStateStore store) {
    sqlite(store).maxPageCount(1_000_000_000L);
  }

  private static JdbcStateStore sqlite(SyncStateStore store) {
    if (store instanceof JdbcStateStore s) {
      return s;
    }
    throw new IllegalArgumentException("not a SQLite state store: " + store.getClass().getName());
  }
}
