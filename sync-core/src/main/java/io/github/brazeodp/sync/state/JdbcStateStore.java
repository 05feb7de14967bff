package io.github.brazeodp.sync.state;

import io.github.brazeodp.sync.internal.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL store, on SQLite or PostgreSQL ({@link SqlDialect}): one JDBC connection guarded by a
 * lock.
 *
 * <p>On PostgreSQL the schema lives in the connection's current schema, created and migrated on
 * open under an advisory lock, so that two hosts opening one database at once migrate it once.
 * Several hosts share one database safely: run locks are lease rows taken by conditional upserts,
 * outbox claims skip rows another forwarder has locked, and de-duplication ids and ledger claims
 * are decided by unique constraints ({@code ON CONFLICT ... RETURNING}), never by a read before the
 * write.
 *
 * <p>SQLite: one database file.
 *
 * <p>The file carries {@link #APPLICATION_ID} in its header and a {@code schema_version} table,
 * both checked on open, so that a foreign or newer file is refused instead of being reused. The
 * database runs in WAL mode with {@code synchronous=FULL}: a commit is on disk when it returns,
 * which is what lets the Currents receiver acknowledge queued events. Writes take the database lock
 * up front ({@code BEGIN IMMEDIATE}) so that two processes sharing a file wait for each other
 * instead of failing on a lock upgrade.
 */
final class JdbcStateStore extends AbstractStateStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcStateStore.class);

  /** The SQLite {@code application_id} of a state store file: "BZOD". */
  static final int APPLICATION_ID = 0x425A4F44;

  // Declared before MIGRATIONS, which reads it during class initialisation.
  // Currents dead letters, the attempt count that lets a message that keeps failing become one, and
  // the parked events waiting for the identity map to learn their user.
  private static final List<String> SCHEMA_V2 =
      List.of(
          "ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
          "CREATE TABLE dead_letter (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
              + " id TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, size INTEGER NOT NULL,"
              + " enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL,"
              + " dead_at INTEGER NOT NULL, reason TEXT NOT NULL)",
          "CREATE INDEX dead_letter_by_time ON dead_letter (dead_at)",
          "CREATE TABLE parked (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
              + " payload TEXT NOT NULL, braze_id TEXT, external_id TEXT,"
              + " parked_at INTEGER NOT NULL)",
          "CREATE INDEX parked_by_time ON parked (parked_at)");

  /** Run locks (a lease per flow scope) and the reason of a failed run in the activity log. */
  private static final List<String> SCHEMA_V3 =
      List.of(
          "CREATE TABLE run_lock (scope TEXT PRIMARY KEY, owner TEXT NOT NULL,"
              + " acquired_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID",
          "ALTER TABLE activity ADD COLUMN reason TEXT");

  /**
   * Outbox claims: the forwarder holding a message and until when, so that several forwarders on
   * one database never send the same message at once.
   */
  private static final List<String> SCHEMA_V6 =
      List.of(
          "ALTER TABLE outbox ADD COLUMN claim_owner TEXT",
          "ALTER TABLE outbox ADD COLUMN claim_until INTEGER");

  /**
   * Outbox chunks: the messages of one {@link StateWriter#enqueueNew} call (one Currents request)
   * in one row instead of one row each, which took a third of the receiver's and most of the
   * forwarder's store time (a row and an id index entry per event, written, claimed and deleted).
   * Claim state and attempts are in {@code outbox_chunk}, the ids and payloads in {@code
   * outbox_chunk_data}: claiming a chunk rewrites a few bytes, not its payload pages. Rows of the
   * {@code outbox} table, from earlier versions or single messages, are read as before.
   */
  private static final List<String> SCHEMA_V7 =
      List.of(
          "CREATE TABLE outbox_chunk (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
              + " messages INTEGER NOT NULL, size INTEGER NOT NULL, enqueued_at INTEGER NOT NULL,"
              + " attempts INTEGER NOT NULL DEFAULT 0, claim_owner TEXT, claim_until INTEGER)",
          "CREATE TABLE outbox_chunk_data (seq INTEGER PRIMARY KEY, ids TEXT NOT NULL,"
              + " payloads TEXT NOT NULL)");

  /**
   * Forward migrations, by the schema version each one produces. A file at version {@code v} gets
   * every step above {@code v}, in order, in the transaction that opens it; a new file gets version
   * 1 and then every step. Steps only ever add (tables, columns, indexes), so that no state is
   * dropped on the way.
   */
  private static final NavigableMap<Integer, List<String>> MIGRATIONS = migrations();

  /** The schema version this code reads and writes. */
  static final int SCHEMA_VERSION = MIGRATIONS.isEmpty() ? 1 : MIGRATIONS.lastKey();

  static final String DRIVER_CLASS = "org.sqlite.JDBC";

  private static final byte[] SQLITE_HEADER =
      "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final int BUSY_TIMEOUT_MILLIS = 10_000;
  // Rows per executeBatch call; large enough to amortise the JNI round trip, small enough to bound
  // the driver's buffered parameters.
  private static final int BATCH_SIZE = 1_000;
  // Rows per multi-row INSERT; times the parameters per row, well under SQLite's 32,766 variables.
  private static final int ROWS_PER_INSERT = 100;
  // Parameter counts of the IN (...) lookups; a short list pads to the small size, so there are
  // only
  // two cached statements per query however the batches are sized.
  private static final int SMALL_IN = 16;
  private static final int LARGE_IN = 500;
  private static final int MEMBER_HASH_PAGE = 5_000;
  // More hashes than this in a page's key range: its members are looked up by key instead.
  private static final int MAX_PAGE_HASHES = 4 * MEMBER_HASH_PAGE;
  private static final String MAY_HAVE_BEEN_SENT = "('PENDING', 'SENT', 'UNKNOWN')";

  private static final List<String> SCHEMA_V1 =
      List.of(
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
          "CREATE TABLE checkpoint (scope TEXT PRIMARY KEY, run_id TEXT NOT NULL,"
              + " export_object_prefix TEXT, export_url TEXT, export_requested_at INTEGER,"
              + " completed_files TEXT NOT NULL, current_file TEXT, current_line INTEGER NOT NULL,"
              + " attributes TEXT NOT NULL) WITHOUT ROWID",
          "CREATE TABLE last_success (scope TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID",
          "CREATE TABLE diff_hash (namespace TEXT NOT NULL, customer TEXT NOT NULL,"
              + " hash TEXT NOT NULL, PRIMARY KEY (namespace, customer)) WITHOUT ROWID",
          "CREATE TABLE member (segment TEXT NOT NULL, member TEXT NOT NULL,"
              + " PRIMARY KEY (segment, member)) WITHOUT ROWID",
          "CREATE TABLE member_staged (segment TEXT NOT NULL, run TEXT NOT NULL,"
              + " member TEXT NOT NULL, PRIMARY KEY (segment, run, member)) WITHOUT ROWID",
          "CREATE TABLE identity (braze_id TEXT PRIMARY KEY, external_id TEXT UNIQUE,"
              + " identifiers TEXT NOT NULL, updated_at INTEGER NOT NULL)",
          "CREATE TABLE seen_id (id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID",
          "CREATE INDEX seen_id_by_time ON seen_id (seen_at)",
          "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
              + " payload TEXT NOT NULL, size INTEGER NOT NULL, enqueued_at INTEGER NOT NULL)",
          "CREATE TABLE ledger (activation TEXT NOT NULL, occurrence TEXT NOT NULL,"
              + " customer TEXT NOT NULL, state TEXT NOT NULL, attempted_at INTEGER NOT NULL,"
              + " updated_at INTEGER NOT NULL, dispatch_id TEXT, reason TEXT,"
              + " PRIMARY KEY (activation, occurrence, customer)) WITHOUT ROWID",
          "CREATE INDEX ledger_by_customer ON ledger (activation, customer, attempted_at)",
          "CREATE INDEX ledger_by_attempt ON ledger (activation, attempted_at)",
          "CREATE TABLE activity (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
              + " category TEXT NOT NULL, flow TEXT NOT NULL, subject TEXT NOT NULL,"
              + " started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL, status TEXT NOT NULL,"
              + " read_count INTEGER NOT NULL, matched INTEGER NOT NULL,"
              + " unmatched INTEGER NOT NULL, unchanged INTEGER NOT NULL, sent INTEGER NOT NULL,"
              + " rejected INTEGER NOT NULL, retried INTEGER NOT NULL,"
              + " braze_calls INTEGER NOT NULL, odp_calls INTEGER NOT NULL,"
              + " other_counts TEXT NOT NULL, rejections TEXT NOT NULL)",
          "CREATE INDEX activity_by_flow ON activity (flow, seq)",
          "CREATE INDEX activity_by_end ON activity (ended_at)");

  private static final String CHECKPOINT_COLUMNS =
      "run_id, export_object_prefix, export_url, export_requested_at, completed_files,"
          + " current_file, current_line, attributes";
  private static final String LEDGER_COLUMNS =
      "activation, occurrence, customer, state, attempted_at, updated_at, dispatch_id, reason";
  private static final String ACTIVITY_COLUMNS =
      "id, category, flow, subject, started_at, ended_at, status, read_count, matched, unmatched,"
          + " unchanged, sent, rejected, retried, braze_calls, odp_calls, other_counts, rejections,"
          + " reason";

  private static final String CHECKPOINT_UPDATES =
      Arrays.stream(CHECKPOINT_COLUMNS.split(",", -1))
          .map(String::trim)
          .map(column -> column + " = excluded." + column)
          .collect(Collectors.joining(", "));

  // Every column but the id, so that a replaced record keeps its id and its place (seq) in the log.
  private static final String ACTIVITY_UPDATES =
      Arrays.stream(ACTIVITY_COLUMNS.split(",", -1))
          .map(String::trim)
          .filter(column -> !column.equals("id"))
          .map(column -> column + " = excluded." + column)
          .collect(Collectors.joining(", "));

  private final Path path;
  // Names the store in messages when it has no file (PostgreSQL).
  private final String label;
  private final SqlDialect dialect;
  private final String deadLetterFilter;
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private int depth;
  private boolean closed;
  private volatile String corruption;
  // SQLite: whether opening read the file through with quick_check; for tests.
  private boolean checkedOnOpen;
  // A second connection for batch look-ups outside transactions (the Currents receiver's
  // identities,
  // the segment sync's hash comparisons and members): in WAL mode it reads the last commit while
  // the main connection writes, so a batch's look-up does not wait behind the group commit's fsync.
  // Opened on first use; guarded by readerLock, which is never held while taking lock (close()
  // takes lock, then readerLock).
  private final ReentrantLock readerLock = new ReentrantLock();
  private Connection reader;
  private final Map<String, PreparedStatement> readerStatements = new HashMap<>();
  // The outbox chunks this store claimed, by seq, with their ids (a chunk's ids never change):
  // tells which acknowledged or retried ids make up whole chunks, one statement each. Only a hint:
  // a chunk missing from it is found by its ids. Guarded by lock.
  private final Map<Long, List<String>> claimedChunks = new HashMap<>();

  private JdbcStateStore(Path path, String label, SqlDialect dialect, Connection connection) {
    this.path = path;
    this.label = label;
    this.dialect = dialect;
    this.connection = connection;
    // NULL bounds and reason select everything; the reason matches as a case-sensitive substring.
    this.deadLetterFilter =
        " WHERE (CAST(? AS TEXT) IS NULL OR "
            + dialect.contains("reason")
            + ") AND dead_at >= ? AND dead_at < ?";
  }

  // ---- Opening ----------------------------------------------------------------------------------

  static JdbcStateStore open(Path file) {
    return open(file, DRIVER_CLASS);
  }

  /**
   * Opens the store; the driver class is a parameter only so that tests can simulate its absence.
   */
  static JdbcStateStore open(Path file, String driverClass) {
    Objects.requireNonNull(file, "file");
    Path path = file.toAbsolutePath().normalize();
    requireDriver(path, driverClass);
    checkFile(path);
    boolean unchanged = CleanCloseMark.unchangedSinceCleanClose(path);
    Connection connection;
    try {
      Properties properties = new Properties();
      properties.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MILLIS));
      properties.setProperty("transaction_mode", "IMMEDIATE");
      connection = DriverManager.getConnection("jdbc:sqlite:" + path, properties);
    } catch (SQLException e) {
      throw new StateStoreException(path, "cannot open the database: " + describe(e), e);
    }
    try {
      prepare(connection, path, !unchanged);
    } catch (SQLException e) {
      closeAfterFailure(connection, e);
      throw new StateStoreException(path, describe(e), e);
    } catch (RuntimeException e) {
      closeAfterFailure(connection, e);
      throw e;
    }
    LOG.debug(
        unchanged
            ? "Opened state store {}; unchanged since its last clean close, so not read through"
            : "Opened state store {}",
        path);
    JdbcStateStore store = new JdbcStateStore(path, null, SqlDialect.SQLITE, connection);
    store.checkedOnOpen = !unchanged;
    return store;
  }

  /**
   * Opens the store in the current schema of a PostgreSQL connection taken from {@code dataSource}
   * and held until {@link #close}, creating or migrating the schema.
   */
  static JdbcStateStore openPostgres(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      throw new StateStoreException(
          null, "PostgreSQL state store: cannot connect: " + e.getMessage(), e);
    }
    String label = "PostgreSQL state store";
    try {
      // The URL without its parameters (the driver lists them all), and the schema in use.
      String url = connection.getMetaData().getURL().replaceFirst("\\?.*$", "");
      try (Statement st = connection.createStatement()) {
        label =
            "PostgreSQL state store "
                + url
                + " (schema "
                + queryString(st, "SELECT current_schema()")
                + ")";
      }
      preparePostgres(connection, label);
    } catch (SQLException e) {
      closeAfterFailure(connection, e);
      throw new StateStoreException(null, label + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAfterFailure(connection, e);
      throw e;
    }
    LOG.debug("Opened {}", label);
    return new JdbcStateStore(null, label, SqlDialect.POSTGRES, connection);
  }

  /**
   * Creates or migrates the schema in one transaction under a transaction-level advisory lock: a
   * second host opening the same database meanwhile waits, then finds the schema current. DDL is
   * transactional in PostgreSQL, so a failed step leaves the previous version intact.
   */
  private static void preparePostgres(Connection connection, String label) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement st = connection.createStatement()) {
      st.execute("SELECT pg_advisory_xact_lock(" + APPLICATION_ID + ")");
      boolean exists =
          queryInt(
                  st,
                  "SELECT COUNT(*) FROM information_schema.tables"
                      + " WHERE table_schema = current_schema() AND table_name = 'schema_version'")
              > 0;
      if (exists) {
        int version = queryInt(st, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
        if (version > SCHEMA_VERSION) {
          throw new StateStoreException(
              null,
              label
                  + ": was written by a newer version of braze-odp-sync (schema version "
                  + version
                  + ", this version supports up to "
                  + SCHEMA_VERSION
                  + "); upgrade the library or use another schema",
              null);
        }
        migrate(st, version, SqlDialect.POSTGRES);
      } else {
        if (queryString(st, "SELECT current_schema()") == null) {
          throw new StateStoreException(
              null,
              label
                  + ": the connection has no current schema (search_path names no existing"
                  + " schema); create the schema or set currentSchema in the URL",
              null);
        }
        for (String ddl : SCHEMA_V1) {
          st.execute(SqlDialect.POSTGRES.ddl(ddl));
        }
        recordVersion(st, 1);
        migrate(st, 1, SqlDialect.POSTGRES);
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static void requireDriver(Path path, String driverClass) {
    try {
      Class.forName(driverClass);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new StateStoreException(
          path,
          "the SQLite state store needs the SQLite JDBC driver ("
              + driverClass
              + "), which is not on the classpath; add the dependency org.xerial:sqlite-jdbc"
              + " (optional in sync-core), or use SyncStateStore.inMemory()",
          e);
    }
  }

  /**
   * Refuses, before SQLite touches it, a path that cannot hold a database or holds something else.
   */
  private static void checkFile(Path path) {
    if (Files.isDirectory(path)) {
      throw new StateStoreException(path, "is a directory, not a database file", null);
    }
    try {
      Path parent = path.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (!Files.exists(path)) {
        createOwnerOnly(path);
        return;
      }
      if (Files.size(path) == 0) {
        return;
      }
      byte[] header;
      try (InputStream in = Files.newInputStream(path)) {
        header = in.readNBytes(SQLITE_HEADER.length);
      }
      if (!Arrays.equals(header, SQLITE_HEADER)) {
        throw new StateStoreException(
            path,
            "is not a SQLite database (corrupt, or another kind of file); refusing to use it as a"
                + " state store. Move it away or choose another path",
            null);
      }
    } catch (IOException e) {
      throw new StateStoreException(path, "cannot read or create the file: " + e, e);
    }
  }

  /**
   * Creates the file readable and writable by its owner only (0600) where the file system has POSIX
   * permissions: it holds customer identifiers. SQLite gives its -wal and -shm files the mode of
   * the database file. The directory is left as the operator made it.
   */
  private static void createOwnerOnly(Path path) throws IOException {
    try {
      if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(path);
      }
    } catch (FileAlreadyExistsException e) {
      // Another process created it between our check and now; it made it owner-only too.
    }
  }

  /**
   * Reads the whole file once with {@code PRAGMA quick_check}, so that a damaged file is named
   * before this process writes anything into it (SQLite reports most page damage only when a
   * statement touches the page, by then in the middle of a run).
   */
  private static void checkIntegrity(Statement st, Path path) throws SQLException {
    List<String> problems = new ArrayList<>();
    SQLException failure = null;
    try (ResultSet rs = st.executeQuery("PRAGMA quick_check(5)")) {
      while (rs.next()) {
        problems.add(rs.getString(1));
      }
    } catch (SQLException e) {
      if (!isCorruption(e)) {
        throw e;
      }
      // Damage so deep that the check itself cannot read on.
      failure = e;
      problems.add(String.valueOf(e.getMessage()));
    }
    if (!(problems.size() == 1 && "ok".equalsIgnoreCase(problems.get(0)))) {
      throw new StateStoreException(
          path,
          "is corrupt (SQLite quick_check: "
              + String.join("; ", problems)
              + "); nothing was written to it. Restore it from a backup, or move it away to start"
              + " afresh (the next run then resends every profile)",
          failure);
    }
  }

  /** Checks that the file is ours and current, or empty and then creates the schema. */
  private static void prepare(Connection connection, Path path, boolean check) throws SQLException {
    try (Statement st = connection.createStatement()) {
      // 16 MiB of page cache (native memory, not heap) instead of 2 MiB: bulk hash and membership
      // writes touch B-tree pages all over the file and slow down several times with less. Set
      // before the check, which then leaves the pages it read last cached for the first reads.
      st.execute("PRAGMA cache_size = -16384");
      if (check) {
        checkIntegrity(st, path);
      }
      // In one IMMEDIATE transaction, so that two processes opening a new file cannot both create
      // it.
      connection.setAutoCommit(false);
      int applicationId = queryInt(st, "PRAGMA application_id");
      if (applicationId == APPLICATION_ID) {
        int version = schemaVersion(st, path);
        if (version > SCHEMA_VERSION) {
          throw new StateStoreException(
              path,
              "was written by a newer version of braze-odp-sync (schema version "
                  + version
                  + ", this version supports up to "
                  + SCHEMA_VERSION
                  + "); upgrade the library or use another file",
              null);
        }
        migrate(st, version, SqlDialect.SQLITE);
      } else if (applicationId == 0) {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs =
            st.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                    + " AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
          while (rs.next()) {
            tables.add(rs.getString(1));
          }
        }
        if (!tables.isEmpty()) {
          throw new StateStoreException(
              path,
              "is a SQLite database of another application (tables "
                  + String.join(", ", tables.subList(0, Math.min(5, tables.size())))
                  + (tables.size() > 5 ? ", ..." : "")
                  + "); refusing to reuse it as a state store",
              null);
        }
        for (String ddl : SCHEMA_V1) {
          st.execute(ddl);
        }
        st.execute("PRAGMA application_id = " + APPLICATION_ID);
        recordVersion(st, 1);
        migrate(st, 1, SqlDialect.SQLITE);
      } else {
        throw new StateStoreException(
            path,
            String.format(
                "is a SQLite database of another application (application_id 0x%08X, expected"
                    + " 0x%08X); refusing to reuse it as a state store",
                applicationId, APPLICATION_ID),
            null);
      }
      connection.commit();
      connection.setAutoCommit(true);
      // The journal mode cannot change inside a transaction, hence after the commit.
      String mode = queryString(st, "PRAGMA journal_mode = WAL");
      if (!"wal".equalsIgnoreCase(mode)) {
        LOG.warn("State store {} runs in journal mode {} instead of WAL", path, mode);
      }
      st.execute("PRAGMA synchronous = FULL");
    }
  }

  private static NavigableMap<Integer, List<String>> migrations() {
    NavigableMap<Integer, List<String>> steps = new TreeMap<>();
    steps.put(2, SCHEMA_V2);
    steps.put(3, SCHEMA_V3);
    steps.put(6, SCHEMA_V6);
    steps.put(7, SCHEMA_V7);
    return Collections.unmodifiableNavigableMap(steps);
  }

  /** Applies every migration step above {@code from}, recording each version it reaches. */
  private static void migrate(Statement st, int from, SqlDialect dialect) throws SQLException {
    for (Map.Entry<Integer, List<String>> step : MIGRATIONS.tailMap(from, false).entrySet()) {
      for (String ddl : step.getValue()) {
        st.execute(dialect.ddl(ddl));
      }
      recordVersion(st, step.getKey());
      LOG.info("State store schema migrated to version {}", step.getKey());
    }
  }

  private static void recordVersion(Statement st, int version) throws SQLException {
    st.execute(
        "INSERT INTO schema_version (version, applied_at) VALUES ("
            + version
            + ", '"
            + Instant.now().truncatedTo(ChronoUnit.SECONDS)
            + "')");
  }

  private static int schemaVersion(Statement st, Path path) throws SQLException {
    boolean hasTable;
    try (ResultSet rs =
        st.executeQuery(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")) {
      hasTable = rs.next();
    }
    if (!hasTable) {
      throw new StateStoreException(
          path, "is damaged: it is marked as a state store but has no schema_version table", null);
    }
    int version = queryInt(st, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (version < 1) {
      throw new StateStoreException(path, "is damaged: its schema_version table is empty", null);
    }
    return version;
  }

  private static int queryInt(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static String queryString(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void closeAfterFailure(Connection connection, Exception failure) {
    try {
      connection.close();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  private static boolean isCorruption(SQLException e) {
    return SqlDialect.SQLITE.isCorruption(e);
  }

  private static String describe(SQLException e) {
    return describe(SqlDialect.SQLITE, e);
  }

  /** Explains the result codes an operator can act on. */
  private static String describe(SqlDialect dialect, SQLException e) {
    String message = String.valueOf(e.getMessage());
    if (dialect.isCorruption(e)) {
      return dialect == SqlDialect.SQLITE
          ? "the file is corrupt or not a SQLite database (" + message + ")"
          : "the database reports corrupt data (" + message + ")";
    }
    if (dialect.isDiskFull(e)) {
      return "the database's disk is full (" + message + ")";
    }
    if (dialect.isBusy(e)) {
      return dialect == SqlDialect.SQLITE
          ? "the database stayed locked by another connection for "
              + BUSY_TIMEOUT_MILLIS / 1000
              + " s ("
              + message
              + ")"
          : "another connection held a lock this one needed (" + message + ")";
    }
    if (dialect.isUniqueViolation(e)) {
      return "a unique constraint refused a duplicate row (" + message + ")";
    }
    return message;
  }

  private StateStoreException failure(String what, SQLException e) {
    if (dialect.isCorruption(e)) {
      // Damage found during a run: refuse every later call, so that the run stops at once instead
      // of writing more into a damaged file and failing later with a misleading driver message.
      corruption = describe(dialect, e);
      if (path != null) {
        CleanCloseMark.forget(path);
      }
    }
    return exception("failed to " + what + ": " + describe(dialect, e), e);
  }

  private StateStoreException exception(String message, Throwable cause) {
    return new StateStoreException(path, path == null ? label + ": " + message : message, cause);
  }

  /** Names the store in logs and messages: its file or its database. */
  private Object where() {
    return path == null ? label : path;
  }

  // ---- Plumbing ---------------------------------------------------------------------------------

  @FunctionalInterface
  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  /** Binds one item's parameters, the first of which is at index {@code first}. */
  @FunctionalInterface
  private interface Binder<T> {
    void bind(PreparedStatement statement, int first, T item) throws SQLException;
  }

  /** Prepares (or finds the prepared) statement on one of the connections. */
  @FunctionalInterface
  private interface Statements {
    PreparedStatement prepare(String sql) throws SQLException;
  }

  @FunctionalInterface
  private interface RowHandler {
    void accept(ResultSet row) throws SQLException;
  }

  private void ensureOpen() {
    if (corruption != null) {
      throw exception("is corrupt; refusing to use it further: " + corruption, null);
    }
    if (closed) {
      throw new IllegalStateException("The state store " + where() + " is closed");
    }
  }

  private <T> T read(String what, SqlWork<T> work) {
    lock.lock();
    try {
      ensureOpen();
      return work.run();
    } catch (SQLException e) {
      throw failure(what, e);
    } finally {
      lock.unlock();
    }
  }

  private PreparedStatement statement(String sql) throws SQLException {
    return cached(statements, connection, sql);
  }

  /** The statement prepared once per connection and kept in that connection's cache. */
  private static PreparedStatement cached(
      Map<String, PreparedStatement> cache, Connection on, String sql) throws SQLException {
    PreparedStatement statement = cache.get(sql);
    if (statement == null) {
      statement = on.prepareStatement(sql);
      cache.put(sql, statement);
    }
    return statement;
  }

  private PreparedStatement bind(String sql, Object... params) throws SQLException {
    return bound(this::statement, sql, params);
  }

  private static void setParam(PreparedStatement statement, int index, Object value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.NULL);
    } else if (value instanceof String s) {
      statement.setString(index, s);
    } else if (value instanceof Long l) {
      statement.setLong(index, l);
    } else if (value instanceof Integer i) {
      statement.setInt(index, i);
    } else if (value instanceof Instant instant) {
      statement.setLong(index, Codec.toNanos(instant));
    } else {
      throw new IllegalArgumentException("unsupported parameter type " + value.getClass());
    }
  }

  private long update(String sql, Object... params) throws SQLException {
    return bind(sql, params).executeUpdate();
  }

  private void query(String sql, RowHandler rows, Object... params) throws SQLException {
    try (ResultSet rs = bind(sql, params).executeQuery()) {
      consume(rs, rows);
    }
  }

  private static void consume(ResultSet rs, RowHandler rows) throws SQLException {
    try {
      while (rs.next()) {
        rows.accept(rs);
      }
    } catch (RowException e) {
      throw e.sqlException();
    }
  }

  private long queryLong(String sql, Object... params) throws SQLException {
    try (ResultSet rs = bind(sql, params).executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private <T> Optional<T> queryOne(String sql, Function<ResultSet, T> mapper, Object... params)
      throws SQLException {
    List<T> found = new ArrayList<>(1);
    query(sql, rs -> found.add(mapper.apply(rs)), params);
    return found.stream().findFirst();
  }

  /**
   * Runs {@code sqlBefore (?, ?, ...) sqlAfter} over the keys in chunks; the last chunk repeats its
   * last key to fill the placeholders, which {@code IN} ignores.
   */
  private void selectIn(
      String sqlBefore, String sqlAfter, List<String> keys, RowHandler rows, String... fixed)
      throws SQLException {
    selectIn(this::statement, sqlBefore, sqlAfter, keys, rows, fixed);
  }

  private void selectIn(
      Statements statements,
      String sqlBefore,
      String sqlAfter,
      List<String> keys,
      RowHandler rows,
      String... fixed)
      throws SQLException {
    int size = keys.size() <= SMALL_IN ? SMALL_IN : LARGE_IN;
    String sql = sqlBefore + "(" + "?, ".repeat(size - 1) + "?)" + sqlAfter;
    PreparedStatement statement = statements.prepare(sql);
    for (int from = 0; from < keys.size(); from += size) {
      int to = Math.min(keys.size(), from + size);
      int index = 1;
      for (String value : fixed) {
        statement.setString(index++, value);
      }
      for (int i = from; i < from + size; i++) {
        statement.setString(index++, keys.get(Math.min(i, to - 1)));
      }
      try (ResultSet rs = statement.executeQuery()) {
        consume(rs, rows);
      }
    }
  }

  /**
   * Runs {@code WITH columns AS (VALUES row, row, ...) sql} over the items in chunks, binding each
   * item's row and then the fixed parameters; the last chunk repeats its last item to fill the
   * rows, so queries must tolerate a repeated row.
   */
  private <T> void selectValues(
      Statements statements,
      String columns,
      String row,
      String sql,
      List<T> items,
      Binder<T> binder,
      RowHandler rows,
      String... fixed)
      throws SQLException {
    if (items.isEmpty()) {
      return;
    }
    int size = items.size() <= SMALL_IN ? SMALL_IN : LARGE_IN;
    int params = (int) row.chars().filter(c -> c == '?').count();
    PreparedStatement statement =
        statements.prepare(
            "WITH " + columns + " AS (VALUES " + (row + ", ").repeat(size - 1) + row + ") " + sql);
    for (int from = 0; from < items.size(); from += size) {
      int to = Math.min(items.size(), from + size);
      int index = 1;
      for (int i = from; i < from + size; i++) {
        binder.bind(statement, index, items.get(Math.min(i, to - 1)));
        index += params;
      }
      for (String value : fixed) {
        statement.setString(index++, value);
      }
      try (ResultSet rs = statement.executeQuery()) {
        consume(rs, rows);
      }
    }
  }

  /** Runs one statement per item with executeBatch, in chunks; returns the rows changed. */
  private <T> long batch(String sql, Collection<T> items, Binder<T> binder) throws SQLException {
    if (items.isEmpty()) {
      return 0;
    }
    PreparedStatement statement = statement(sql);
    long changed = 0;
    int pending = 0;
    try {
      for (T item : items) {
        binder.bind(statement, 1, item);
        statement.addBatch();
        if (++pending == BATCH_SIZE) {
          changed += sum(statement.executeBatch());
          pending = 0;
        }
      }
      if (pending > 0) {
        changed += sum(statement.executeBatch());
      }
    } catch (SQLException | RuntimeException e) {
      statement.clearBatch();
      throw e;
    }
    return changed;
  }

  /**
   * Inserts rows {@value #ROWS_PER_INSERT} at a time with one multi-row {@code VALUES} statement,
   * which is several times faster through the driver than a batch of single-row statements; the
   * remainder goes through {@link #batch}. Returns the rows changed.
   */
  private <T> long insert(
      String head, String row, String tail, Collection<T> items, Binder<T> binder)
      throws SQLException {
    int params = (int) row.chars().filter(c -> c == '?').count();
    PreparedStatement statement =
        statement(head + String.join(", ", Collections.nCopies(ROWS_PER_INSERT, row)) + tail);
    Iterator<T> it = items.iterator();
    long changed = 0;
    for (int chunk = items.size() / ROWS_PER_INSERT; chunk > 0; chunk--) {
      for (int r = 0; r < ROWS_PER_INSERT; r++) {
        binder.bind(statement, r * params + 1, it.next());
      }
      changed += statement.executeUpdate();
    }
    List<T> rest = new ArrayList<>();
    it.forEachRemaining(rest::add);
    return changed + batch(head + row + tail, rest, binder);
  }

  /**
   * Inserts rows like {@link #insert}, {@value #ROWS_PER_INSERT} at a time, through statements
   * ending in {@code RETURNING}, hands every returned row to {@code rows} and returns their number.
   */
  private <T> long insertReturning(
      String head, String row, String tail, List<T> items, Binder<T> binder, RowHandler rows)
      throws SQLException {
    long returned = 0;
    int params = (int) row.chars().filter(c -> c == '?').count();
    for (int from = 0; from < items.size(); from += ROWS_PER_INSERT) {
      int count = Math.min(ROWS_PER_INSERT, items.size() - from);
      String sql = head + String.join(", ", Collections.nCopies(count, row)) + tail;
      // The full-size statement is cached; a shorter last one is prepared for this call only, so
      // that odd batch sizes do not fill the cache.
      boolean full = count == ROWS_PER_INSERT;
      PreparedStatement statement = full ? statement(sql) : connection.prepareStatement(sql);
      try {
        for (int r = 0; r < count; r++) {
          binder.bind(statement, r * params + 1, items.get(from + r));
        }
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            rows.accept(rs);
            returned++;
          }
        }
      } finally {
        if (!full) {
          statement.close();
        }
      }
    }
    return returned;
  }

  /**
   * The keys sorted, so that two hosts inserting overlapping keys lock them in the same order and
   * one waits for the other instead of both deadlocking.
   */
  private static List<String> lockOrder(List<String> keys) {
    List<String> sorted = new ArrayList<>(keys);
    sorted.sort(Codec.CODE_POINT_ORDER);
    return sorted;
  }

  /** The keys among {@code chosen}, in the order of {@code keys}. */
  private static Set<String> inOrder(List<String> keys, Set<String> chosen) {
    Set<String> ordered = new LinkedHashSet<>();
    for (String key : keys) {
      if (chosen.contains(key)) {
        ordered.add(key);
      }
    }
    return ordered;
  }

  private static long sum(int[] counts) {
    long total = 0;
    for (int count : counts) {
      total += Math.max(count, 0);
    }
    return total;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    long nanos = rs.getLong(column);
    return rs.wasNull() ? null : Codec.fromNanos(nanos);
  }

  // ---- Transactions -----------------------------------------------------------------------------

  @Override
  public <T> T transactionResult(Function<? super StateWriter, ? extends T> work) {
    Objects.requireNonNull(work, "work");
    lock.lock();
    try {
      ensureOpen();
      return depth == 0 ? outermost(work) : nested(work);
    } finally {
      lock.unlock();
    }
  }

  private <T> T outermost(Function<? super StateWriter, ? extends T> work) {
    try {
      connection.setAutoCommit(false);
    } catch (SQLException e) {
      throw failure("begin a transaction", e);
    }
    depth = 1;
    Tx tx = new Tx();
    try {
      T result = work.apply(tx);
      tx.finish();
      connection.commit();
      connection.setAutoCommit(true);
      return result;
    } catch (SQLException e) {
      rollback(e);
      throw failure("commit", e);
    } catch (RuntimeException | Error e) {
      rollback(e);
      throw e;
    } finally {
      tx.finish();
      depth = 0;
    }
  }

  /**
   * Rolls back the open transaction; if even that fails the connection is closed, which makes
   * SQLite discard the transaction, rather than ever committing part of it.
   */
  private void rollback(Throwable failure) {
    // A statement that failed mid-step (SQLITE_FULL, an I/O error) is left unusable by the driver
    // ("statement is not executing"); prepare them afresh rather than fail every later write.
    if (failure instanceof SQLException || failure instanceof StateStoreException) {
      closeStatements();
    }
    try {
      connection.rollback();
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // On a full disk or an I/O error SQLite rolls the transaction back itself, and the JDBC
      // rollback then fails with "no transaction is active". The connection is still good: keep
      // it, so that the store works again as soon as writes succeed, without a restart.
      try {
        connection.setAutoCommit(true);
      } catch (SQLException alreadyEnded) {
        e.addSuppressed(alreadyEnded);
      }
      if (usable()) {
        LOG.debug("State store {}: SQLite had already rolled the transaction back", where(), e);
        return;
      }
      failure.addSuppressed(e);
      closed = true;
      LOG.error(
          "State store {}: rollback failed and the connection is unusable; closing", where(), e);
      closeConnection();
    }
  }

  private boolean usable() {
    try (Statement st = connection.createStatement()) {
      st.executeQuery("SELECT 1").close();
      return connection.getAutoCommit();
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Caps the database file at {@code pages} pages (SQLite's {@code max_page_count}; never below its
   * current size), so that tests can make writes fail as on a full disk and then give the space
   * back.
   */
  void maxPageCount(long pages) {
    lock.lock();
    try {
      ensureOpen();
      try (Statement st = connection.createStatement()) {
        st.execute("PRAGMA max_page_count = " + pages);
      }
    } catch (SQLException e) {
      throw failure("set max_page_count", e);
    } finally {
      lock.unlock();
    }
  }

  private <T> T nested(Function<? super StateWriter, ? extends T> work) {
    Savepoint savepoint;
    try {
      savepoint = connection.setSavepoint();
    } catch (SQLException e) {
      throw failure("begin a nested transaction", e);
    }
    depth++;
    Tx tx = new Tx();
    try {
      T result = work.apply(tx);
      tx.finish();
      connection.releaseSavepoint(savepoint);
      return result;
    } catch (SQLException e) {
      throw failure("end a nested transaction", e);
    } catch (RuntimeException | Error e) {
      try {
        connection.rollback(savepoint);
        connection.releaseSavepoint(savepoint);
      } catch (SQLException s) {
        e.addSuppressed(s);
      }
      throw e;
    } finally {
      tx.finish();
      depth--;
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      boolean clean = closeConnection();
      if (path != null) {
        noteCleanClose(clean);
      }
      LOG.debug("Closed state store {}", where());
    } finally {
      lock.unlock();
    }
  }

  private void closeStatements() {
    for (PreparedStatement statement : statements.values()) {
      try {
        statement.close();
      } catch (SQLException e) {
        LOG.debug("State store {}: closing a statement failed", where(), e);
      }
    }
    statements.clear();
  }

  /** Closes both connections; false when the main one failed to close. */
  private boolean closeConnection() {
    readerLock.lock();
    try {
      closeReader();
    } finally {
      readerLock.unlock();
    }
    closeStatements();
    try {
      connection.close();
      return true;
    } catch (SQLException e) {
      LOG.warn("State store {}: closing the connection failed", where(), e);
      return false;
    }
  }

  /**
   * Describes the SQLite file as this close leaves it, so that the next open can skip reading it
   * through (see {@link CleanCloseMark}); a file found damaged, or not closed cleanly, gets no
   * note, and the next open checks it.
   */
  private void noteCleanClose(boolean clean) {
    if (!clean || corruption != null) {
      CleanCloseMark.forget(path);
      return;
    }
    try {
      CleanCloseMark.record(path);
    } catch (IOException | RuntimeException e) {
      CleanCloseMark.forget(path);
      LOG.debug("State store {}: cannot note the clean close; the next open checks it", path, e);
    }
  }

  // ---- Reads ------------------------------------------------------------------------------------

  @Override
  public Optional<Checkpoint> checkpoint(String scope) {
    Args.key(scope, "scope");
    return read(
        "read a checkpoint",
        () ->
            queryOne(
                "SELECT " + CHECKPOINT_COLUMNS + " FROM checkpoint WHERE scope = ?",
                JdbcStateStore::checkpointRow,
                scope));
  }

  private static Checkpoint checkpointRow(ResultSet rs) {
    try {
      return new Checkpoint(
          rs.getString("run_id"),
          rs.getString("export_object_prefix"),
          rs.getString("export_url"),
          instant(rs, "export_requested_at"),
          Codec.decodeList(rs.getString("completed_files")),
          rs.getString("current_file"),
          rs.getLong("current_line"),
          Codec.decodeMap(rs.getString("attributes")));
    } catch (SQLException e) {
      throw new RowException(e);
    }
  }

  @Override
  public Optional<Instant> lastSuccess(String scope) {
    Args.key(scope, "scope");
    return read(
        "read a last success",
        () ->
            queryOne(
                "SELECT at FROM last_success WHERE scope = ?",
                rs -> {
                  try {
                    return instant(rs, "at");
                  } catch (SQLException e) {
                    throw new RowException(e);
                  }
                },
                scope));
  }

  @Override
  public Map<String, String> hashes(String namespace, Collection<String> keys) {
    Args.key(namespace, "namespace");
    List<String> unique = Args.unique(keys, "keys");
    return read(
        "read hashes",
        () -> {
          Map<String, String> found = new HashMap<>();
          selectIn(
              "SELECT customer, hash FROM diff_hash WHERE namespace = ? AND customer IN ",
              "",
              unique,
              rs -> found.put(rs.getString(1), rs.getString(2)),
              namespace);
          return found;
        });
  }

  @Override
  public Map<String, Optional<String>> hashesUnlessEndingWith(
      String namespace, Map<String, String> suffixes) {
    Args.key(namespace, "namespace");
    List<Map.Entry<String, String>> expected = new ArrayList<>(suffixes.size());
    suffixes.forEach(
        (key, suffix) ->
            expected.add(
                Map.entry(
                    Objects.requireNonNull(key, "key"),
                    Objects.requireNonNull(suffix, () -> "suffix of " + key))));
    // On the reader connection when it is free, so that the segment sync's look-ups do not wait
    // for the commit of its previous batch on the main connection.
    return onReader(() -> differingHashes(this::readerStatement, namespace, expected), true)
        .orElseGet(
            () ->
                read(
                    "compare hashes", () -> differingHashes(this::statement, namespace, expected)));
  }

  private Map<String, Optional<String>> differingHashes(
      Statements statements, String namespace, List<Map.Entry<String, String>> expected)
      throws SQLException {
    // The comparison runs in SQLite: an unchanged batch steps once and reads no row, where
    // reading 500 hashes back cost two thirds of an unchanged rerun.
    Map<String, Optional<String>> differing = new HashMap<>();
    selectValues(
        statements,
        "v(k, s)",
        "(?, ?)",
        "SELECT v.k, h.hash FROM v LEFT JOIN diff_hash h"
            + " ON h.namespace = ? AND h.customer = v.k WHERE h.hash IS NULL"
            + " OR length(h.hash) < length(v.s)"
            + " OR substr(h.hash, length(h.hash) - length(v.s) + 1) <> v.s",
        expected,
        (st, i, e) -> {
          st.setString(i, e.getKey());
          st.setString(i + 1, e.getValue());
        },
        rs -> differing.put(rs.getString(1), Optional.ofNullable(rs.getString(2))),
        namespace);
    return differing;
  }

  @Override
  public long hashCount(String namespace) {
    Args.key(namespace, "namespace");
    return read(
        "count hashes",
        () -> queryLong("SELECT COUNT(*) FROM diff_hash WHERE namespace = ?", namespace));
  }

  @Override
  public long memberCount(String segmentId) {
    Args.key(segmentId, "segmentId");
    return read(
        "count members",
        () -> queryLong("SELECT COUNT(*) FROM member WHERE segment = ?", segmentId));
  }

  @Override
  public Set<String> membersAmong(String segmentId, Collection<String> keys) {
    Args.key(segmentId, "segmentId");
    List<String> unique = Args.unique(keys, "keys");
    return read(
        "read members",
        () -> {
          Set<String> found = new HashSet<>();
          selectIn(
              "SELECT member FROM member WHERE segment = ? AND member IN ",
              "",
              unique,
              rs -> found.add(rs.getString(1)),
              segmentId);
          return found;
        });
  }

  @Override
  public Set<String> nonMembersAmong(String segmentId, Collection<String> keys) {
    Args.key(segmentId, "segmentId");
    List<String> unique = Args.unique(keys, "keys");
    // On whichever connection is free: the segment sync looks up a batch's members while it
    // compares the batch's hashes, one on each connection.
    return onReader(() -> nonMembers(this::readerStatement, segmentId, unique), true)
        .orElseGet(
            () -> read("read non-members", () -> nonMembers(this::statement, segmentId, unique)));
  }

  private Set<String> nonMembers(Statements statements, String segmentId, List<String> keys)
      throws SQLException {
    Set<String> found = new HashSet<>();
    selectValues(
        statements,
        "v(k)",
        "(?)",
        "SELECT v.k FROM v WHERE NOT EXISTS"
            + " (SELECT 1 FROM member m WHERE m.segment = ? AND m.member = v.k)",
        keys,
        (st, i, key) -> st.setString(i, key),
        rs -> found.add(rs.getString(1)),
        segmentId);
    return found;
  }

  @Override
  public void forEachMemberHash(
      String segmentId, String namespace, BiConsumer<String, String> sink) {
    Args.key(segmentId, "segmentId");
    Args.key(namespace, "namespace");
    Objects.requireNonNull(sink, "sink");
    // On SQLite every other page is read by a helper thread on the reader connection, and the
    // sink is called under one lock, never from two threads at once: read alone, the pages of
    // a 100,000-member segment were a third of an unchanged rerun, all before its first batch.
    ExecutorService helper =
        dialect == SqlDialect.SQLITE
            ? Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "state-scan");
                  t.setDaemon(true);
                  return t;
                })
            : null;
    Object sinkLock = new Object();
    try {
      String after = null;
      while (true) {
        String from = after;
        String high = read("read members", () -> pageEnd(segmentId, from));
        Future<?> other = null;
        String next = null;
        if (helper != null && high != null) {
          next = read("read members", () -> pageEnd(segmentId, high));
          String to = next;
          other =
              helper.submit(
                  () -> {
                    MemberHashes page =
                        onReader(
                                () ->
                                    memberHashes(
                                        this::readerStatement, segmentId, namespace, high, to))
                            .orElseGet(() -> mainPage(segmentId, namespace, high, to));
                    emit(page, sink, sinkLock);
                  });
        }
        RuntimeException failure = null;
        try {
          emit(mainPage(segmentId, namespace, from, high), sink, sinkLock);
        } catch (RuntimeException e) {
          failure = e;
        }
        if (other != null) {
          try {
            Futures.await(other, "reading members");
          } catch (RuntimeException e) {
            if (failure == null) {
              failure = e;
            } else {
              failure.addSuppressed(e);
            }
          }
        }
        if (failure != null) {
          throw failure;
        }
        if (high == null || (other != null && next == null)) {
          return;
        }
        after = other != null ? next : high;
      }
    } finally {
      if (helper != null) {
        helper.shutdownNow();
      }
    }
  }

  private MemberHashes mainPage(String segmentId, String namespace, String after, String high) {
    return read(
        "read members and hashes",
        () -> memberHashes(this::statement, segmentId, namespace, after, high));
  }

  private static void emit(MemberHashes page, BiConsumer<String, String> sink, Object lock) {
    synchronized (lock) {
      List<String> members = page.members();
      for (int i = 0; i < members.size(); i++) {
        sink.accept(members.get(i), page.hash(i));
      }
    }
  }

  /** The key {@code MEMBER_HASH_PAGE} members after {@code after}, or null when fewer are left. */
  private String pageEnd(String segmentId, String after) throws SQLException {
    try (ResultSet rs =
        bind(
                "SELECT member FROM member WHERE segment = ?"
                    + (after == null ? "" : " AND member > ?")
                    + " ORDER BY member LIMIT 1 OFFSET "
                    + (MEMBER_HASH_PAGE - 1),
                after == null ? new Object[] {segmentId} : new Object[] {segmentId, after})
            .executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * A page of members and their hashes: {@code pairs} holds each member's key and hash side by side
   * when the two scans lined up one to one, else {@code hashes} maps them.
   */
  private record MemberHashes(
      List<String> members, List<String> pairs, Map<String, String> hashes) {
    String hash(int i) {
      return pairs != null ? pairs.get(2 * i + 1) : hashes.get(members.get(i));
    }
  }

  /**
   * The members in {@code (after, high]} (open-ended where null) and their hashes, each read as one
   * string: SQLite hands a row to Java through a JNI call per row and column, and joined in SQLite
   * the 100,000 members of a segment read in 7 ms instead of 36. A joined string is split at its
   * spaces and checked against the row count: a key or hash with a space in it makes the count
   * differ, and that page is read row by row instead. Where the range holds many more hashes than
   * members (the namespace serves other segments too), the page's hashes are looked up by key.
   */
  private MemberHashes memberHashes(
      Statements statements, String segmentId, String namespace, String after, String high)
      throws SQLException {
    String range =
        (after == null ? "" : " AND member > ?") + (high == null ? "" : " AND member <= ?");
    List<Object> params = new ArrayList<>(List.of(segmentId));
    if (after != null) {
      params.add(after);
    }
    if (high != null) {
      params.add(high);
    }
    Object[] bounds = params.toArray();
    List<String> members = null;
    try (ResultSet rs =
        bound(
                statements,
                "SELECT "
                    + dialect.concatenated("member")
                    + ", count(*) FROM member WHERE segment = ?"
                    + range,
                bounds)
            .executeQuery()) {
      if (rs.next()) {
        if (rs.getLong(2) == 0) {
          return new MemberHashes(List.of(), null, Map.of());
        }
        members = joined(rs.getString(1), rs.getLong(2));
      }
    }
    if (members == null) {
      List<String> rows = new ArrayList<>();
      try (ResultSet rs =
          bound(statements, "SELECT member FROM member WHERE segment = ?" + range, bounds)
              .executeQuery()) {
        consume(rs, row -> rows.add(row.getString(1)));
      }
      members = rows;
    }
    bounds[0] = namespace;
    Map<String, String> hashes = new HashMap<>();
    List<String> pairs = null;
    long inRange;
    // A LIMIT bounds the string where the range holds other segments' hashes too.
    try (ResultSet rs =
        bound(
                statements,
                "SELECT "
                    + dialect.concatenated("customer || ' ' || hash")
                    + ", count(*) FROM (SELECT customer, hash FROM diff_hash WHERE namespace = ?"
                    + range.replace("member", "customer")
                    + " LIMIT "
                    + (MAX_PAGE_HASHES + 1)
                    + ") h",
                bounds)
            .executeQuery()) {
      inRange = rs.next() ? rs.getLong(2) : 0;
      if (inRange > 0 && inRange <= MAX_PAGE_HASHES) {
        pairs = joined(rs.getString(1), 2 * inRange);
      }
    }
    if (pairs != null && pairedInOrder(members, pairs)) {
      return new MemberHashes(members, pairs, null);
    }
    if (pairs != null) {
      for (int i = 0; i < pairs.size(); i += 2) {
        hashes.put(pairs.get(i), pairs.get(i + 1));
      }
    } else if (inRange > 0) {
      selectIn(
          statements,
          "SELECT customer, hash FROM diff_hash WHERE namespace = ? AND customer IN ",
          "",
          members,
          row -> hashes.put(row.getString(1), row.getString(2)),
          namespace);
    }
    return new MemberHashes(members, null, hashes);
  }

  /**
   * Whether the page's pairs name exactly its members, in the same order. Both scans walk the same
   * key range of a primary key, so when every member has a hash and the range holds no other hash
   * they line up, and pairing them costs one comparison each instead of a hash map of the page (a
   * fifth of the Java side of reading the stored members).
   */
  private static boolean pairedInOrder(List<String> members, List<String> pairs) {
    if (pairs.size() != 2 * members.size()) {
      return false;
    }
    for (int i = 0; i < members.size(); i++) {
      if (!members.get(i).equals(pairs.get(2 * i))) {
        return false;
      }
    }
    return true;
  }

  /** The parts of a space-joined string, or null unless there are exactly {@code expected}. */
  private static List<String> joined(String joined, long expected) {
    if (joined == null) {
      return null;
    }
    String[] parts = joined.split(" ", -1);
    return parts.length == expected ? Arrays.asList(parts) : null;
  }

  private static PreparedStatement bound(Statements statements, String sql, Object... params)
      throws SQLException {
    PreparedStatement statement = statements.prepare(sql);
    for (int i = 0; i < params.length; i++) {
      setParam(statement, i + 1, params[i]);
    }
    return statement;
  }

  private List<String> keys(String sql, Object... params) throws SQLException {
    List<String> keys = new ArrayList<>();
    query(sql, rs -> keys.add(rs.getString(1)), params);
    return keys;
  }

  @Override
  public List<String> membersPage(String segmentId, String afterKey, int limit) {
    Args.key(segmentId, "segmentId");
    Args.limit(limit);
    return read(
        "read members",
        () ->
            afterKey == null
                ? keys(
                    "SELECT member FROM member WHERE segment = ? ORDER BY member LIMIT ?",
                    segmentId,
                    limit)
                : keys(
                    "SELECT member FROM member WHERE segment = ? AND member > ?"
                        + " ORDER BY member LIMIT ?",
                    segmentId,
                    afterKey,
                    limit));
  }

  @Override
  public long stagedCount(String segmentId, String runId) {
    Args.key(segmentId, "segmentId");
    Args.key(runId, "runId");
    return read(
        "count staged members",
        () ->
            queryLong(
                "SELECT COUNT(*) FROM member_staged WHERE segment = ? AND run = ?",
                segmentId,
                runId));
  }

  @Override
  public List<String> enteredPage(String segmentId, String runId, String afterKey, int limit) {
    Args.key(segmentId, "segmentId");
    Args.key(runId, "runId");
    Args.limit(limit);
    // An anti-join walked in primary-key order: each page resumes after the previous one, so the
    // whole diff costs one pass over the staged rows and never holds more than a page.
    String notMember =
        " AND NOT EXISTS (SELECT 1 FROM member m WHERE m.segment = s.segment"
            + " AND m.member = s.member) ORDER BY s.member LIMIT ?";
    return read(
        "read entered members",
        () ->
            afterKey == null
                ? keys(
                    "SELECT s.member FROM member_staged s WHERE s.segment = ? AND s.run = ?"
                        + notMember,
                    segmentId,
                    runId,
                    limit)
                : keys(
                    "SELECT s.member FROM member_staged s WHERE s.segment = ? AND s.run = ?"
                        + " AND s.member > ?"
                        + notMember,
                    segmentId,
                    runId,
                    afterKey,
                    limit));
  }

  @Override
  public List<String> exitedPage(String segmentId, String runId, String afterKey, int limit) {
    Args.key(segmentId, "segmentId");
    Args.key(runId, "runId");
    Args.limit(limit);
    String notStaged =
        " AND NOT EXISTS (SELECT 1 FROM member_staged s WHERE s.segment = m.segment"
            + " AND s.run = ? AND s.member = m.member) ORDER BY m.member LIMIT ?";
    return read(
        "read exited members",
        () ->
            afterKey == null
                ? keys(
                    "SELECT m.member FROM member m WHERE m.segment = ?" + notStaged,
                    segmentId,
                    runId,
                    limit)
                : keys(
                    "SELECT m.member FROM member m WHERE m.segment = ? AND m.member > ?"
                        + notStaged,
                    segmentId,
                    afterKey,
                    runId,
                    limit));
  }

  private static IdentityRecord identityRow(ResultSet rs) {
    try {
      return new IdentityRecord(
          rs.getString("braze_id"),
          rs.getString("external_id"),
          Codec.decodeMap(rs.getString("identifiers")),
          instant(rs, "updated_at"));
    } catch (SQLException e) {
      throw new RowException(e);
    }
  }

  @Override
  public Optional<IdentityRecord> identityByBrazeId(String brazeId) {
    Args.key(brazeId, "brazeId");
    return read(
        "read the identity map",
        () ->
            queryOne(
                "SELECT * FROM identity WHERE braze_id = ?", JdbcStateStore::identityRow, brazeId));
  }

  @Override
  public Optional<IdentityRecord> identityByExternalId(String externalId) {
    Args.key(externalId, "externalId");
    return read(
        "read the identity map",
        () ->
            queryOne(
                "SELECT * FROM identity WHERE external_id = ?",
                JdbcStateStore::identityRow,
                externalId));
  }

  @Override
  public Map<String, IdentityRecord> identitiesByBrazeIds(Collection<String> brazeIds) {
    return identities(brazeIds, "braze_id");
  }

  @Override
  public Map<String, IdentityRecord> identitiesByExternalIds(Collection<String> externalIds) {
    return identities(externalIds, "external_id");
  }

  /**
   * One look-up for a whole batch, an {@code IN} query per few hundred keys. On SQLite it reads on
   * the reader connection, without the write lock; if that connection fails it is dropped and the
   * look-up runs on the main connection as any other read, as it does on PostgreSQL, whose readers
   * never wait for writers.
   */
  private Map<String, IdentityRecord> identities(Collection<String> keys, String column) {
    List<String> unique = Args.unique(keys, column + "s");
    for (String key : unique) {
      Args.key(key, column);
    }
    if (unique.isEmpty()) {
      return new HashMap<>();
    }
    return onReader(() -> identityRows(this::readerStatement, column, unique))
        .orElseGet(
            () ->
                read("read the identity map", () -> identityRows(this::statement, column, unique)));
  }

  private Map<String, IdentityRecord> identityRows(
      Statements statements, String column, List<String> keys) throws SQLException {
    Map<String, IdentityRecord> found = new HashMap<>();
    selectIn(
        statements,
        "SELECT * FROM identity WHERE " + column + " IN ",
        "",
        keys,
        rs -> {
          IdentityRecord r = identityRow(rs);
          found.put(column.equals("braze_id") ? r.brazeId() : r.externalId(), r);
        });
    return found;
  }

  /**
   * Runs a read on the SQLite reader connection, which in WAL mode reads the last commit while the
   * main connection writes. Empty on PostgreSQL, inside a transaction of this thread (which must
   * see its own writes), or when the reader fails: it is then dropped, and the caller reads on the
   * main connection as any other read.
   */
  private <T> Optional<T> onReader(SqlWork<T> work) {
    return onReader(work, false);
  }

  /**
   * As {@link #onReader(SqlWork)}; with {@code unlessBusy}, empty at once while another thread
   * reads on the reader connection, so that two look-ups run side by side, one on each connection.
   */
  private <T> Optional<T> onReader(SqlWork<T> work, boolean unlessBusy) {
    if (dialect != SqlDialect.SQLITE || lock.isHeldByCurrentThread()) {
      return Optional.empty();
    }
    if (unlessBusy) {
      if (!readerLock.tryLock()) {
        return Optional.empty();
      }
    } else {
      readerLock.lock();
    }
    try {
      ensureOpen();
      if (reader == null) {
        reader = DriverManager.getConnection("jdbc:sqlite:" + path, readerProperties());
        try (Statement st = reader.createStatement()) {
          st.execute("PRAGMA cache_size = -16384");
        }
      }
      return Optional.of(work.run());
    } catch (SQLException | RowException e) {
      LOG.debug("State store {}: the reader connection failed; reading on the main one", path, e);
      closeReader();
      return Optional.empty();
    } finally {
      readerLock.unlock();
    }
  }

  /** A statement on the reader connection; the caller holds readerLock. */
  private PreparedStatement readerStatement(String sql) throws SQLException {
    return cached(readerStatements, reader, sql);
  }

  private static Properties readerProperties() {
    Properties properties = new Properties();
    properties.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MILLIS));
    return properties;
  }

  /** Closes the reader connection, if open; the caller holds readerLock. */
  private void closeReader() {
    readerStatements.clear();
    if (reader != null) {
      try {
        reader.close();
      } catch (SQLException e) {
        LOG.debug("State store {}: closing the reader connection failed", path, e);
      }
      reader = null;
    }
  }

  /**
   * Deletes delivered messages without waiting for the disk. In WAL mode a commit at {@code
   * synchronous=NORMAL} survives a crash of the process; only a power loss can undo it, and with it
   * nothing but later commits of the same kind, because the next commit at FULL (every one that
   * queues or marks events) syncs the whole log, this one included. An acknowledgement undone that
   * way sends its events again with the same idempotence ids, which ODP drops as duplicates: a
   * replay, never a loss. It saves the forwarder one fsync per batch, during which the receiver's
   * commits would wait for the lock.
   */
  @Override
  public long acknowledge(Collection<String> ids) {
    return withoutSync(() -> super.acknowledge(ids));
  }

  /**
   * Runs a write of its own at {@code synchronous=NORMAL}, for writes whose loss in a power failure
   * only sends events again: acknowledgements and outbox claims (see {@link #acknowledge}).
   */
  private <T> T withoutSync(java.util.function.Supplier<T> write) {
    lock.lock();
    try {
      ensureOpen();
      if (depth > 0 || dialect != SqlDialect.SQLITE) {
        // Within a caller's transaction its commit decides; PostgreSQL keeps its own settings.
        return write.get();
      }
      synchronous("NORMAL");
      try {
        return write.get();
      } finally {
        restoreFullSync();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether opening this SQLite file read it through with {@code quick_check}; for tests. */
  boolean checkedOnOpen() {
    return checkedOnOpen;
  }

  /** Returns the main connection's {@code PRAGMA synchronous} (2 is FULL); for tests. */
  int synchronousLevel() {
    return read(
        "read synchronous",
        () -> {
          try (Statement st = connection.createStatement()) {
            return queryInt(st, "PRAGMA synchronous");
          }
        });
  }

  private void synchronous(String level) {
    try (Statement st = connection.createStatement()) {
      st.execute("PRAGMA synchronous = " + level);
    } catch (SQLException e) {
      throw failure("set synchronous=" + level, e);
    }
  }

  /**
   * Puts the connection back to {@code synchronous=FULL}; if even that fails the store closes,
   * since a later commit at NORMAL could acknowledge a Currents batch before it is on disk.
   */
  private void restoreFullSync() {
    try (Statement st = connection.createStatement()) {
      st.execute("PRAGMA synchronous = FULL");
    } catch (SQLException e) {
      closed = true;
      LOG.error("State store {}: cannot restore synchronous=FULL; closing", path, e);
      closeConnection();
    }
  }

  @Override
  public List<OutboxMessage> peekOutbox(int limit) {
    Args.limit(limit);
    return read(
        "read the outbox",
        () -> {
          List<OutboxMessage> messages = new ArrayList<>();
          query(
              "SELECT id, payload, enqueued_at, attempts FROM outbox ORDER BY seq LIMIT ?",
              rs ->
                  messages.add(
                      new OutboxMessage(
                          rs.getString(1),
                          rs.getString(2),
                          Codec.fromNanos(rs.getLong(3)),
                          rs.getInt(4))),
              limit);
          // The chunks, oldest first (each holds at least one message), merged in by enqueue time,
          // so that the first message is the oldest one for the outbox age that monitoring shows
          // (rows replayed from the dead letters are newer than chunks waiting behind them).
          List<OutboxMessage> chunked = new ArrayList<>();
          query(
              "SELECT c.enqueued_at, c.attempts, d.ids, d.payloads FROM outbox_chunk c"
                  + " JOIN outbox_chunk_data d ON d.seq = c.seq ORDER BY c.seq LIMIT ?",
              rs -> {
                for (OutboxMessage m :
                    chunkMessages(
                        rs.getString(3),
                        rs.getString(4),
                        Codec.fromNanos(rs.getLong(1)),
                        rs.getInt(2))) {
                  if (chunked.size() < limit) {
                    chunked.add(m);
                  }
                }
              },
              limit);
          List<OutboxMessage> merged =
              new ArrayList<>(Math.min(limit, messages.size() + chunked.size()));
          int r = 0;
          int c = 0;
          while (merged.size() < limit && (r < messages.size() || c < chunked.size())) {
            boolean row =
                c == chunked.size()
                    || (r < messages.size()
                        && !chunked.get(c).enqueuedAt().isBefore(messages.get(r).enqueuedAt()));
            merged.add(row ? messages.get(r++) : chunked.get(c++));
          }
          return merged;
        });
  }

  @Override
  public List<OutboxMessage> claimOutbox(String owner, int limit, Instant now, Duration lease) {
    Args.key(owner, "owner");
    Args.limit(limit);
    Objects.requireNonNull(now, "now");
    Args.lease(lease);
    long nowNanos = Codec.clampNanos(now);
    long until = Codec.clampNanos(now.plus(lease));
    // A claim undone by a power loss leaves its messages claimable again: they are sent again with
    // their idempotence ids, never lost. Waiting for the disk here held the lock the receivers'
    // commits wait for, once per forwarder cycle.
    return withoutSync(
        () ->
            write(
                "claim outbox messages",
                () -> {
                  List<OutboxMessage> claimed = claimRows(owner, limit, nowNanos, until);
                  claimChunks(owner, limit, nowNanos, until, claimed);
                  return List.copyOf(claimed);
                }));
  }

  /** Claims single-message rows of the outbox table, oldest first. */
  private List<OutboxMessage> claimRows(String owner, int limit, long nowNanos, long until)
      throws SQLException {
    // PostgreSQL: rows another forwarder is claiming right now are skipped, not waited for;
    // a claim it committed is re-checked after the lock and excludes the row.
    TreeMap<Long, OutboxMessage> claimed = new TreeMap<>();
    query(
        "UPDATE outbox SET claim_owner = ?, claim_until = ? WHERE seq IN (SELECT seq FROM"
            + " outbox WHERE claim_until IS NULL OR claim_until <= ? OR claim_owner = ?"
            + " ORDER BY seq LIMIT ?"
            + dialect.skipLocked()
            + ") RETURNING seq, id, payload, enqueued_at, attempts",
        rs ->
            claimed.put(
                rs.getLong(1),
                new OutboxMessage(
                    rs.getString(2),
                    rs.getString(3),
                    Codec.fromNanos(rs.getLong(4)),
                    rs.getInt(5))),
        owner,
        until,
        nowNanos,
        owner,
        limit);
    return new ArrayList<>(claimed.values());
  }

  /**
   * Claims whole chunks after the rows, oldest first, while they fit within {@code limit}. A chunk
   * larger than a whole claim is first moved to single rows, so that the claim takes part of it.
   */
  private void claimChunks(
      String owner, int limit, long nowNanos, long until, List<OutboxMessage> claimed)
      throws SQLException {
    long after = 0;
    while (claimed.size() < limit) {
      long[][] found = new long[1][];
      // PostgreSQL: as for rows, a chunk another forwarder is claiming is skipped, and one it
      // claimed meanwhile is re-checked after the lock.
      query(
          "SELECT seq, messages, enqueued_at, attempts FROM outbox_chunk WHERE seq > ? AND"
              + " (claim_until IS NULL OR claim_until <= ? OR claim_owner = ?) ORDER BY seq LIMIT 1"
              + dialect.skipLocked(),
          rs -> found[0] = new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)},
          after,
          nowNanos,
          owner);
      long[] chunk = found[0];
      if (chunk == null) {
        return;
      }
      long seq = chunk[0];
      if (claimed.size() + chunk[1] > limit) {
        if (claimed.isEmpty()) {
          explode(seq);
          claimed.addAll(claimRows(owner, limit, nowNanos, until));
        }
        return;
      }
      update(
          "UPDATE outbox_chunk SET claim_owner = ?, claim_until = ? WHERE seq = ?",
          owner,
          until,
          seq);
      String[] data = chunkData(seq);
      List<OutboxMessage> messages =
          chunkMessages(data[0], data[1], Codec.fromNanos(chunk[2]), (int) chunk[3]);
      claimed.addAll(messages);
      if (claimedChunks.size() >= 10_000) {
        claimedChunks.clear(); // claims that lapsed unacknowledged; the hint is rebuilt by claims
      }
      claimedChunks.put(seq, messages.stream().map(OutboxMessage::id).toList());
      after = seq;
    }
  }

  /** A chunk's ids and payloads, as written. */
  private String[] chunkData(long seq) throws SQLException {
    String[] data = new String[2];
    query(
        "SELECT ids, payloads FROM outbox_chunk_data WHERE seq = ?",
        rs -> {
          data[0] = rs.getString(1);
          data[1] = rs.getString(2);
        },
        seq);
    if (data[0] == null) {
      throw new SQLException("outbox chunk " + seq + " has no ids and payloads");
    }
    return data;
  }

  private static List<OutboxMessage> chunkMessages(
      String ids, String payloads, Instant enqueuedAt, int attempts) throws SQLException {
    List<String> idList = unpack(ids);
    List<String> payloadList = unpack(payloads);
    if (idList == null || payloadList == null || idList.size() != payloadList.size()) {
      throw new SQLException("an outbox chunk's ids and payloads do not match; the row is damaged");
    }
    List<OutboxMessage> messages = new ArrayList<>(idList.size());
    for (int i = 0; i < idList.size(); i++) {
      messages.add(new OutboxMessage(idList.get(i), payloadList.get(i), enqueuedAt, attempts));
    }
    return messages;
  }

  /**
   * Joins strings as {@code <length>:<string>} each, lengths in chars: ids and payloads may hold
   * any character, so no separator would do.
   */
  static String pack(List<String> values) {
    int chars = 0;
    for (String v : values) {
      chars += v.length() + 8;
    }
    StringBuilder out = new StringBuilder(chars);
    for (String v : values) {
      out.append(v.length()).append(':').append(v);
    }
    return out.toString();
  }

  /** Splits what {@link #pack} joined; null if the text is not such a list. */
  static List<String> unpack(String packed) {
    List<String> values = new ArrayList<>();
    int i = 0;
    while (i < packed.length()) {
      int colon = packed.indexOf(':', i);
      if (colon <= i || colon - i > 10) {
        return null;
      }
      int length = 0;
      for (int k = i; k < colon; k++) {
        char c = packed.charAt(k);
        if (c < '0' || c > '9') {
          return null;
        }
        length = length * 10 + (c - '0');
      }
      int end = colon + 1 + length;
      if (length < 0 || end > packed.length() || end < 0) {
        return null;
      }
      values.add(packed.substring(colon + 1, end));
      i = end;
    }
    return values;
  }

  /** Writes messages that share their enqueue time and have no attempts as one chunk. */
  private long insertChunk(List<OutboxMessage> messages) throws SQLException {
    List<String> ids = new ArrayList<>(messages.size());
    List<String> payloads = new ArrayList<>(messages.size());
    long size = 0;
    for (OutboxMessage m : messages) {
      ids.add(m.id());
      payloads.add(m.payload());
      size += m.sizeInBytes();
    }
    long seq =
        queryLong(
            "INSERT INTO outbox_chunk (messages, size, enqueued_at) VALUES (?, ?, ?) RETURNING seq",
            messages.size(),
            size,
            Codec.toNanos(messages.get(0).enqueuedAt()));
    update(
        "INSERT INTO outbox_chunk_data (seq, ids, payloads) VALUES (?, ?, ?)",
        seq,
        pack(ids),
        pack(payloads));
    return messages.size();
  }

  /**
   * Moves a chunk's messages to single rows of the outbox table, keeping their enqueue time,
   * attempts and claim, so that one of them can be acknowledged, retried or dead-lettered alone.
   *
   * @return how many messages moved; 0 if the chunk is gone
   */
  private int explode(long seq) throws SQLException {
    claimedChunks.remove(seq);
    Object[] head = new Object[4];
    query(
        "SELECT enqueued_at, attempts, claim_owner, claim_until FROM outbox_chunk WHERE seq = ?",
        rs -> {
          head[0] = rs.getLong(1);
          head[1] = rs.getInt(2);
          head[2] = rs.getString(3);
          long claimUntil = rs.getLong(4);
          head[3] = rs.wasNull() ? null : claimUntil;
        },
        seq);
    if (head[0] == null) {
      return 0;
    }
    String[] data = chunkData(seq);
    List<OutboxMessage> messages =
        chunkMessages(data[0], data[1], Codec.fromNanos((Long) head[0]), (Integer) head[1]);
    insert(
        "INSERT INTO outbox (id, payload, size, enqueued_at, attempts, claim_owner, claim_until)"
            + " VALUES ",
        "(?, ?, ?, ?, ?, ?, ?)",
        " ON CONFLICT DO NOTHING",
        messages,
        (st, i, m) -> {
          st.setString(i, m.id());
          st.setString(i + 1, m.payload());
          st.setLong(i + 2, m.sizeInBytes());
          st.setLong(i + 3, (Long) head[0]);
          st.setInt(i + 4, (Integer) head[1]);
          setParam(st, i + 5, head[2]);
          setParam(st, i + 6, head[3]);
        });
    update("DELETE FROM outbox_chunk WHERE seq = ?", seq);
    update("DELETE FROM outbox_chunk_data WHERE seq = ?", seq);
    return messages.size();
  }

  /**
   * Moves the chunks holding any of {@code ids} to single rows: those this store claimed are known,
   * the others are looked for among every chunk's ids.
   *
   * @return how many messages moved
   */
  private long explodeHolding(Collection<String> ids) throws SQLException {
    Set<String> unlocated = new HashSet<>(ids);
    Set<Long> seqs = new TreeSet<>();
    for (Map.Entry<Long, List<String>> e : claimedChunks.entrySet()) {
      for (String id : e.getValue()) {
        if (unlocated.remove(id)) {
          seqs.add(e.getKey());
        }
      }
    }
    if (!unlocated.isEmpty() && queryLong("SELECT seq FROM outbox_chunk LIMIT 1") > 0) {
      query(
          "SELECT seq, ids FROM outbox_chunk_data",
          rs -> {
            List<String> chunkIds = unpack(rs.getString(2));
            if (chunkIds != null) {
              for (String id : chunkIds) {
                if (unlocated.contains(id)) {
                  seqs.add(rs.getLong(1));
                  break;
                }
              }
            }
          });
    }
    long moved = 0;
    for (long seq : seqs) {
      moved += explode(seq);
    }
    return moved;
  }

  /**
   * Applies a per-message change to messages in rows or chunks: a claimed chunk whose messages are
   * all among {@code ids} with one statement ({@code chunkSql}, the seq bound), every other id with
   * {@code rowSql} (the id bound); an id in no row is looked for in the chunks, whose messages then
   * move to rows and get {@code rowSql} too.
   *
   * @param dropChunk whether {@code chunkSql} removes the chunk, so its data goes too
   * @return how many messages changed
   */
  private long perMessage(List<String> ids, String chunkSql, boolean dropChunk, String rowSql)
      throws SQLException {
    Set<String> wanted = new HashSet<>(ids);
    Set<String> done = new HashSet<>();
    long changed = 0;
    for (Map.Entry<Long, List<String>> e : new ArrayList<>(claimedChunks.entrySet())) {
      if (!wanted.containsAll(e.getValue())) {
        continue;
      }
      // Released or gone either way: a later claim knows it again.
      claimedChunks.remove(e.getKey());
      if (update(chunkSql, e.getKey()) > 0) {
        if (dropChunk) {
          update("DELETE FROM outbox_chunk_data WHERE seq = ?", e.getKey());
        }
        changed += e.getValue().size();
        done.addAll(e.getValue());
      }
    }
    List<String> rest = new ArrayList<>(ids.size() - done.size());
    for (String id : ids) {
      if (!done.contains(id)) {
        rest.add(id);
      }
    }
    List<String> missed = rowsMissed(rowSql, rest);
    changed += rest.size() - missed.size();
    if (!missed.isEmpty() && explodeHolding(missed) > 0) {
      changed += batch(rowSql, missed, (st, i, id) -> st.setString(i, id));
    }
    return changed;
  }

  /** Runs {@code sql} once per id, batched, and returns the ids it changed no row for. */
  private List<String> rowsMissed(String sql, List<String> ids) throws SQLException {
    List<String> missed = new ArrayList<>();
    if (ids.isEmpty()) {
      return missed;
    }
    PreparedStatement statement = statement(sql);
    try {
      for (int from = 0; from < ids.size(); from += BATCH_SIZE) {
        int to = Math.min(ids.size(), from + BATCH_SIZE);
        for (int i = from; i < to; i++) {
          statement.setString(1, ids.get(i));
          statement.addBatch();
        }
        int[] counts = statement.executeBatch();
        for (int k = 0; k < counts.length; k++) {
          if (counts[k] == 0) {
            missed.add(ids.get(from + k));
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      statement.clearBatch();
      throw e;
    }
    return missed;
  }

  @Override
  public OutboxSize outboxSize() {
    return read(
        "measure the outbox",
        () -> {
          OutboxSize[] size = new OutboxSize[1];
          query(
              "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM outbox",
              rs -> size[0] = new OutboxSize(rs.getLong(1), rs.getLong(2)));
          query(
              "SELECT COALESCE(SUM(messages), 0), COALESCE(SUM(size), 0) FROM outbox_chunk",
              rs ->
                  size[0] =
                      new OutboxSize(
                          size[0].messages() + rs.getLong(1), size[0].bytes() + rs.getLong(2)));
          return size[0];
        });
  }

  @Override
  public List<DeadLetter> deadLetters(DeadLetterFilter filter, int limit) {
    Objects.requireNonNull(filter, "filter");
    Args.limit(limit);
    return read(
        "read the dead letters",
        () -> {
          List<DeadLetter> letters = new ArrayList<>();
          query(
              "SELECT id, payload, enqueued_at, dead_at, reason, attempts FROM dead_letter"
                  + deadLetterFilter
                  + " ORDER BY seq LIMIT ?",
              rs ->
                  letters.add(
                      new DeadLetter(
                          rs.getString(1),
                          rs.getString(2),
                          Codec.fromNanos(rs.getLong(3)),
                          Codec.fromNanos(rs.getLong(4)),
                          rs.getString(5),
                          rs.getInt(6))),
              filterParams(null, filter, limit));
          return letters;
        });
  }

  @Override
  public long deadLetterCount() {
    return read("count the dead letters", () -> queryLong("SELECT COUNT(*) FROM dead_letter"));
  }

  @Override
  public List<ParkedEvent> parkedMatched(int limit) {
    Args.limit(limit);
    return read(
        "read the parked events",
        () -> {
          List<ParkedEvent> events = new ArrayList<>();
          // Both identity columns are indexed (primary key, unique): one lookup per parked row.
          query(
              "SELECT id, payload, braze_id, external_id, parked_at FROM parked p"
                  + " WHERE EXISTS (SELECT 1 FROM identity i WHERE i.braze_id = p.braze_id)"
                  + " OR EXISTS (SELECT 1 FROM identity i WHERE i.external_id = p.external_id)"
                  + " ORDER BY seq LIMIT ?",
              rs ->
                  events.add(
                      new ParkedEvent(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getString(3),
                          rs.getString(4),
                          Codec.fromNanos(rs.getLong(5)))),
              limit);
          return events;
        });
  }

  @Override
  public long parkedCount() {
    return read("count the parked events", () -> queryLong("SELECT COUNT(*) FROM parked"));
  }

  /** The parameters of {@code deadLetterFilter}, after {@code before} and before {@code after}. */
  private static Object[] filterParams(Object before, DeadLetterFilter filter, Object... after) {
    List<Object> params = new ArrayList<>();
    if (before != null) {
      params.add(before);
    }
    params.add(filter.reason());
    params.add(filter.reason());
    params.add(filter.from() == null ? Long.MIN_VALUE : Codec.clampNanos(filter.from()));
    params.add(filter.until() == null ? Long.MAX_VALUE : Codec.clampNanos(filter.until()));
    params.addAll(Arrays.asList(after));
    return params.toArray();
  }

  private static LedgerEntry ledgerRow(ResultSet rs) {
    try {
      return new LedgerEntry(
          rs.getString("activation"),
          rs.getString("occurrence"),
          rs.getString("customer"),
          LedgerState.valueOf(rs.getString("state")),
          instant(rs, "attempted_at"),
          instant(rs, "updated_at"),
          rs.getString("dispatch_id"),
          rs.getString("reason"));
    } catch (SQLException e) {
      throw new RowException(e);
    }
  }

  @Override
  public Optional<LedgerEntry> ledgerEntry(String activation, String occurrence, String customer) {
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    Args.key(customer, "customer");
    return read(
        "read the ledger",
        () ->
            queryOne(
                "SELECT "
                    + LEDGER_COLUMNS
                    + " FROM ledger WHERE activation = ? AND occurrence = ? AND customer = ?",
                JdbcStateStore::ledgerRow,
                activation,
                occurrence,
                customer));
  }

  @Override
  public List<LedgerEntry> ledgerEntries(
      String activation, String occurrence, Set<LedgerState> states) {
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    Objects.requireNonNull(states, "states");
    if (states.isEmpty()) {
      return read("read the ledger", List::of);
    }
    List<String> names = states.stream().map(Enum::name).sorted().toList();
    return read(
        "read the ledger",
        () -> {
          List<LedgerEntry> entries = new ArrayList<>();
          selectIn(
              "SELECT "
                  + LEDGER_COLUMNS
                  + " FROM ledger WHERE activation = ? AND occurrence = ? AND state IN ",
              " ORDER BY customer",
              names,
              rs -> entries.add(ledgerRow(rs)),
              activation,
              occurrence);
          return entries;
        });
  }

  @Override
  public List<LedgerEntry> ledgerEntries(String activation, Set<LedgerState> states, int limit) {
    Args.key(activation, "activation");
    Objects.requireNonNull(states, "states");
    Args.limit(limit);
    if (states.isEmpty()) {
      return read("read the ledger", List::of);
    }
    List<String> names = states.stream().map(Enum::name).sorted().toList();
    return read(
        "read the ledger",
        () -> {
          List<LedgerEntry> entries = new ArrayList<>();
          selectIn(
              "SELECT " + LEDGER_COLUMNS + " FROM ledger WHERE activation = ? AND state IN ",
              " ORDER BY occurrence, customer LIMIT " + limit,
              names,
              rs -> entries.add(ledgerRow(rs)),
              activation);
          return entries;
        });
  }

  @Override
  public Map<LedgerState, Long> ledgerCounts(String activation, String occurrence) {
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    return read(
        "count the ledger",
        () -> {
          Map<LedgerState, Long> counts = new EnumMap<>(LedgerState.class);
          for (LedgerState state : LedgerState.values()) {
            counts.put(state, 0L);
          }
          query(
              "SELECT state, COUNT(*) FROM ledger WHERE activation = ? AND occurrence = ?"
                  + " GROUP BY state",
              rs -> counts.put(LedgerState.valueOf(rs.getString(1)), rs.getLong(2)),
              activation,
              occurrence);
          return counts;
        });
  }

  @Override
  public long sendsToCustomerSince(String activation, String customer, Instant since) {
    Args.key(activation, "activation");
    Args.key(customer, "customer");
    Objects.requireNonNull(since, "since");
    return read(
        "count sends",
        () ->
            queryLong(
                "SELECT COUNT(*) FROM ledger WHERE activation = ? AND customer = ?"
                    + " AND attempted_at >= ? AND state IN "
                    + MAY_HAVE_BEEN_SENT,
                activation,
                customer,
                Codec.clampNanos(since)));
  }

  @Override
  public long sendsSince(String activation, Instant since) {
    Args.key(activation, "activation");
    Objects.requireNonNull(since, "since");
    return read(
        "count sends",
        () ->
            queryLong(
                "SELECT COUNT(*) FROM ledger WHERE activation = ? AND attempted_at >= ?"
                    + " AND state IN "
                    + MAY_HAVE_BEEN_SENT,
                activation,
                Codec.clampNanos(since)));
  }

  private static ActivityRecord activityRow(ResultSet rs) {
    try {
      Map<String, Long> other = new HashMap<>();
      Codec.decodeMap(rs.getString("other_counts"))
          .forEach((name, value) -> other.put(name, Long.parseLong(value)));
      List<String> flat = Codec.decodeList(rs.getString("rejections"));
      List<ActivityRecord.Rejection> rejections = new ArrayList<>();
      for (int i = 0; i + 1 < flat.size(); i += 2) {
        rejections.add(new ActivityRecord.Rejection(flat.get(i), flat.get(i + 1)));
      }
      ActivityCounts counts =
          new ActivityCounts(
              rs.getLong("read_count"),
              rs.getLong("matched"),
              rs.getLong("unmatched"),
              rs.getLong("unchanged"),
              rs.getLong("sent"),
              rs.getLong("rejected"),
              rs.getLong("retried"),
              rs.getLong("braze_calls"),
              rs.getLong("odp_calls"),
              other);
      return new ActivityRecord(
          rs.getString("id"),
          rs.getString("category"),
          ActivityRecord.Flow.valueOf(rs.getString("flow")),
          rs.getString("subject"),
          instant(rs, "started_at"),
          instant(rs, "ended_at"),
          ActivityRecord.Status.valueOf(rs.getString("status")),
          counts,
          rejections,
          rs.getString("reason"));
    } catch (SQLException e) {
      throw new RowException(e);
    }
  }

  private List<ActivityRecord> activities(String sql, Object... params) throws SQLException {
    List<ActivityRecord> records = new ArrayList<>();
    query(sql, rs -> records.add(activityRow(rs)), params);
    return records;
  }

  @Override
  public RunLease tryLock(String scope, String owner, Instant now, Duration lease) {
    Args.key(scope, "scope");
    Args.key(owner, "owner");
    Objects.requireNonNull(now, "now");
    Args.lease(lease);
    // One conditional upsert decides, in the database: it takes a free or expired lease and renews
    // the owner's own, and changes nothing while another owner's lease runs. Two hosts racing for
    // the scope serialise on its row (or on the primary key when there is none yet), so that only
    // one of them can win, on SQLite and on PostgreSQL alike.
    return write(
        "take a run lock",
        () -> {
          update(
              "INSERT INTO run_lock (scope, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (scope) DO UPDATE SET owner = excluded.owner,"
                  + " acquired_at = CASE WHEN run_lock.owner = excluded.owner"
                  + " THEN run_lock.acquired_at ELSE excluded.acquired_at END,"
                  + " expires_at = excluded.expires_at"
                  + " WHERE run_lock.owner = excluded.owner OR run_lock.expires_at <= ?",
              scope,
              owner,
              now,
              Codec.clampNanos(now.plus(lease)),
              now);
          return leaseOf(scope).orElseThrow();
        });
  }

  @Override
  public boolean unlock(String scope, String owner) {
    Args.key(scope, "scope");
    Args.key(owner, "owner");
    return write(
        "release a run lock",
        () -> update("DELETE FROM run_lock WHERE scope = ? AND owner = ?", scope, owner) > 0);
  }

  @Override
  public Optional<RunLease> runLock(String scope) {
    Args.key(scope, "scope");
    return read("read a run lock", () -> leaseOf(scope));
  }

  private Optional<RunLease> leaseOf(String scope) throws SQLException {
    return queryOne(
        "SELECT scope, owner, acquired_at, expires_at FROM run_lock WHERE scope = ?",
        rs -> {
          try {
            return new RunLease(
                rs.getString("scope"),
                rs.getString("owner"),
                instant(rs, "acquired_at"),
                instant(rs, "expires_at"));
          } catch (SQLException e) {
            throw new RowException(e);
          }
        },
        scope);
  }

  /** Runs SQL writes as one transaction of their own. */
  private <T> T write(String what, SqlWork<T> work) {
    return transactionResult(
        tx -> {
          try {
            return work.run();
          } catch (SQLException e) {
            throw failure(what, e);
          }
        });
  }

  @Override
  public List<ActivityRecord> recentActivity(int limit) {
    Args.limit(limit);
    return read(
        "read the activity log",
        () ->
            activities(
                "SELECT " + ACTIVITY_COLUMNS + " FROM activity ORDER BY seq DESC LIMIT ?", limit));
  }

  @Override
  public List<ActivityRecord> recentActivity(ActivityRecord.Flow flow, int limit) {
    Objects.requireNonNull(flow, "flow");
    Args.limit(limit);
    return read(
        "read the activity log",
        () ->
            activities(
                "SELECT "
                    + ACTIVITY_COLUMNS
                    + " FROM activity WHERE flow = ? ORDER BY seq DESC LIMIT ?",
                flow.name(),
                limit));
  }

  /** Carries a SQLException out of a row mapper that cannot throw checked exceptions. */
  private static final class RowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RowException(SQLException cause) {
      super(cause);
    }

    SQLException sqlException() {
      return (SQLException) getCause();
    }
  }

  // ---- Writes -----------------------------------------------------------------------------------

  /** The transaction's writer over the shared connection, which is in a transaction meanwhile. */
  private final class Tx extends AbstractTx {

    @Override
    void checkThread() {
      if (!lock.isHeldByCurrentThread()) {
        throw new IllegalStateException("A transaction must be used by the thread that runs it");
      }
    }

    private <T> T sql(String what, SqlWork<T> work) {
      try {
        return work.run();
      } catch (SQLException e) {
        throw failure(what, e);
      }
    }

    @Override
    void doPutCheckpoint(String scope, Checkpoint c) {
      sql(
          "write a checkpoint",
          () ->
              update(
                  "INSERT INTO checkpoint (scope, "
                      + CHECKPOINT_COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET "
                      + CHECKPOINT_UPDATES,
                  scope,
                  c.runId(),
                  c.exportObjectPrefix(),
                  c.exportUrl(),
                  c.exportRequestedAt(),
                  Codec.encodeList(c.completedFiles()),
                  c.currentFile(),
                  c.currentLine(),
                  Codec.encodeMap(c.attributes())));
    }

    @Override
    boolean doClearCheckpoint(String scope) {
      return sql(
          "clear a checkpoint", () -> update("DELETE FROM checkpoint WHERE scope = ?", scope) > 0);
    }

    @Override
    void doPutLastSuccess(String scope, Instant at) {
      sql(
          "write a last success",
          () ->
              update(
                  "INSERT INTO last_success (scope, at) VALUES (?, ?)"
                      + " ON CONFLICT (scope) DO UPDATE SET at = excluded.at",
                  scope,
                  at));
    }

    @Override
    void doPutHashes(String namespace, Map<String, String> values) {
      // In key order, so that SQLite appends to B-tree pages instead of revisiting random ones.
      List<Map.Entry<String, String>> sorted = new ArrayList<>(values.entrySet());
      sorted.sort(Map.Entry.comparingByKey(Codec.CODE_POINT_ORDER));
      sql(
          "write hashes",
          () ->
              insert(
                  "INSERT INTO diff_hash (namespace, customer, hash) VALUES ",
                  "(?, ?, ?)",
                  " ON CONFLICT (namespace, customer) DO UPDATE SET hash = excluded.hash",
                  sorted,
                  (st, i, e) -> {
                    st.setString(i, namespace);
                    st.setString(i + 1, e.getKey());
                    st.setString(i + 2, e.getValue());
                  }));
    }

    @Override
    long doRemoveHashes(String namespace, List<String> keys) {
      return sql(
          "remove hashes",
          () ->
              batch(
                  "DELETE FROM diff_hash WHERE namespace = ? AND customer = ?",
                  keys,
                  (st, i, key) -> {
                    st.setString(i, namespace);
                    st.setString(i + 1, key);
                  }));
    }

    @Override
    long doClearHashes(String namespace) {
      return sql(
          "clear hashes", () -> update("DELETE FROM diff_hash WHERE namespace = ?", namespace));
    }

    @Override
    void doStageMembers(String segmentId, String runId, List<String> keys) {
      sql(
          "stage members",
          () ->
              insert(
                  "INSERT INTO member_staged (segment, run, member) VALUES ",
                  "(?, ?, ?)",
                  " ON CONFLICT DO NOTHING",
                  keys,
                  (st, i, key) -> {
                    st.setString(i, segmentId);
                    st.setString(i + 1, runId);
                    st.setString(i + 2, key);
                  }));
    }

    @Override
    MembershipChange doCommitMembership(String segmentId, String runId) {
      return sql(
          "commit a membership",
          () -> {
            // Set operations inside SQLite: the exits are deleted and the entries inserted without
            // either set passing through the heap.
            long exited =
                update(
                    "DELETE FROM member WHERE segment = ? AND NOT EXISTS (SELECT 1 FROM"
                        + " member_staged s WHERE s.segment = member.segment AND s.run = ?"
                        + " AND s.member = member.member)",
                    segmentId,
                    runId);
            long entered =
                update(
                    "INSERT INTO member (segment, member) SELECT segment, member"
                        + " FROM member_staged WHERE segment = ? AND run = ? ON CONFLICT DO NOTHING",
                    segmentId,
                    runId);
            update("DELETE FROM member_staged WHERE segment = ?", segmentId);
            return new MembershipChange(entered, exited);
          });
    }

    @Override
    MembershipChange doAddStagedMembers(String segmentId, String runId) {
      return sql(
          "add staged members",
          () -> {
            long entered =
                update(
                    "INSERT INTO member (segment, member) SELECT segment, member FROM member_staged"
                        + " WHERE segment = ? AND run = ? ON CONFLICT (segment, member) DO NOTHING",
                    segmentId,
                    runId);
            update("DELETE FROM member_staged WHERE segment = ?", segmentId);
            return new MembershipChange(entered, 0);
          });
    }

    @Override
    long doAddMembers(String segmentId, List<String> keys) {
      // In key order, as the hashes, so that SQLite appends to B-tree pages.
      List<String> sorted = new ArrayList<>(keys);
      sorted.sort(Codec.CODE_POINT_ORDER);
      return sql(
          "add members",
          () ->
              insert(
                  "INSERT INTO member (segment, member) VALUES ",
                  "(?, ?)",
                  " ON CONFLICT DO NOTHING",
                  sorted,
                  (st, i, key) -> {
                    st.setString(i, segmentId);
                    st.setString(i + 1, key);
                  }));
    }

    @Override
    long doRemoveMembers(String segmentId, List<String> keys) {
      return sql(
          "remove members",
          () ->
              batch(
                  "DELETE FROM member WHERE segment = ? AND member = ?",
                  keys,
                  (st, i, key) -> {
                    st.setString(i, segmentId);
                    st.setString(i + 1, key);
                  }));
    }

    @Override
    long doDiscardStaged(String segmentId) {
      return sql(
          "discard staged members",
          () -> update("DELETE FROM member_staged WHERE segment = ?", segmentId));
    }

    @Override
    void doPutIdentities(List<IdentityRecord> records, Set<String> releasedExternalIds) {
      sql(
          "write the identity map",
          () -> {
            batch(
                "UPDATE identity SET external_id = NULL WHERE external_id = ?",
                releasedExternalIds,
                (st, i, externalId) -> st.setString(i, externalId));
            // The upsert alone first, undone if the unique external_id index refuses it: only then
            // (an external id this batch assigns is held by another user, which is rare) are those
            // ids looked up and released. Looking them up before every batch took a tenth of a
            // first run's commit thread and almost never found one.
            Savepoint attempt = connection.setSavepoint();
            try {
              upsertIdentities(records);
              connection.releaseSavepoint(attempt);
              return null;
            } catch (SQLException e) {
              if (!dialect.isUniqueViolation(e)) {
                throw e;
              }
              connection.rollback(attempt);
              connection.releaseSavepoint(attempt);
            }
            Map<String, IdentityRecord> byExternalId = new HashMap<>();
            for (IdentityRecord r : records) {
              if (r.externalId() != null) {
                byExternalId.put(r.externalId(), r);
              }
            }
            // Release the external ids this batch assigns that another user holds, so that the
            // upsert can no longer collide on the unique external_id index: one look-up per few
            // hundred ids instead of one update per row.
            List<IdentityRecord> heldByOthers = new ArrayList<>();
            selectIn(
                "SELECT external_id, braze_id FROM identity WHERE external_id IN ",
                "",
                new ArrayList<>(byExternalId.keySet()),
                rs -> {
                  IdentityRecord r = byExternalId.get(rs.getString(1));
                  if (r != null && !r.brazeId().equals(rs.getString(2))) {
                    heldByOthers.add(r);
                  }
                });
            batch(
                "UPDATE identity SET external_id = NULL WHERE external_id = ? AND braze_id <> ?",
                heldByOthers,
                (st, i, r) -> {
                  st.setString(i, r.externalId());
                  st.setString(i + 1, r.brazeId());
                });
            upsertIdentities(records);
            return null;
          });
    }

    private void upsertIdentities(List<IdentityRecord> records) throws SQLException {
      // A row equal to the stored one is left as it is: rewriting it changed nothing but its time,
      // yet dirtied its table and index pages, and the users a rerun sends again sit on a different
      // page each (1 % changed: half of the rerun's write time).
      insert(
          "INSERT INTO identity (braze_id, external_id, identifiers, updated_at) VALUES ",
          "(?, ?, ?, ?)",
          " ON CONFLICT (braze_id) DO UPDATE SET external_id = excluded.external_id,"
              + " identifiers = excluded.identifiers, updated_at = excluded.updated_at"
              + " WHERE identity.external_id IS DISTINCT FROM excluded.external_id"
              + " OR identity.identifiers <> excluded.identifiers",
          records,
          (st, i, r) -> {
            st.setString(i, r.brazeId());
            st.setString(i + 1, r.externalId());
            st.setString(i + 2, Codec.encodeMap(r.identifiers()));
            st.setLong(i + 3, Codec.toNanos(r.updatedAt()));
          });
    }

    @Override
    Set<String> doInsertSeen(List<String> ids, Instant now) {
      long nanos = Codec.toNanos(now);
      // The primary key decides which receiver saw an id first: RETURNING names the rows this
      // statement inserted, also when another host inserts the same ids concurrently.
      Set<String> inserted = new HashSet<>();
      sql(
          "mark ids seen",
          () ->
              insertReturning(
                  "INSERT INTO seen_id (id, seen_at) VALUES ",
                  "(?, ?)",
                  " ON CONFLICT DO NOTHING RETURNING id",
                  lockOrder(ids),
                  (st, i, id) -> {
                    st.setString(i, id);
                    st.setLong(i + 1, nanos);
                  },
                  rs -> inserted.add(rs.getString(1))));
      return inOrder(ids, inserted);
    }

    @Override
    long doPurgeSeen(Instant cutoff) {
      return sql(
          "purge seen ids",
          () -> update("DELETE FROM seen_id WHERE seen_at < ?", Codec.clampNanos(cutoff)));
    }

    @Override
    long doEnqueue(List<OutboxMessage> messages) {
      return sql(
          "write to the outbox",
          () ->
              insert(
                  "INSERT INTO outbox (id, payload, size, enqueued_at) VALUES ",
                  "(?, ?, ?, ?)",
                  " ON CONFLICT DO NOTHING",
                  messages,
                  (st, i, m) -> {
                    st.setString(i, m.id());
                    st.setString(i + 1, m.payload());
                    st.setLong(i + 2, m.sizeInBytes());
                    st.setLong(i + 3, Codec.toNanos(m.enqueuedAt()));
                  }));
    }

    @Override
    long doEnqueueNew(List<OutboxMessage> messages) {
      Instant at = messages.isEmpty() ? null : messages.get(0).enqueuedAt();
      for (OutboxMessage m : messages) {
        if (m.attempts() != 0 || !m.enqueuedAt().equals(at)) {
          return doEnqueue(messages); // a chunk has one time and one attempt count
        }
      }
      return messages.size() < 2
          ? doEnqueue(messages)
          : sql("write to the outbox", () -> insertChunk(messages));
    }

    @Override
    long doAcknowledge(List<String> ids) {
      return sql(
          "acknowledge outbox messages",
          () ->
              perMessage(
                  ids,
                  "DELETE FROM outbox_chunk WHERE seq = ?",
                  true,
                  "DELETE FROM outbox WHERE id = ?"));
    }

    @Override
    long doCountAttempts(List<String> ids) {
      return sql(
          "count delivery attempts",
          () ->
              perMessage(
                  ids,
                  "UPDATE outbox_chunk SET attempts = attempts + 1, claim_owner = NULL,"
                      + " claim_until = NULL WHERE seq = ?",
                  false,
                  "UPDATE outbox SET attempts = attempts + 1, claim_owner = NULL,"
                      + " claim_until = NULL WHERE id = ?"));
    }

    @Override
    long doDeadLetter(Map<String, String> reasonsById, Instant at) {
      long nanos = Codec.toNanos(at);
      return sql(
          "move outbox messages to the dead letters",
          () -> {
            List<String> missed = deadLetterRows(reasonsById, nanos);
            long moved = reasonsById.size() - missed.size();
            // Ids in no row: those in chunks move to rows first, then to the dead letters.
            if (!missed.isEmpty() && explodeHolding(missed) > 0) {
              Map<String, String> rest = new LinkedHashMap<>();
              for (String id : missed) {
                rest.put(id, reasonsById.get(id));
              }
              moved += rest.size() - deadLetterRows(rest, nanos).size();
            }
            return moved;
          });
    }

    /**
     * Moves the outbox rows of these ids to the dead letters.
     *
     * @return the ids in no row
     */
    private List<String> deadLetterRows(Map<String, String> reasonsById, long nanos)
        throws SQLException {
      // Delete, then insert: a replaced letter moves to the end, as its new seq says.
      batch(
          "DELETE FROM dead_letter WHERE id = ?",
          reasonsById.keySet(),
          (st, i, id) -> st.setString(i, id));
      batch(
          "INSERT INTO dead_letter"
              + " (id, payload, size, enqueued_at, attempts, dead_at, reason)"
              + " SELECT id, payload, size, enqueued_at, attempts, ?, ? FROM outbox"
              + " WHERE id = ?",
          reasonsById.entrySet(),
          (st, i, e) -> {
            st.setLong(i, nanos);
            st.setString(i + 1, e.getValue());
            st.setString(i + 2, e.getKey());
          });
      return rowsMissed("DELETE FROM outbox WHERE id = ?", new ArrayList<>(reasonsById.keySet()));
    }

    @Override
    long doPark(List<ParkedEvent> events) {
      return sql(
          "park events",
          () ->
              insert(
                  "INSERT INTO parked (id, payload, braze_id, external_id, parked_at) VALUES ",
                  "(?, ?, ?, ?, ?)",
                  " ON CONFLICT DO NOTHING",
                  events,
                  (st, i, e) -> {
                    st.setString(i, e.id());
                    st.setString(i + 1, e.payload());
                    setParam(st, i + 2, e.brazeId());
                    setParam(st, i + 3, e.externalId());
                    st.setLong(i + 4, Codec.toNanos(e.parkedAt()));
                  }));
    }

    @Override
    long doRemoveParked(List<String> ids) {
      return sql(
          "remove parked events",
          () -> batch("DELETE FROM parked WHERE id = ?", ids, (st, i, id) -> st.setString(i, id)));
    }

    @Override
    long doPurgeParked(Instant cutoff, long keep) {
      return sql(
          "purge parked events",
          () ->
              update("DELETE FROM parked WHERE parked_at < ?", Codec.clampNanos(cutoff))
                  + update(
                      "DELETE FROM parked WHERE seq NOT IN"
                          + " (SELECT seq FROM parked ORDER BY seq DESC LIMIT ?)",
                      keep));
    }

    @Override
    long doReplayDeadLetters(DeadLetterFilter filter, Instant at) {
      return sql(
          "replay dead letters",
          () -> {
            update(
                "INSERT INTO outbox (id, payload, size, enqueued_at)"
                    + " SELECT id, payload, size, ? FROM dead_letter"
                    + deadLetterFilter
                    + " ORDER BY seq ON CONFLICT DO NOTHING",
                filterParams(Codec.toNanos(at), filter));
            return update("DELETE FROM dead_letter" + deadLetterFilter, filterParams(null, filter));
          });
    }

    @Override
    long doPurgeDeadLetters(Instant cutoff) {
      return sql(
          "purge dead letters",
          () -> update("DELETE FROM dead_letter WHERE dead_at < ?", Codec.clampNanos(cutoff)));
    }

    @Override
    Map<String, LedgerState> ledgerStates(
        String activation, String occurrence, List<String> customers) {
      return sql(
          "read the ledger",
          () -> {
            Map<String, LedgerState> states = new HashMap<>();
            selectIn(
                "SELECT customer, state FROM ledger WHERE activation = ? AND occurrence = ?"
                    + " AND customer IN ",
                "",
                customers,
                rs -> states.put(rs.getString(1), LedgerState.valueOf(rs.getString(2))),
                activation,
                occurrence);
            return states;
          });
    }

    @Override
    Set<String> doClaim(String activation, String occurrence, List<String> customers, Instant at) {
      long nanos = Codec.toNanos(at);
      // The primary key, not the read before, makes a claim at most once: a row another host
      // inserted meanwhile conflicts, and only a FAILED entry may be taken over.
      Set<String> claimed = new HashSet<>();
      sql(
          "record pending sends",
          () ->
              insertReturning(
                  "INSERT INTO ledger (" + LEDGER_COLUMNS + ") VALUES ",
                  "(?, ?, ?, 'PENDING', ?, ?, NULL, NULL)",
                  " ON CONFLICT (activation, occurrence, customer) DO UPDATE SET"
                      + " state = 'PENDING', attempted_at = excluded.attempted_at,"
                      + " updated_at = excluded.updated_at, dispatch_id = NULL, reason = NULL"
                      + " WHERE ledger.state = 'FAILED' RETURNING customer",
                  lockOrder(customers),
                  (st, i, customer) -> {
                    st.setString(i, activation);
                    st.setString(i + 1, occurrence);
                    st.setString(i + 2, customer);
                    st.setLong(i + 3, nanos);
                    st.setLong(i + 4, nanos);
                  },
                  rs -> claimed.add(rs.getString(1))));
      return inOrder(customers, claimed);
    }

    @Override
    void doMarkOutcome(
        String activation,
        String occurrence,
        List<String> customers,
        LedgerState outcome,
        String dispatchId,
        String reason,
        Instant at) {
      long nanos = Codec.toNanos(at);
      sql(
          "record send outcomes",
          () ->
              batch(
                  "UPDATE ledger SET state = ?, dispatch_id = ?, reason = ?, updated_at = ?"
                      + " WHERE activation = ? AND occurrence = ? AND customer = ?",
                  customers,
                  (st, i, customer) -> {
                    st.setString(i, outcome.name());
                    st.setString(i + 1, dispatchId);
                    st.setString(i + 2, reason);
                    st.setLong(i + 3, nanos);
                    st.setString(i + 4, activation);
                    st.setString(i + 5, occurrence);
                    st.setString(i + 6, customer);
                  }));
    }

    @Override
    long doPendingToUnknown(String activation, String occurrence, String reason, Instant at) {
      return sql(
          "resolve pending sends",
          () ->
              update(
                  "UPDATE ledger SET state = 'UNKNOWN', reason = ?, updated_at = ?"
                      + " WHERE activation = ? AND occurrence = ? AND state = 'PENDING'",
                  reason,
                  at,
                  activation,
                  occurrence));
    }

    @Override
    long doPurgeLedger(Instant cutoff) {
      return sql(
          "purge the ledger",
          () ->
              update(
                  "DELETE FROM ledger WHERE state IN ('SENT', 'FAILED') AND updated_at < ?",
                  Codec.clampNanos(cutoff)));
    }

    @Override
    void doAppendActivity(ActivityRecord r) {
      Map<String, String> other = new HashMap<>();
      r.counts().other().forEach((name, value) -> other.put(name, Long.toString(value)));
      List<String> rejections = new ArrayList<>();
      for (ActivityRecord.Rejection rejection : r.rejections()) {
        rejections.add(rejection.reason());
        rejections.add(rejection.location());
      }
      ActivityCounts c = r.counts();
      sql(
          "append to the activity log",
          () ->
              update(
                  "INSERT INTO activity ("
                      + ACTIVITY_COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT (id) DO UPDATE SET "
                      + ACTIVITY_UPDATES,
                  r.id(),
                  r.category(),
                  r.flow().name(),
                  r.subject(),
                  r.start(),
                  r.end(),
                  r.status().name(),
                  c.read(),
                  c.matched(),
                  c.unmatched(),
                  c.unchanged(),
                  c.sent(),
                  c.rejected(),
                  c.retried(),
                  c.brazeCalls(),
                  c.odpCalls(),
                  Codec.encodeMap(other),
                  Codec.encodeList(rejections),
                  r.reason()));
    }

    @Override
    long doPurgeActivity(Instant cutoff) {
      return sql(
          "purge the activity log",
          () -> update("DELETE FROM activity WHERE ended_at < ?", Codec.clampNanos(cutoff)));
    }
  }
}
