package dev.berth.router.haproxy;

import dev.berth.contracts.routing.RouteAffinity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The data plane over the real haproxy (Debian's, which CI installs): routing, each affinity, draining,
 * and which changes reload and which do not. Each test starts its own haproxy on a free port.
 */
class HaproxyTest {
    private static final Path BINARY = HaproxySettings.DEFAULT_BINARY;

    @TempDir
    Path workDir;

    private Haproxy haproxy;
    private TaskServers tasks;
    private Through client;

    @BeforeAll
    static void haproxyIsInstalled() {
        assumeTrue(Files.isExecutable(BINARY), "no haproxy at " + BINARY
                + ": install Debian's package (apt-get install haproxy; .ci/run does) to run the data plane tests");
    }

    @BeforeEach
    void startHaproxy() {
        // Four slots, so that a fifth task makes a backend grow.
        haproxy = Haproxy.start(new HaproxySettings(BINARY, "127.0.0.1", 0, workDir, "berth-test-key", 4));
        tasks = new TaskServers();
        client = new Through(haproxy.port());
    }

    @AfterEach
    void stop() {
        haproxy.close();
        tasks.close();
    }

    private static HaproxyRoute path(String name, String path, RouteAffinity affinity, String header, List<HaproxyServer> servers) {
        return new HaproxyRoute(name, path, null, true, affinity, header, servers);
    }

    private static List<HaproxyServer> servers(List<TaskServers.Task> tasks) {
        return tasks.stream().map(TaskServers.Task::server).toList();
    }

    private Map<String, Integer> spread(int requests, String path, String... headers) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            Through.Answer answer = client.get(path, headers);
            assertEquals(200, answer.status(), answer.body());
            counts.merge(answer.task(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void aPathRouteStripsItsPrefixAndTakesNoLongerWord() {
        TaskServers.Task a = tasks.start("a");
        haproxy.apply(List.of(path("team_a_hello_0", "/team-a/hello", RouteAffinity.NONE, null, List.of(a.server()))));

        assertEquals("/x", client.get("/team-a/hello/x").path());
        assertEquals("/x/y?q=1", client.get("/team-a/hello/x/y?q=1").path());
        assertEquals("/", client.get("/team-a/hello").path());
        assertEquals("/", client.get("/team-a/hello/").path());
        Through.Answer other = client.get("/team-a/helloworld");
        assertEquals(404, other.status());
        assertTrue(other.body().contains("no route matches"), other.body());
        assertEquals(404, client.get("/").status());
    }

    @Test
    void aRouteThatKeepsItsPrefixPassesThePathAsItCame() {
        TaskServers.Task a = tasks.start("a");
        haproxy.apply(List.of(new HaproxyRoute("keep_0", "/team-a/keep", null, false, RouteAffinity.NONE, null, List.of(a.server()))));

        assertEquals("/team-a/keep/x", client.get("/team-a/keep/x").path());
    }

    @Test
    void theLongestPathPrefixWins() {
        TaskServers.Task outer = tasks.start("outer");
        TaskServers.Task inner = tasks.start("inner");
        haproxy.apply(List.of(
                path("outer_0", "/team-a", RouteAffinity.NONE, null, List.of(outer.server())),
                path("inner_0", "/team-a/hello", RouteAffinity.NONE, null, List.of(inner.server()))));

        assertEquals("inner", client.get("/team-a/hello/x").task());
        assertEquals("outer", client.get("/team-a/other").task());
        assertEquals("/hello2", client.get("/team-a/hello2").path());
    }

    @Test
    void aRootRouteTakesWhatNoLongerPrefixTakes() {
        TaskServers.Task root = tasks.start("root");
        TaskServers.Task inner = tasks.start("inner");
        haproxy.apply(List.of(
                path("root_0", "/", RouteAffinity.NONE, null, List.of(root.server())),
                path("inner_0", "/team-a/hello", RouteAffinity.NONE, null, List.of(inner.server()))));

        assertEquals("inner", client.get("/team-a/hello/x").task());
        Through.Answer rest = client.get("/anything/else");
        assertEquals("root", rest.task());
        assertEquals("/anything/else", rest.path());
    }

    @Test
    void aVhostRouteMatchesItsHostWithoutPortOrCase() {
        TaskServers.Task shop = tasks.start("shop");
        TaskServers.Task both = tasks.start("both");
        haproxy.apply(List.of(
                new HaproxyRoute("shop_0", null, "shop.example.com", true, RouteAffinity.NONE, null, List.of(shop.server())),
                new HaproxyRoute("both_0", "/api", "api.example.com", true, RouteAffinity.NONE, null, List.of(both.server()))));

        assertEquals("shop", client.withHost("Shop.Example.COM:8000", "/any").task());
        assertEquals("/any", client.withHost("shop.example.com", "/any").path());
        assertEquals(404, client.withHost("other.example.com", "/any").status());
        assertEquals("/v1", client.withHost("api.example.com", "/api/v1").path());
        assertEquals(404, client.withHost("api.example.com", "/v1").status(), "a route with host and path needs both");
        assertEquals(404, client.withHost("other.example.com", "/api/v1").status());
    }

    @Test
    void noneSpreadsRequestsAndTakesTaskChangesWithoutAReload() {
        List<TaskServers.Task> three = tasks.start("a", "b", "c");
        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, servers(three))));
        int reloads = haproxy.reloads();

        assertEquals(Set.of("a", "b", "c"), spread(30, "/web/").keySet());

        ApplyResult removed = haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, servers(three.subList(0, 2)))));
        assertFalse(removed.reloaded());
        assertEquals(1, removed.runtimeCommands());
        assertEquals(Set.of("a", "b"), spread(30, "/web/").keySet());

        ApplyResult back = haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, servers(three))));
        assertFalse(back.reloaded());
        assertEquals(Set.of("a", "b", "c"), spread(30, "/web/").keySet());
        assertEquals(reloads, haproxy.reloads());
    }

    @Test
    void aTaskThatMovesKeepsServingAtItsNewAddressWithoutAReload() {
        TaskServers.Task before = tasks.start("before");
        TaskServers.Task after = tasks.start("after");
        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, List.of(before.server()))));
        int reloads = haproxy.reloads();

        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null,
                List.of(new HaproxyServer("before", "localhost", after.port(), false)))));

        assertEquals(Map.of("after", 10), spread(10, "/web/"));
        assertEquals(reloads, haproxy.reloads());
    }

    @Test
    void aBatchLongerThanOnePartIsAnsweredCommandByCommandInOrder() throws Exception {
        // Given a backend, and a batch three parts long with a command haproxy refuses in its middle
        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, List.of(tasks.start("a").server()))));
        String fine = "set server web_0/" + HaproxyConfig.slotName(3) + " state maint";
        List<String> batch = new ArrayList<>(Collections.nCopies(2 * UnixSocketCli.PIPELINED_BYTES / fine.length() + 10, fine));
        int middle = batch.size() / 2;
        batch.set(middle, "set server web_0/nope state ready");

        // When it goes over one connection
        List<String> replies = statsSocket().sendAll(batch);

        // Then every command has its own answer, the refusal in its place
        assertEquals(batch.size(), replies.size());
        assertEquals("No such server.", replies.get(middle).strip());
        assertEquals(List.of(""), replies.stream().filter(r -> !r.contains("No such server")).map(String::strip).distinct().toList());
    }

    @Test
    void aCommandRefusedInTheMiddleOfABatchIsReportedAndOnlyItsSlotIsSentAgain() throws Exception {
        // Given three tasks routed, and the middle one's server removed from haproxy behind the router's back
        List<TaskServers.Task> three = tasks.start("a", "b", "c");
        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, servers(three))));
        String bSlot = slotServing(three.get(1).port());
        statsSocket().sendAll(List.of("set server web_0/" + bSlot + " state maint", "del server web_0/" + bSlot));

        // When all three move, in one batch whose middle command haproxy refuses
        List<TaskServers.Task> moved = tasks.start("a2", "b2", "c2");
        List<HaproxyServer> movedServers = IntStream.range(0, 3)
                .mapToObj(i -> new HaproxyServer(three.get(i).name(), "localhost", moved.get(i).port(), false)).toList();
        HaproxyRoute web = path("web_0", "/web", RouteAffinity.NONE, null, movedServers);
        HaproxyException refused = assertThrows(HaproxyException.class, () -> haproxy.apply(List.of(web)));

        // Then the refusal names that command, the commands around it went through,
        // and the next apply sends only the refused one again
        assertTrue(refused.getMessage().contains("refused 1 of 3 commands: 'set server web_0/" + bSlot + " addr"), refused.getMessage());
        assertTrue(refused.getMessage().contains("No such server."), refused.getMessage());
        assertEquals(Set.of("a2", "c2"), spread(30, "/web/").keySet());
        HaproxyException again = assertThrows(HaproxyException.class, () -> haproxy.apply(List.of(web)));
        assertTrue(again.getMessage().contains("refused 1 of 1 commands"), again.getMessage());
    }

    private UnixSocketCli statsSocket() {
        return new UnixSocketCli(workDir.resolve("haproxy.sock"), Duration.ofSeconds(5));
    }

    /** The server slot of web_0 that haproxy sends to {@code port}, by its own account. */
    private String slotServing(int port) throws Exception {
        // show servers state: one line per server, its name the 4th field and its port the 19th
        return statsSocket().send("show servers state web_0").lines()
                .map(line -> line.split(" "))
                .filter(fields -> fields.length > 18 && fields[18].equals(Integer.toString(port)))
                .map(fields -> fields[3]).findFirst().orElseThrow();
    }

    @Test
    void sessionAffinityKeepsASessionOnOneTaskAndMovesItOnceWhenTheTaskGoes() {
        List<TaskServers.Task> three = tasks.start("a", "b", "c");
        haproxy.apply(List.of(path("shop_0", "/shop", RouteAffinity.SESSION, null, servers(three))));

        Map<String, Integer> first = spread(100, "/shop/cart");
        assertEquals(1, first.size(), first.toString());
        String home = first.keySet().iterator().next();

        List<HaproxyServer> others = three.stream().filter(t -> !t.name().equals(home)).map(TaskServers.Task::server).toList();
        assertFalse(haproxy.apply(List.of(path("shop_0", "/shop", RouteAffinity.SESSION, null, others))).reloaded());

        Map<String, Integer> after = spread(100, "/shop/cart");
        assertEquals(1, after.size(), after.toString());
        assertNotEquals(home, after.keySet().iterator().next());
    }

    @Test
    void sessionCookiesAreTheSameOnEveryRouterWithTheSameKey(@TempDir Path otherDir) {
        List<TaskServers.Task> three = tasks.start("a", "b", "c");
        List<HaproxyRoute> routes = List.of(path("shop_0", "/shop", RouteAffinity.SESSION, null, servers(three)));
        haproxy.apply(routes);
        try (Haproxy other = Haproxy.start(new HaproxySettings(BINARY, "127.0.0.1", 0, otherDir, "berth-test-key", 4))) {
            // The other router lists the tasks in another order: their slots differ, their cookies do not.
            other.apply(List.of(path("shop_0", "/shop", RouteAffinity.SESSION, null, servers(List.of(three.get(2), three.get(0), three.get(1))))));
            String home = client.get("/shop/").task();
            Through sameBrowserOnOtherRouter = client.onPort(other.port());

            for (int i = 0; i < 20; i++) {
                assertEquals(home, sameBrowserOnOtherRouter.get("/shop/").task());
            }
        }
    }

    @Test
    void transactionAffinityKeepsEachTransactionOnOneTask() {
        haproxy.apply(List.of(path("pay_0", "/pay", RouteAffinity.TRANSACTION, "X-Transaction-Id", servers(tasks.start("a", "b", "c")))));

        Map<String, Set<String>> tasksByTransaction = new HashMap<>();
        for (int round = 0; round < 5; round++) {
            for (int transaction = 0; transaction < 20; transaction++) {
                String id = "tx-" + transaction;
                tasksByTransaction.computeIfAbsent(id, k -> new HashSet<>())
                        .add(client.get("/pay/step", "X-Transaction-Id", id).task());
            }
        }

        tasksByTransaction.forEach((id, seen) -> assertEquals(1, seen.size(), id + " went to " + seen));
        Set<String> used = tasksByTransaction.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
        assertTrue(used.size() > 1, "20 transactions all on " + used);
        assertEquals(3, spread(30, "/pay/step").size(), "requests without the header are balanced");
    }

    @Test
    void serverAffinityOnAHeaderMovesOnlyTheKeysOfANewTask() {
        List<TaskServers.Task> four = tasks.start("a", "b", "c", "d");
        haproxy.apply(List.of(path("tenant_0", "/t", RouteAffinity.SERVER, "X-Tenant", servers(four.subList(0, 3)))));
        Map<String, String> before = taskByKey(200);

        ApplyResult scaled = haproxy.apply(List.of(path("tenant_0", "/t", RouteAffinity.SERVER, "X-Tenant", servers(four))));
        Map<String, String> after = taskByKey(200);

        assertFalse(scaled.reloaded());
        List<String> moved = before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))).toList();
        assertTrue(moved.size() >= 20 && moved.size() <= 80, moved.size() + " of 200 keys moved");
        moved.forEach(k -> assertEquals("d", after.get(k), k + " moved from " + before.get(k) + " to " + after.get(k)));
        assertEquals(taskByKey(200), after, "the same key keeps its task");
    }

    private Map<String, String> taskByKey(int keys) {
        Map<String, String> byKey = new HashMap<>();
        IntStream.range(0, keys).forEach(k -> byKey.put("tenant-" + k, client.get("/t/x", "X-Tenant", "tenant-" + k).task()));
        return byKey;
    }

    @Test
    void serverAffinityWithoutAHeaderHashesTheClientAddress() {
        haproxy.apply(List.of(path("src_0", "/src", RouteAffinity.SERVER, null, servers(tasks.start("a", "b", "c")))));

        assertEquals(1, spread(20, "/src/").size());
    }

    @Test
    void aDrainingTaskTakesNoNewRequestsAndFinishesItsOpenOne() throws Exception {
        TaskServers.Task old = tasks.start("old");
        TaskServers.Task fresh = tasks.start("fresh");
        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, List.of(old.server()))));
        CompletableFuture<Through.Answer> slow = client.getAsync("/web/slow");
        await().atMost(Duration.ofSeconds(5)).until(() -> old.inFlight().get() == 1);

        ApplyResult drained = haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, List.of(old.draining(), fresh.server()))));

        assertFalse(drained.reloaded());
        assertEquals(Map.of("fresh", 20), spread(20, "/web/"));
        tasks.releaseSlow();
        Through.Answer finished = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.status());
        assertEquals("old", finished.task());
    }

    @Test
    void aNewRouteOrAChangedAffinityReloadsAndKeepsTheServers() {
        List<TaskServers.Task> three = tasks.start("a", "b", "c");
        TaskServers.Task other = tasks.start("other");
        List<HaproxyServer> oneDraining = List.of(three.get(0).server(), three.get(1).server(), three.get(2).draining());
        assertTrue(haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, oneDraining))).reloaded());
        assertEquals(new ApplyResult(false, 0), haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, oneDraining))));
        int reloads = haproxy.reloads();

        ApplyResult added = haproxy.apply(List.of(
                path("web_0", "/web", RouteAffinity.NONE, null, oneDraining),
                path("other_0", "/other", RouteAffinity.NONE, null, List.of(other.server()))));
        assertTrue(added.reloaded());
        assertEquals(reloads + 1, haproxy.reloads());
        assertEquals(Set.of("a", "b"), spread(30, "/web/").keySet(), "the draining task stays drained after the reload");
        assertEquals("other", client.get("/other/").task());

        ApplyResult changed = haproxy.apply(List.of(
                path("web_0", "/web", RouteAffinity.TRANSACTION, "X-Transaction-Id", oneDraining),
                path("other_0", "/other", RouteAffinity.NONE, null, List.of(other.server()))));
        assertTrue(changed.reloaded());
        assertEquals(reloads + 2, haproxy.reloads());
        assertEquals(Set.of("a", "b"), spread(30, "/web/").keySet());

        ApplyResult removed = haproxy.apply(List.of(path("other_0", "/other", RouteAffinity.NONE, null, List.of(other.server()))));
        assertTrue(removed.reloaded());
        assertEquals(404, client.get("/web/").status());
    }

    @Test
    void aReloadFailsNoRequestOfAClientThatKeepsSending() throws Exception {
        TaskServers.Task a = tasks.start("a");
        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, List.of(a.server()))));
        Through busy = new Through(haproxy.port());
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread client = new Thread(() -> {
            while (sending.get()) {
                try {
                    Through.Answer answer = busy.get("/web/");
                    if (answer.status() != 200) {
                        failures.add(answer.status() + " " + answer.body());
                    }
                    answered.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        });
        client.start();

        for (int i = 0; i < 5; i++) {
            String path = "/other" + i;
            haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, List.of(a.server())),
                    path("other_0", path, RouteAffinity.NONE, null, List.of(a.server()))));
            int before = answered.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> answered.get() > before + 20);
        }
        sending.set(false);
        client.join(10_000);

        assertEquals(List.of(), failures, "of " + answered.get() + " requests");
    }

    @Test
    void moreTasksThanSlotsGrowTheBackendWithAReload() {
        List<TaskServers.Task> six = tasks.start("a", "b", "c", "d", "e", "f");
        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, servers(six.subList(0, 3)))));
        int reloads = haproxy.reloads();

        ApplyResult grown = haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, servers(six))));

        assertTrue(grown.reloaded());
        assertEquals(reloads + 1, haproxy.reloads());
        assertEquals(Set.of("a", "b", "c", "d", "e", "f"), spread(60, "/web/").keySet());
    }

    @Test
    void aConfigurationHaproxyRefusesKeepsTheOldOneServingAndItsTaskChanges() {
        TaskServers.Task a = tasks.start("a");
        TaskServers.Task b = tasks.start("b");
        haproxy.apply(List.of(path("web_0", "/web", RouteAffinity.NONE, null, List.of(a.server()))));
        int reloads = haproxy.reloads();
        HaproxyRoute web = path("web_0", "/web", RouteAffinity.NONE, null, List.of(b.server()));
        // Valid for Berth, too much for haproxy: stripping a prefix longer than PCRE's largest {n}.
        HaproxyRoute huge = path("huge_0", "/" + "x".repeat(70_000), RouteAffinity.NONE, null, List.of(a.server()));

        HaproxyConfigRefusedException refused = assertThrows(HaproxyConfigRefusedException.class,
                () -> haproxy.apply(List.of(web, huge)));

        assertTrue(refused.getMessage().contains("number too big"), refused.getMessage());
        assertEquals(reloads, haproxy.reloads());
        assertEquals(Map.of("b", 10), spread(10, "/web/"), "the served route's task change went through");
        assertEquals(404, client.get("/" + "x".repeat(10)).status());
        assertEquals(new ApplyResult(false, 0), haproxy.apply(List.of(web)));
    }

    @Test
    void aHaproxyLeftByAKilledRouterIsStoppedAndItsPortServedByTheNewOne(@TempDir Path otherDir) throws Exception {
        // Given a haproxy master still serving in a work dir whose router died without stopping it (kill -9)
        int port = haproxy.port();
        haproxy.close();
        HaproxySettings settings = new HaproxySettings(BINARY, "127.0.0.1", port, otherDir, "berth-test-key", 4);
        Path config = otherDir.resolve("haproxy.cfg");
        Files.writeString(config, HaproxyConfig.render(settings, port, List.of()));
        Process leftover = new ProcessBuilder(BINARY.toString(), "-W", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(otherDir.resolve("leftover.log").toFile()).start();
        try {
            await("the leftover serves").atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> client.get("/").status() == 404);

            // When a router starts haproxy in that work dir, on that port
            haproxy = Haproxy.start(settings);

            // Then the leftover is gone and the new haproxy serves the port
            assertTrue(leftover.waitFor(10, TimeUnit.SECONDS), "the leftover master was stopped");
            assertEquals(404, client.get("/").status());
            haproxy.apply(List.of(path("web", "/web", RouteAffinity.NONE, null, servers(tasks.start("a", "b")))));
            assertEquals(200, client.get("/web/").status());
        } finally {
            leftover.destroyForcibly();
        }
    }
}
