package dev.berth.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The local run's infrastructure as one process: a Kafka broker and a PostgreSQL server with their
 * data under the given run directory, kept across restarts. Writes {@code infra.env} (shell
 * syntax) with their addresses once both are up, and stops both cleanly on SIGTERM.
 *
 * <pre>java -cp 'testkit/target/testkit.jar:testkit/target/lib/*' dev.berth.testkit.LocalInfra RUN_DIR [KAFKA_PORT PG_PORT]</pre>
 */
public final class LocalInfra {
    private LocalInfra() {
    }

    /** The port given at {@code index}, or a free one when it is absent or 0. */
    private static int portOrFree(String[] args, int index) {
        int port = args.length > index ? Integer.parseInt(args[index]) : 0;
        return port == 0 ? FreePorts.next() : port;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: LocalInfra RUN_DIR [KAFKA_PORT PG_PORT]");
            System.exit(2);
        }
        Path runDir = Path.of(args[0]).toAbsolutePath();
        int kafkaPort = portOrFree(args, 1);
        int pgPort = portOrFree(args, 2);
        Files.createDirectories(runDir);

        KafkaBroker kafka = KafkaBroker.start(runDir.resolve("kafka"), kafkaPort, FreePorts.next());
        Postgres postgres = Postgres.start(runDir.resolve("postgres"), pgPort, false);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            postgres.close();
            kafka.close();
            stopped.countDown();
        }, "local-infra-stop"));

        Path env = runDir.resolve("infra.env");
        Path partial = runDir.resolve("infra.env.tmp");
        Files.writeString(partial, String.join("\n",
                "KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers(),
                "PG_JDBC_URL=" + postgres.jdbcUrl(),
                "PG_REACTIVE_URL=" + postgres.reactiveUrl(),
                "PG_USER=" + postgres.username(),
                "PG_PASSWORD=" + postgres.password(),
                ""));
        // Written whole, then renamed: the launcher script reads it only once both servers are up.
        Files.move(partial, env, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("kafka " + kafka.bootstrapServers() + ", postgres " + postgres.jdbcUrl());
        stopped.await();
    }
}
