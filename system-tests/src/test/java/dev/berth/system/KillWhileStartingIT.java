package dev.berth.system;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Apps deleted while their tasks start, over real processes: the local run's {@code sleep 600} that ran on
 * after its task was reported KILLED, holding its port and memory (issue 14). Twenty one-instance apps are
 * each created and deleted at once (or a few milliseconds later), so their kills reach the agents at every
 * moment of the start; once the apps are gone, no process of theirs may be on the host. Each app's processes
 * are found by an environment variable of its own, read from {@code /proc} here, independently of the agent's
 * own marks.
 */
class KillWhileStartingIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final int APPS = 20;
    private static final String TOKEN_VARIABLE = "KILL_WHILE_STARTING_IT";
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
            .agent("kws-node-1", "zone=a")
            .agent("kws-node-2", "zone=b");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNodes() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, "kws-node-1", "kws-node-2");
    }

    @Test
    void appsDeletedWhileTheirTasksStartLeaveNoProcessBehind() {
        // Given twenty apps, each created and deleted at once or a few milliseconds later
        String run = UUID.randomUUID().toString();
        List<String> appIds = new ArrayList<>();
        for (int i = 0; i < APPS; i++) {
            String appId = "/kill-while-starting/app-" + i;
            appIds.add(appId);
            assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                    {"id": "%s", "cmd": "sleep 600", "instances": 1, "cpus": 0.01, "mem": 8,
                     "env": {"%s": "%s"}}""".formatted(appId, TOKEN_VARIABLE, run)).status());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos((i % 4) * 15L)); // 0, 15, 30, 45 ms into the start
            assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        }

        // When every app is gone (the scheduler removes one once its agent has reported its task ended)
        await("every app removed").atMost(DEADLINE)
                .until(() -> appIds.stream().allMatch(id -> Http.get(gateway + "/v1/apps" + id).status() == 404));

        // Then no process of any of them runs on the host: they were gone before their ends were reported
        assertEquals(List.of(), carrying(TOKEN_VARIABLE + "=" + run), "processes of deleted apps still run");
        // and no task group of theirs is left on either node (system tests share one broker, so apps an
        // earlier test class left running may be placed here too: only this test's own are counted)
        for (String node : List.of("kws-node-1", "kws-node-2")) {
            assertEquals(List.of(), TaskTraces.taskGroupsLeft(node).stream()
                    .filter(group -> group.getFileName().toString().startsWith("kill-while-starting_")).toList(),
                    "task groups left on " + node);
        }
        // and the agents' own sweeps had nothing to rescue
        for (String node : List.of("kws-node-1", "kws-node-2")) {
            assertEquals(0, Http.asService().get(cluster.agent(node).url() + "/v1/agent/strays").json()
                    .path("straysKilled").asInt(), node + " found strays");
        }
    }

    /** The pids of the host's processes whose environment holds this {@code NAME=value} entry. */
    private static List<Long> carrying(String entry) {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path process : processes) {
                try {
                    String environ = new String(Files.readAllBytes(process.resolve("environ")),
                            StandardCharsets.ISO_8859_1);
                    if (List.of(environ.split("\0")).contains(entry)) {
                        pids.add(Long.parseLong(process.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // ended while looked at, or a kernel thread: not one of them
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return pids;
    }
}
