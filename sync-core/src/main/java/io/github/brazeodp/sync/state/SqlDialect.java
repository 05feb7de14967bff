package io.github.brazeodp.sync.state;

import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * What differs between SQLite and PostgreSQL for {@link JdbcStateStore}: the types in the schema,
 * the row locking of outbox claims, a substring test and the meaning of error codes. Everything
 * else is SQL both accept ({@code INSERT ... ON CONFLICT}, {@code RETURNING}, {@code LIMIT}).
 */
enum SqlDialect {
  SQLITE {
    @Override
    String ddl(String sqlite) {
      return sqlite;
    }

    @Override
    String skipLocked() {
      // A SQLite write transaction already holds the whole database.
      return "";
    }

    @Override
    String contains(String column) {
      return "instr(" + column + ", ?) > 0";
    }

    @Override
    String concatenated(String text) {
      return "group_concat(" + text + ", ' ')";
    }

    @Override
    boolean isCorruption(SQLException e) {
      int primary = e.getErrorCode() & 0xFF;
      String message = String.valueOf(e.getMessage());
      return primary == 11
          || primary == 26
          || message.contains("SQLITE_CORRUPT")
          || message.contains("SQLITE_NOTADB");
    }

    @Override
    boolean isDiskFull(SQLException e) {
      return (e.getErrorCode() & 0xFF) == 13;
    }

    @Override
    boolean isBusy(SQLException e) {
      int primary = e.getErrorCode() & 0xFF;
      return primary == 5 || primary == 6;
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      // SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067). Through a JDBC
      // batch the driver reports only the primary code (19, any constraint) and names the
      // extended one in the message.
      String message = String.valueOf(e.getMessage());
      return e.getErrorCode() == 1555
          || e.getErrorCode() == 2067
          || (e.getErrorCode() == 19
              && (message.startsWith("[SQLITE_CONSTRAINT_UNIQUE]")
                  || message.startsWith("[SQLITE_CONSTRAINT_PRIMARYKEY]")));
    }
  },

  POSTGRES {
    private final Pattern autoincrement =
        Pattern.compile("INTEGER PRIMARY KEY AUTOINCREMENT", Pattern.LITERAL);
    private final Pattern integer = Pattern.compile("\\bINTEGER\\b");
    // Code-point order, as Java's String.compareTo and SQLite's BINARY collation: membership pages
    // and resume keys compare strings, and the database's locale collation would order them
    // differently.
    private final Pattern text = Pattern.compile("\\bTEXT\\b");

    @Override
    String ddl(String sqlite) {
      String ddl = autoincrement.matcher(sqlite).replaceAll("BIGSERIAL PRIMARY KEY");
      ddl = ddl.replace(" WITHOUT ROWID", "");
      // Instants are stored as nanoseconds since the epoch: they need 64 bits.
      ddl = integer.matcher(ddl).replaceAll("BIGINT");
      return text.matcher(ddl).replaceAll("TEXT COLLATE \"C\"");
    }

    @Override
    String skipLocked() {
      return " FOR UPDATE SKIP LOCKED";
    }

    @Override
    String contains(String column) {
      return "strpos(" + column + ", ?) > 0";
    }

    @Override
    String concatenated(String text) {
      return "string_agg(" + text + ", ' ')";
    }

    @Override
    boolean isCorruption(SQLException e) {
      // data_corrupted, index_corrupted.
      return "XX001".equals(e.getSQLState()) || "XX002".equals(e.getSQLState());
    }

    @Override
    boolean isDiskFull(SQLException e) {
      // disk_full, and the other insufficient_resources codes a full server reports.
      return "53100".equals(e.getSQLState()) || "53000".equals(e.getSQLState());
    }

    @Override
    boolean isBusy(SQLException e) {
      // lock_not_available (lock_timeout), deadlock_detected, serialization_failure.
      String state = String.valueOf(e.getSQLState());
      return state.equals("55P03") || state.equals("40P01") || state.equals("40001");
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      return "23505".equals(e.getSQLState());
    }
  };

  /** Translates one step of the schema, written for SQLite, to this dialect. */
  abstract String ddl(String sqlite);

  /** The suffix of a {@code SELECT} whose rows a claim takes, skipping rows others are taking. */
  abstract String skipLocked();

  /** A condition that {@code column} contains the string bound to the one placeholder. */
  abstract String contains(String column);

  /** The aggregate that joins the {@code text} of every row with a space in between. */
  abstract String concatenated(String text);

  abstract boolean isCorruption(SQLException e);

  abstract boolean isDiskFull(SQLException e);

  /** Whether the failure is another connection holding a lock for too long. */
  abstract boolean isBusy(SQLException e);

  abstract boolean isUniqueViolation(SQLException e);
}
