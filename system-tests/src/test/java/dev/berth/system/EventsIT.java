package dev.berth.system;

import dev.berth.contracts.Topics;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.json.JsonCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public event stream over the real parts: the scheduler announces what it decides on
 * {@code berth.events} as CloudEvents, and a client of the gateway's {@code GET /v1/events} sees
 * them live, and after a disconnect resumes with {@code Last-Event-ID} without a gap or a repeat.
 */
class EventsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String NODE = "ev-node-1";
    private static final String APP = "/ev-team/web";

    /** No agent yet: the test starts one, to see it announced. */
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1);
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void gateway() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
    }

    @Test
    void aClientSeesTheClusterLiveAndResumesAfterADisconnectWithoutAGap() {
        long lastSeen;
        try (EventStream live = new EventStream(gateway + "/v1/events?type=dev.berth.", null)) {
            assertEquals(200, live.status());

            // A node joins, an app is created and its task runs: each is announced
            cluster.startAgent(NODE, "zone=a");
            live.awaitEvent("node up", e -> e.type().equals("dev.berth.node.up")
                    && e.cloudEvent().path("subject").asText().equals("nodes/" + NODE), DEADLINE);
            Http.Response created = Http.postJson(gateway + "/v1/apps", """
                    {"id": "%s", "cmd": "sleep 600", "instances": 1, "cpus": 0.01, "mem": 32,
                     "portDefinitions": [], "taskKillGracePeriodSeconds": 1}""".formatted(APP));
            assertEquals(201, created.status(), created.body());
            EventStream.Event app = live.awaitEvent("app created", e -> e.type().equals("dev.berth.app.created"),
                    DEADLINE);
            assertEquals("apps" + APP, app.cloudEvent().path("subject").asText());
            assertEquals("ev-team", app.cloudEvent().path("team").asText());
            assertEquals("1.0", app.cloudEvent().path("specversion").asText());
            assertEquals("/berth/scheduler", app.cloudEvent().path("source").asText());
            EventStream.Event running = live.awaitEvent("task running", e -> e.type().equals("dev.berth.task.state")
                    && e.cloudEvent().path("data").path("state").asText().equals("RUNNING"), DEADLINE);
            assertEquals("ev-team", running.cloudEvent().path("team").asText());
            assertIncreasing(live.events());
            lastSeen = live.events().get(live.events().size() - 1).id();
        }

        // While no client listens, the app is scaled to two
        assertTrue(Http.patchJson(gateway + "/v1/apps" + APP, "{\"instances\": 2}").status() / 100 == 2);
        await("two running").atMost(DEADLINE).until(() -> cluster.running(APP).size() == 2);

        // A client that comes back with the last id it saw gets exactly what followed, in order
        try (EventStream resumed = new EventStream(gateway + "/v1/events?type=dev.berth.", Long.toString(lastSeen))) {
            resumed.awaitEvent("the second task running", e -> e.type().equals("dev.berth.task.state")
                    && e.cloudEvent().path("data").path("state").asText().equals("RUNNING"), DEADLINE);
            List<Long> expected = TopicSnapshot.read(cluster.kafkaBootstrap(), Topics.EVENTS.name()).stream()
                    .filter(r -> r.offset() > lastSeen && type(r).startsWith("dev.berth."))
                    .map(ConsumerRecord::offset).toList();
            await("every event since " + lastSeen).atMost(DEADLINE)
                    .until(() -> resumed.events().size() >= expected.size());
            List<Long> got = resumed.events().stream().map(EventStream.Event::id).toList();
            assertEquals(expected, got.subList(0, expected.size()), "no gap, no repeat after " + lastSeen);
            assertTrue(resumed.events().stream().anyMatch(e -> e.type().equals("dev.berth.app.updated")),
                    "the scale was announced: " + resumed.events());
        }
    }

    private static String type(ConsumerRecord<String, byte[]> record) {
        return JsonCodec.decode(record.value(), CloudEvent.class).type();
    }

    private static void assertIncreasing(List<EventStream.Event> events) {
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).id() > events.get(i - 1).id(), "ids grow: " + events);
        }
    }
}
