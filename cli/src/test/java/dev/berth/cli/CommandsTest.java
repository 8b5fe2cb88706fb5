package dev.berth.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands against a stand-in gateway: what they ask for, and what they print in each -o format. */
class CommandsTest {
    private static final String VOLUMES = """
            {"volumes": [{"id": "team-a_db.db-0.data", "appId": "/team-a/db", "identity": "db-0", "state": "ATTACHED",
              "type": "LOCAL", "provider": "local", "sizeMib": 64, "nodeId": "node-1", "attachedNodeId": "node-1",
              "attachedTaskId": "team-a_db.0001", "fencingEpoch": 3, "updatedAt": "2026-12-07T09:00:00Z"}]}""";

    @TempDir
    Path config;

    private StubGateway gateway;

    @BeforeEach
    void start() throws IOException {
        gateway = new StubGateway();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aListIsATableForPeople() {
        gateway.answer("GET /v1/volumes?limit=1000&app=%2Fteam-a%2Fdb", VOLUMES);

        StubGateway.Run run = gateway.run(config, "volume", "list", "--app", "/team-a/db");

        assertEquals(0, run.exit(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).startsWith("ID") && lines.get(0).contains("STATE"), run.out());
        assertTrue(lines.get(1).startsWith("team-a_db.db-0.data") && lines.get(1).contains("ATTACHED")
                && lines.get(1).contains("node-1"), run.out());
    }

    @Test
    void aListIsTheApisArrayAsJsonOrYaml() {
        gateway.answer("GET /v1/volumes?limit=1000", VOLUMES);

        StubGateway.Run json = gateway.run(config, "volume", "list", "-o", "json");
        StubGateway.Run yaml = gateway.run(config, "volume", "list", "-o", "yaml");

        assertTrue(json.out().strip().startsWith("[") && json.out().contains("\"fencingEpoch\" : 3"), json.out());
        assertTrue(yaml.out().startsWith("- id: team-a_db.db-0.data\n"), yaml.out());
        assertTrue(yaml.out().contains("  fencingEpoch: 3\n") && yaml.out().contains("  appId: /team-a/db\n"), yaml.out());
    }

    @Test
    void anEmptyListSaysSo() {
        gateway.answer("GET /v1/volumes?limit=1000", "{\"volumes\": []}");

        assertEquals("No volumes.\n", gateway.run(config, "volume", "list").out());
    }

    @Test
    void aShowOfSomethingUnknownIsExitCodeThreeWithTheGatewaysWords() {
        StubGateway.Run run = gateway.run(config, "node", "show", "node-9");

        assertEquals(3, run.exit());
        assertTrue(run.err().contains("no stub for GET /v1/nodes/node-9"), run.err());
    }

    @Test
    void aVolumesHistoryIsATableOfItsChanges() {
        gateway.answer("GET /v1/volumes/team-a_db.db-0.data/history", """
                [{"kind": "CREATED", "fromState": null, "toState": "AVAILABLE", "fencingEpoch": 0, "at": "2026-12-07T09:00:00Z"},
                 {"kind": "FENCED", "fromState": "ATTACHED", "toState": "FENCED", "nodeId": "node-1", "fencingEpoch": 2,
                  "reason": "node node-1 lost", "at": "2026-12-07T09:05:00Z"}]""");

        StubGateway.Run run = gateway.run(config, "volume", "history", "team-a_db.db-0.data");

        List<String> lines = run.out().lines().toList();
        assertEquals(3, lines.size(), run.out());
        assertTrue(lines.get(2).contains("FENCED") && lines.get(2).contains("ATTACHED->FENCED")
                && lines.get(2).contains("node node-1 lost"), run.out());
    }

    @Test
    void aRollbackWithoutAVersionBringsBackTheOneBeforeTheCurrent() {
        gateway.answer("GET /v1/apps/team-a/web/versions?limit=2",
                        "{\"versions\": [{\"version\": 5, \"change\": \"scaled\"}, {\"version\": 4, \"change\": \"updated\"}]}")
                .answer("POST /v1/apps/team-a/web/rollback?version=4", "{\"id\": \"/team-a/web\", \"version\": 6}");

        StubGateway.Run run = gateway.run(config, "app", "rollback", "team-a/web");

        assertEquals(0, run.exit(), run.err());
        assertEquals("rolling back /team-a/web to version 4 (as version 6)\n", run.out());
    }

    @Test
    void anAppWithOneVersionHasNothingToRollBackTo() {
        gateway.answer("GET /v1/apps/team-a/web/versions?limit=2", "{\"versions\": [{\"version\": 1}]}");

        StubGateway.Run run = gateway.run(config, "app", "rollback", "/team-a/web");

        assertEquals(2, run.exit());
        assertTrue(run.err().contains("no version before its current one"), run.err());
        assertTrue(gateway.asked.stream().noneMatch(request -> request.startsWith("POST")), gateway.asked.toString());
    }

    @Test
    void anAppsLogsInterleaveItsTasksLinesEachPrefixed() {
        gateway.answer("GET /v1/apps/team-a/web", """
                        {"id": "/team-a/web", "tasks": [{"id": "team-a_web.aaa", "instance": 0}, {"id": "team-a_web.bbb", "instance": 1}]}""")
                .answer("GET /v1/tasks/team-a_web.aaa/logs?tail=5", "zero says hi\n")
                .answer("GET /v1/tasks/team-a_web.bbb/logs?tail=5", "one says hi\none again\n");

        StubGateway.Run run = gateway.run(config, "logs", "/team-a/web", "--tail", "5");

        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("#0 | zero says hi", "#1 | one again", "#1 | one says hi"), run.out().lines().sorted().toList());
    }

    @Test
    void anAppsLogsGoOnWhenOneTasksLogCannotBeRead() {
        gateway.answer("GET /v1/apps/team-a/web", """
                        {"id": "/team-a/web", "tasks": [{"id": "team-a_web.aaa", "instance": 0}, {"id": "team-a_web.bbb", "instance": 1}]}""")
                .answer("GET /v1/tasks/team-a_web.aaa/logs", "still here\n");

        StubGateway.Run run = gateway.run(config, "logs", "team-a/web");

        assertEquals(0, run.exit(), run.err());
        assertEquals("#0 | still here\n", run.out());
        assertTrue(run.err().contains("team-a_web.bbb: "), run.err());
    }

    @Test
    void aDeploymentIsShownWithItsSteps() {
        gateway.answer("GET /v1/deployments/d-1", """
                {"id": "d-1", "appId": "/team-a/web", "state": "PAUSED", "fromVersion": 2, "toVersion": 3, "cause": "update",
                 "reason": "canaries healthy: waiting for a promote",
                 "progress": {"target": 4, "newHealthy": 1, "newRunning": 1, "oldRunning": 4},
                 "steps": [{"action": "START_CANARIES", "detail": "1 canary", "status": "DONE"},
                           {"action": "PAUSE", "detail": "wait for a person", "status": "RUNNING"}]}""");

        StubGateway.Run run = gateway.run(config, "deployment", "show", "d-1");

        assertTrue(run.out().contains("versions: 2->3\n"), run.out());
        assertTrue(run.out().contains("progress: new: 1 healthy, 1 running of 4; old: 4 running\n"), run.out());
        assertTrue(run.out().lines().anyMatch(line -> line.startsWith("2") && line.contains("PAUSE") && line.contains("RUNNING")),
                run.out());
    }

    @Test
    void cancelIsTheApisDeleteOfADeployment() {
        gateway.answer("DELETE /v1/deployments/d-1", "{\"id\": \"d-1\", \"appId\": \"/team-a/web\", \"state\": \"ROLLED_BACK\"}");

        StubGateway.Run run = gateway.run(config, "deployment", "cancel", "d-1");

        assertEquals("cancelled d-1 of /team-a/web: ROLLED_BACK\n", run.out());
    }

    @Test
    void aVolumeDeleteTheGatewayStillWorksOnIsSuccessSaidSo() {
        gateway.answer("DELETE /v1/volumes/v-1", 202, "{\"id\": \"v-1\", \"state\": \"RELEASED\"}");

        StubGateway.Run run = gateway.run(config, "volume", "delete", "v-1");

        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("deleting v-1: the volume service has the command"), run.out());
    }

    @Test
    void aStatefulInstanceIsReplacedByItsIdentity() {
        gateway.answer("POST /v1/apps/team-a/db/instances/db-1/replace", "{\"id\": \"/team-a/db\", \"version\": 7}");

        StubGateway.Run run = gateway.run(config, "app", "replace-instance", "/team-a/db", "db-1");

        assertEquals(0, run.exit(), run.err());
        assertEquals("replacing db-1 of /team-a/db with fresh volumes (version 7)\n", run.out());
    }

    @Test
    void anIdIsSentAsOnePathSegment() {
        gateway.run(config, "task", "show", "../apps/x?y");

        assertEquals(List.of("GET /v1/tasks/..%2Fapps%2Fx%3Fy"), gateway.asked);
    }
}
