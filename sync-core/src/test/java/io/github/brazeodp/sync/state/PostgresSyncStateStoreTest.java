package io.github.brazeodp.sync.state;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Runs the store contract against the PostgreSQL store: one schema for the class, emptied before
 * each test, which is several times faster than creating and migrating a schema per test.
 */
class PostgresSyncStateStoreTest extends SyncStateStoreContractTest {
  private static DataSource schema;

  @Override
  SyncStateStore newStore() {
    if (schema == null) {
      schema = TestPostgres.freshSchema();
    } else {
      truncateAll(schema);
    }
    return SyncStateStore.postgres(schema);
  }

  private static void truncateAll(DataSource schema) {
    try (Connection c = schema.getConnection();
        Statement st = c.createStatement()) {
      String tables;
      try (ResultSet rs =
          st.executeQuery(
              "SELECT string_agg(quote_ident(table_name), ', ') FROM information_schema.tables"
                  + " WHERE table_schema = current_schema() AND table_name <> 'schema_version'")) {
        rs.next();
        tables = rs.getString(1);
      }
      st.execute("TRUNCATE " + tables + " RESTART IDENTITY");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot empty the test schema", e);
    }
  }
}
