package dev.berth.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Quarkus: points both the reactive and the JDBC (Flyway) datasource at the shared real PostgreSQL. */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        Postgres pg = SharedInfra.postgres();
        return Map.of(
                "quarkus.datasource.reactive.url", pg.reactiveUrl(),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                "quarkus.datasource.username", pg.username(),
                "quarkus.datasource.password", pg.password());
    }

    @Override
    public void stop() {
        // shared per JVM: see SharedInfra
    }
}
