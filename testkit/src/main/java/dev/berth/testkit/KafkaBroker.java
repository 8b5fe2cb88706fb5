package dev.berth.testkit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one), started in this
 * JVM from the {@code kafka_2.13} jars. No Docker, no ZooKeeper. Data lives in the directory it is
 * given; a directory that was already formatted is reused, so the local run keeps its topics
 * across restarts.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private KafkaRaftServer server;

    private KafkaBroker(Path dataDir, int brokerPort, int controllerPort) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /** Starts a broker on free ports with its data in {@code dataDir}. */
    public static KafkaBroker start(Path dataDir) {
        return start(dataDir, FreePorts.next(), FreePorts.next());
    }

    public static KafkaBroker start(Path dataDir, int brokerPort, int controllerPort) {
        KafkaBroker broker = new KafkaBroker(dataDir.toAbsolutePath(), brokerPort, controllerPort);
        broker.startServer();
        return broker;
    }

    /** The address clients connect to, e.g. {@code 127.0.0.1:39211}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    private void startServer() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data dir " + dataDir, e);
        }
        KafkaConfig config = KafkaConfig.fromProps(properties(), false);
        format();
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        // A single node: every internal topic has one replica, and the coordinators need no more.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Tests join and leave groups constantly; waiting for more members only slows them down.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The schedulers elect their leader with a 3 s group session so a failover takes seconds; the
        // broker's default floor (6 s) would refuse it. A production broker needs the same setting
        // (docs/operations.md). 1 s leaves room for tests that go shorter still.
        p.put("group.min.session.timeout.ms", "1000");
        p.put("num.partitions", "1");
        // The cleaner's default 128 MiB dedupe buffer is wasted on a test or laptop broker.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        return p;
    }

    private void format() {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            // Formatted by an earlier start (the local run keeps its topics across restarts). The
            // formatter would check the directory against a new random cluster id and refuse it.
            return;
        }
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(dataDir.toString())
                .setDirectories(List.of(dataDir.toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka data dir " + dataDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }
}
