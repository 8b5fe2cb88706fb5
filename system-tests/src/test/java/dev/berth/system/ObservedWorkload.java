package dev.berth.system;

import dev.berth.contracts.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The apps and events that make the series of deploy/observability's rules and dashboard exist, shared by
 * {@link PrometheusIT} (which checks that every series the dashboard names is scraped) and
 * {@link DashboardShotBench} (which draws them): some series only an event creates (a deployment that
 * ends, an OOM kill, a dead letter), so both need the same events, caused the same way.
 */
final class ObservedWorkload {
    private ObservedWorkload() {
    }

    /**
     * A cluster of two nodes, {@code nodeA} in zone a and {@code nodeB} in zone b, with the volume service
     * (its metrics are on the dashboard) and a node timeout of 5 s, so that a killed agent's node is
     * counted unreachable within a test's deadline.
     */
    static BerthClusterExtension twoNodeCluster(String nodeA, String nodeB) {
        return BerthClusterExtension.withVolumeService()
                .schedulerEnv("BERTH_SCHEDULER_NODE_TIMEOUT", "5s")
                .agent(nodeA, "zone=a")
                .agent(nodeB, "zone=b");
    }

    /**
     * Creates the team's web app, waits until its task is healthy and updates it: a deployment that
     * replaces a healthy task by a healthy one, and so ends (succeeded).
     */
    static void updateHealthyWebApp(String gateway, String team, Duration deadline) {
        create(gateway, webApp(team, "v1"));
        await("/" + team + "/web healthy").atMost(deadline).until(() ->
                Http.get(gateway + "/v1/apps/" + team + "/web").json().path("tasksHealthy").asInt() == 1);
        assertEquals(200, Http.putJson(gateway + "/v1/apps/" + team + "/web", webApp(team, "v2")).status());
    }

    /** A one-task app whose command health check passes: its update is a deployment that succeeds. */
    private static String webApp(String team, String version) {
        return """
                {"id": "/%s/web", "cmd": "sleep 600", "instances": 1, "cpus": 0.02, "mem": 16,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1, "env": {"VERSION": "%s"},
                 "healthChecks": [{"protocol": "COMMAND", "command": {"value": "true"}, "gracePeriodSeconds": 30,
                                   "intervalSeconds": 1, "timeoutSeconds": 1, "maxConsecutiveFailures": 2}]}"""
                .formatted(team, version);
    }

    /** An app of 32 MiB that holds half a GiB (a long backoff: one OOM kill is all it causes). */
    static String memoryHog(String team) {
        return """
                {"id": "/%s/memory-hog", "cmd": "head -c 512m /dev/zero | tail > /dev/null", "instances": 1,
                 "cpus": 1, "mem": 32, "portDefinitions": [], "backoffSeconds": 60}""".formatted(team);
    }

    /** An app no node fits (a zone no node has): a task waiting in the queue, with its reason. */
    static String nowhereApp(String team) {
        return """
                {"id": "/%s/nowhere", "cmd": "sleep 600", "instances": 1, "cpus": 0.02, "mem": 16,
                 "portDefinitions": [], "constraints": [["zone", "LIKE", "nowhere"]]}""".formatted(team);
    }

    /**
     * Why no task can be OOM-killed on {@code node} (it isolates best-effort: no writable cgroups here), or
     * empty when one can.
     */
    static Optional<String> noOomKills(String gateway, String node) {
        String isolation = Http.get(gateway + "/v1/nodes/" + node).json().path("isolation").asText();
        return isolation.equals("best-effort")
                ? Optional.of(node + " isolates best-effort here (no writable cgroups), so no task is OOM-killed")
                : Optional.empty();
    }

    /** Creates an app, which must be accepted. */
    static void create(String gateway, String json) {
        Http.Response created = Http.postJson(gateway + "/v1/apps", json);
        assertEquals(201, created.status(), created.body());
    }

    /** A message nobody can read on the app commands topic: the scheduler dead-letters it. */
    static void sendDeadLetter(BerthCluster cluster) throws ExecutionException, InterruptedException {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(Topics.APP_COMMANDS.name(), "/team-b/poison", "{\"this is\": not json"))
                    .get();
        }
    }
}
