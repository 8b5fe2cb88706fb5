package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.NodePartitions;
import dev.berth.testkit.KafkaProbe;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton, end to end over real processes: an app submitted over HTTP becomes a real
 * HTTP server on a node, through the real broker, and goes away again when deleted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkingSkeletonIT {
    private static final String NODE = "ws-node-1";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    // Not "node-1": that is the local run's, and an agent reaps task groups of its node id that it has
    // no checkpoint for (tests may run while deploy/local/up does). Its task ports are free ones, none of
    // the local run's (FreePorts.taskRange keeps clear of 31000-31999).
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService().agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNode() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        await(NODE + " listed by the gateway").atMost(DEADLINE)
                .until(() -> Http.get(gateway + "/v1/nodes").body().contains("\"" + NODE + "\""));
    }

    @Test
    @Order(1)
    void anAppPostedOverHttpRunsAsARealServerAndIsGoneAfterDelete() {
        // Given an app whose command is a real HTTP server on its assigned port
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "/demo/hello", "cmd": "python3 -m http.server $PORT0 --bind 127.0.0.1",
                 "cpus": 0.1, "mem": 64, "portDefinitions": [{"port": 0, "name": "http"}]}""");
        assertEquals(201, created.status(), created.body());

        // When the scheduler places it and the agent runs it
        AtomicReference<JsonNode> task = new AtomicReference<>();
        await("task RUNNING").atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> {
            Http.Response app = Http.get(gateway + "/v1/apps/demo/hello");
            if (app.status() != 200) {
                return false;
            }
            for (JsonNode t : app.json().path("tasks")) {
                if (t.path("state").asText().equals("RUNNING")) {
                    task.set(t);
                    return true;
                }
            }
            return false;
        });

        // Then it answers HTTP on its host and port
        String url = "http://" + task.get().path("host").asText() + ":" + task.get().path("ports").get(0).asInt() + "/";
        await("the app serves HTTP").atMost(DEADLINE).until(() -> Http.answers(url));
        assertEquals(200, Http.get(url).status());
        assertEquals(NODE, task.get().path("node").asText());
        long pid = pidOf(task.get().path("id").asText());
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

        // When it is deleted
        assertEquals(200, Http.delete(gateway + "/v1/apps/demo/hello").status());

        // Then the app disappears, the port stops answering and the process is gone
        await("app removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps/demo/hello").status() == 404);
        await("process gone").atMost(DEADLINE).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertFalse(Http.answers(url));
    }

    @Test
    @Order(2)
    void aMalformedMessageOnEveryTopicIsDeadLetteredAndBerthKeepsWorking() {
        // Given garbage on every topic a service reads
        Map<String, String> poison = Map.of(
                Topics.APP_COMMANDS.name(), "poison-app-command",
                Topics.TASK_STATUS.name(), "poison-task-status",
                Topics.NODE_STATUS.name(), "poison-node-status",
                Topics.APPS.name(), "poison-app",
                Topics.TASKS.name(), "poison-task");
        try (KafkaProbe kafka = new KafkaProbe(cluster.kafkaBootstrap());
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrap(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            poison.forEach((topic, key) -> kafka.send(topic, key, "{\"this is\": not json"));
            int partition = NodePartitions.partitionFor(NODE, producer.partitionsFor(Topics.NODE_COMMANDS.name()).size());
            producer.send(new ProducerRecord<>(Topics.NODE_COMMANDS.name(), partition, NODE, "\u0000garbage")).get();

            // Then each reader sets it aside on the dead-letter topic with its reason
            Set<String> expected = Set.of(
                    "scheduler:" + Topics.APP_COMMANDS.name(), "scheduler:" + Topics.TASK_STATUS.name(),
                    "scheduler:" + Topics.NODE_STATUS.name(), "gateway:" + Topics.APPS.name(), "gateway:" + Topics.TASKS.name(),
                    "gateway:" + Topics.NODE_STATUS.name(), "node-agent:" + NODE + ":" + Topics.NODE_COMMANDS.name());
            Set<String> seen = new HashSet<>();
            kafka.await(Topics.DEAD_LETTER.name(), r -> {
                seen.add(KafkaProbe.header(r, DeadLetters.CONSUMER) + ":" + KafkaProbe.header(r, DeadLetters.SOURCE_TOPIC));
                return seen.containsAll(expected);
            }, DEADLINE);
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        // And every service still works: a new app runs
        assertEquals(201, Http.postJson(gateway + "/v1/apps",
                "{\"id\": \"/demo/after-poison\", \"cmd\": \"sleep 600\", \"cpus\": 0.1, \"mem\": 16}").status());
        await("app RUNNING after poison").atMost(DEADLINE).until(() ->
                Http.get(gateway + "/v1/apps/demo/after-poison").body().contains("\"RUNNING\""));
        assertEquals(200, Http.delete(gateway + "/v1/apps/demo/after-poison").status());
        assertTrue(cluster.scheduler().isAlive() && cluster.gateway().isAlive() && cluster.agent(NODE).isAlive());
    }

    @Test
    @Order(3)
    void theVolumeServiceAnswersFromPostgres() {
        Http.Response volumes = Http.asService().get(cluster.volumes().url() + "/volumes");
        assertEquals(200, volumes.status(), volumes.body());
        assertTrue(volumes.json().isArray());
    }

    private static long pidOf(String taskId) {
        for (JsonNode t : cluster.agentTasks(NODE)) {
            if (t.path("taskId").asText().equals(taskId)) {
                return t.path("pid").asLong();
            }
        }
        throw new AssertionError("agent does not list task " + taskId);
    }
}
