package io.github.brazeodp.sync.state;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One real PostgreSQL server per test JVM (binaries from Maven, no Docker), started on first use
 * and stopped when the JVM exits; each caller gets a fresh schema of its own, which is much faster
 * than a server or a database per test.
 */
public final class TestPostgres {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static EmbeddedPostgres server;

  private TestPostgres() {}

  static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        // Autovacuum's ANALYZE every second instead of every minute: tables here grow from empty
        // to 100,000 rows within seconds, and until statistics exist the planner reads a whole
        // namespace's index range for an IN look-up (12 ms instead of 1 ms per query).
        EmbeddedPostgres started =
            EmbeddedPostgres.builder().setServerConfig("autovacuum_naptime", "1").start();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        started.close();
                      } catch (IOException e) {
                        // The JVM is exiting; the server's directory is temporary.
                      }
                    }));
        server = started;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
      }
    }
    return server;
  }

  /** Creates an empty schema and returns a data source whose connections use it. */
  public static DataSource freshSchema() {
    String schema = "t" + SCHEMAS.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create schema " + schema, e);
    }
    return dataSource(schema);
  }

  static DataSource dataSource(String schema) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url());
    ds.setCurrentSchema(schema);
    return ds;
  }

  static String url() {
    return server().getJdbcUrl("postgres", "postgres");
  }
}
