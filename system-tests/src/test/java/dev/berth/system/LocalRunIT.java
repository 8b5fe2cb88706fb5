package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local run as the README has a person use it: {@code deploy/local/up} brings up the whole suite
 * (Kafka and PostgreSQL, Keycloak, two schedulers, the volume service, the gateway, two agents), a
 * {@code kill -9} takes parts down, {@code up} again starts exactly those and leaves the others alone,
 * and {@code deploy/local/status} tells each part's health. Heavy (the whole suite on the machine's
 * cores), so one run serves every test here: one up, one kill, one up again, one down.
 */
class LocalRunIT {
    // Generous: on two cores a first up builds Keycloak's data and starts eight JVMs at once.
    private static final Duration FIRST_UP = Duration.ofMinutes(12);
    private static final Duration UP_AGAIN = Duration.ofMinutes(6);
    private static final Set<String> KILLED = Set.of("node-1", "scheduler");
    private static LocalRun run;

    @BeforeAll
    static void upFromNothing() {
        run = LocalRun.apart();
        LocalRun.Outcome up = run.up(FIRST_UP);
        assertEquals(0, up.exitCode(), "deploy/local/up failed (" + run + "):\n" + up.output());
    }

    @AfterAll
    static void down() {
        if (run == null) {
            return;
        }
        LocalRun.Outcome down = run.down();
        try {
            assertEquals(0, down.exitCode(), "deploy/local/down failed:\n" + down.output());
            assertTrue(run.pids().isEmpty(), "down leaves no pid file: " + run.pids());
        } finally {
            run.clean();
        }
    }

    @Test
    void upAgainStartsExactlyThePartsThatDiedAndLeavesTheOthersRunning() {
        // Given every part of the run ready
        LocalRun.Outcome healthy = run.status();
        assertEquals(0, healthy.exitCode(), healthy.output());
        Map<String, Long> before = run.pids();
        assertEquals(Set.copyOf(LocalRun.PARTS), before.keySet());

        // When one agent and one scheduler are killed as a crash would
        KILLED.forEach(run::kill);
        await("status to tell the killed parts' pids stale").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> KILLED.stream().allMatch(part -> health(run.status(), part).equals("stale pid")));
        LocalRun.Outcome missing = run.status();
        assertEquals(1, missing.exitCode(), "status fails while parts are down:\n" + missing.output());

        // And up runs again
        LocalRun.Outcome up = run.up(UP_AGAIN);
        assertEquals(0, up.exitCode(), up.output());

        // Then exactly those two were started again, each with a new pid; every other part kept its own
        Map<String, Long> after = run.pids();
        for (String part : LocalRun.PARTS) {
            if (KILLED.contains(part)) {
                assertNotEquals(before.get(part), after.get(part), part + " was started again\n" + up.output());
                assertTrue(ProcessHandle.of(after.get(part)).map(ProcessHandle::isAlive).orElse(false), part);
            } else {
                assertEquals(before.get(part), after.get(part), part + " was left running\n" + up.output());
            }
        }
        assertTrue(up.output().contains("Started again: scheduler node-1."), up.output());

        // And status reports every part ready again
        LocalRun.Outcome healed = run.status();
        assertEquals(0, healed.exitCode(), healed.output());
        LocalRun.PARTS.forEach(part -> assertEquals("ready", health(healed, part), healed.output()));
    }

    @Test
    void thePackagedGatewayRefusesATooLongRequestLineAsAProblem() throws IOException {
        // When a request line over 4 KiB reaches the gateway the local run started
        String answer = rawExchange(run.port("BERTH_GATEWAY_PORT"),
                "GET /v1/apps?team=" + "t".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        // Then it is a 414 with a problem document, as every error of the API
        String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
        assertTrue(head.startsWith("HTTP/1.1 414"), head);
        assertTrue(head.toLowerCase().contains("content-type: application/problem+json"), head);
        JsonNode problem = JsonCodec.mapper().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertEquals(414, problem.path("status").asInt(), answer);
        assertTrue(problem.path("detail").asText().contains("4096"), answer);
    }

    @Test
    void theReadmesFirstAppAnswersThroughTheRouter() throws IOException {
        // Given the README's first app exactly as the README writes it (its hello.json), deployed by otto
        String hello = readmeFile("hello.json");
        String path = JsonCodec.mapper().readTree(hello).path("labels").path("BERTH_ROUTE_0_PATH").asText();
        assertTrue(path.startsWith("/team-a/"), "the README's hello.json routes a path of team a: " + hello);
        Http.Caller otto = Http.as(() -> run.token("otto", "otto-password"));
        Http.Response created = otto.postJson(run.gateway() + "/v1/apps", hello);
        assertEquals(201, created.status(), created.body());
        try {
            // Then the router answers under the app's path, from one of its healthy instances
            await("the app served through the router on " + run.router() + path).atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> Http.anonymous().get(run.router() + path + "/").status() == 200);
            // And the app shows its route active
            JsonNode app = JsonCodec.mapper().readTree(otto.get(run.gateway() + "/v1/apps/team-a/hello").body());
            assertEquals("ACTIVE", app.path("routes").path(0).path("state").asText(), app.toString());
        } finally {
            assertEquals(200, otto.delete(run.gateway() + "/v1/apps/team-a/hello").status());
        }
        // And once the app is deleted, the path is no longer served
        await("the path no longer routed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> Http.anonymous().get(run.router() + path + "/").status() == 404);
    }

    /** The text of a file the README writes with {@code cat > NAME <<'JSON'}, as a reader would get it. */
    private static String readmeFile(String name) throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("berth.root", "..")).resolve("README.md"));
        String start = "cat > " + name + " <<'JSON'\n";
        int from = readme.indexOf(start);
        assertTrue(from >= 0, "the README writes " + name);
        from += start.length();
        return readme.substring(from, readme.indexOf("\nJSON\n", from) + 1);
    }

    /** The HEALTH column of the part's line in status's table. */
    private static String health(LocalRun.Outcome status, String part) {
        Optional<String> line = Arrays.stream(status.output().split("\n"))
                .filter(l -> l.startsWith(part + " ")).findFirst();
        // PART PID PORT HEALTH LOG: health may be several words, the log is one path
        List<String> columns = line.map(l -> List.of(l.trim().split("\\s+"))).orElse(List.of());
        return columns.size() < 5 ? "(no line for " + part + ")"
                : String.join(" ", columns.subList(3, columns.size() - 1));
    }

    /** Writes the request as it is (an HTTP client would refuse such a line) and reads until the server closes. */
    private static String rawExchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            in.transferTo(read);
            return read.toString(StandardCharsets.UTF_8);
        }
    }
}
