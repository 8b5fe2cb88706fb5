package dev.berth.testkit;

/**
 * One broker and one database per test JVM, started on first use and stopped when the JVM exits.
 * Starting a broker costs about two seconds; sharing it lets every test class in a module use a
 * real one without paying that again. Tests stay independent by using their own app and node ids.
 */
public final class SharedInfra {
    private static KafkaBroker kafka;
    private static Postgres postgres;

    private SharedInfra() {
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            KafkaBroker started = KafkaBroker.start(Directories.scratch("kafka-"));
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "testkit-kafka-stop"));
            kafka = started;
        }
        return kafka;
    }

    public static synchronized Postgres postgres() {
        if (postgres == null) {
            Postgres started = Postgres.start(Directories.scratch("postgres-"));
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "testkit-postgres-stop"));
            postgres = started;
        }
        return postgres;
    }
}
