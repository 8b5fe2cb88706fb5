package dev.berth.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.DriverManager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PostgresExtension.class)
class PostgresTest {

    @Test
    void aRealPostgresServerAnswersSql(Postgres postgres) throws Exception {
        try (var connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
             var statement = connection.createStatement()) {
            statement.execute("create table if not exists probe (n int)");
            statement.execute("insert into probe values (41)");
            try (var rs = statement.executeQuery("select n + 1, version() from probe")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
                assertTrue(rs.getString(2).startsWith("PostgreSQL"));
            }
        }
    }
}
