package dev.berth.system;

import dev.berth.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web UI's two speed bars, in the test browser (Debian's headless Chromium) against the packaged
 * gateway and the real Keycloak, at each size of {@code bench.sizes} (default 10 and 1,000 apps; the
 * smaller is the baseline the larger is measured against, in the same run):
 * <ol>
 *   <li><b>first render</b>: a reload of the apps page, from the start of the navigation to the list
 *   shown with every app loaded (the UI's {@code berth:apps-shown} performance mark), median of
 *   {@code bench.rounds} reloads;</li>
 *   <li><b>event to screen</b>: an app is scaled through the API; from the event's timestamp on
 *   {@code berth.events} (read here, as any consumer would) to the frame in which its row shows the
 *   new count, median and worst of {@code bench.events} changes.</li>
 * </ol>
 * Run with {@code bench/run UiBench}; the figures go to stdout and {@code docs/benchmarks.md}.
 */
@EnabledIf("dev.berth.system.UiBrowser#present")
class UiBench {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String TARGET = "/team-a/bench-0000";
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1);

    @Test
    void firstRenderAndEventToScreen() throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("bench.sizes", "10,1000").split(","))
                .mapToInt(s -> Integer.parseInt(s.strip())).sorted().toArray();
        int rounds = Integer.getInteger("bench.rounds", 7);
        int changes = Integer.getInteger("bench.events", 15);
        BerthCluster cluster = berth.cluster();
        String gateway = cluster.gateway().url();
        SharedKeycloak.get().allowRedirect(SharedKeycloak.REALM, "berth-web", gateway + "/ui/*");
        List<String> report = new ArrayList<>();
        int created = 0;
        int instances = 1;
        try (UiBrowser ada = UiBrowser.open().signIn(gateway, "ada", "ada-password");
             KafkaConsumer<String, String> events = eventsFromNow(cluster.kafkaBootstrap())) {
            for (int size : sizes) {
                created = createApps(gateway, created, size);
                int expected = size;
                await("the gateway lists " + size + " apps").atMost(DEADLINE).until(() ->
                        String.valueOf(expected).equals(Http.get(gateway + "/v1/apps?limit=1").header("X-Total-Count")));

                List<Double> renders = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    ada.go(gateway, "/apps");
                    ada.driver.navigate().refresh();
                    Object mark = ada.until(DEADLINE, d -> ada.driver.executeScript(
                            "const m = performance.getEntriesByName('berth:apps-shown');"
                                    + "return m.length ? m[0].startTime : null;"));
                    ada.untilText(".filters .count", size + " of " + size);
                    renders.add(((Number) mark).doubleValue());
                }

                List<Double> latencies = new ArrayList<>();
                ada.untilText("table.apps td", TARGET);
                for (int change = 0; change < changes; change++) {
                    // Always a real change (a PATCH to the count it has already would announce nothing).
                    int wanted = instances == 1 ? 2 : 1;
                    instances = wanted;
                    ada.driver.executeScript(WATCH_ROW, TARGET, " / " + wanted);
                    long sentAt = System.currentTimeMillis();
                    Http.Response scaled = Http.patchJson(gateway + "/v1/apps" + TARGET,
                            "{\"instances\": " + wanted + "}");
                    assertTrue(scaled.status() / 100 == 2, scaled.body());
                    long onTopic = firstEventNaming(events, TARGET, sentAt);
                    Object seen = ada.until(DEADLINE, d -> ada.driver.executeScript("return window.__berthSeen;"));
                    latencies.add((double) (((Number) seen).longValue() - onTopic));
                }
                report.add(String.format(Locale.ROOT, "| %,d | %.0f | %.0f | %.0f | %.0f |", size,
                        median(renders), Collections.max(renders), median(latencies), Collections.max(latencies)));
            }
            assertTrue(ada.scriptErrors().isEmpty());
        }
        System.out.println("UiBench: first render (reload → list shown, ms) and event on berth.events → on screen (ms)");
        System.out.println("| apps | first render median | first render worst | event → screen median | event → screen worst |");
        System.out.println("|---:|---:|---:|---:|---:|");
        report.forEach(System.out::println);
    }

    /**
     * Watches, frame by frame, for the row of app {@code arguments[0]} to show an instances cell ending
     * in {@code arguments[1]}, and keeps the wall-clock time of that frame in {@code window.__berthSeen}.
     */
    private static final String WATCH_ROW = """
            window.__berthSeen = null;
            const [id, ending] = arguments;
            const look = () => {
              const row = [...document.querySelectorAll('table.apps tbody tr')]
                .find(r => r.cells[0] && r.cells[0].textContent === id);
              if (row && row.cells[3].textContent.endsWith(ending)) window.__berthSeen = Date.now();
              else requestAnimationFrame(look);
            };
            look();""";

    /** Creates apps /team-a/bench-NNNN from {@code from} up to {@code to}, eight at a time; returns {@code to}. */
    private static int createApps(String gateway, int from, int to) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Http.Response>> answers = new ArrayList<>();
            for (int i = from; i < to; i++) {
                String json = """
                        {"id": "/team-a/bench-%04d", "cmd": "sleep 3600", "instances": 1, "cpus": 0.01, "mem": 8,
                         "portDefinitions": []}""".formatted(i);
                answers.add(pool.submit(() -> Http.postJson(gateway + "/v1/apps", json)));
            }
            for (Future<Http.Response> answer : answers) {
                Http.Response created = answer.get();
                assertEquals(201, created.status(), created.body());
            }
        } finally {
            pool.shutdown();
        }
        return to;
    }

    private static KafkaConsumer<String, String> eventsFromNow(String bootstrap) {
        return TopicFollower.consumerFromNow(bootstrap, Topics.EVENTS.name(), Duration.ofMillis(20), StringDeserializer.class);
    }

    /**
     * The timestamp of the first event on berth.events that names {@code appId} (in its subject
     * {@code apps/…} or its data's {@code appId}) and was written at or after {@code since}: an earlier
     * change's late events are skipped.
     */
    private static long firstEventNaming(KafkaConsumer<String, String> events, String appId, long since) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String named = appId.substring(1) + "\"";
        List<String> others = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> event : events.poll(Duration.ofMillis(50))) {
                if (event.timestamp() >= since && event.value() != null && event.value().contains(named)) {
                    return event.timestamp();
                }
                others.add(event.timestamp() - since + " ms: " + event.value());
            }
        }
        throw new AssertionError("no event naming " + appId + " on " + Topics.EVENTS.name() + " within " + DEADLINE
                + "; the last others: " + others.subList(Math.max(0, others.size() - 5), others.size()));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
