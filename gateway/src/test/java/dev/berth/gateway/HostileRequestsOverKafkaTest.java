package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.gateway.HostileRequests.Hostile;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.SharedInfra;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Thousands of generated malformed or hostile requests (see {@link HostileRequests}): each must be
 * refused with a 4xx problem document, in time, and leave everything as it was — no command on
 * {@code berth.app-commands} or {@code berth.volume-commands}, the same apps listed. A mutant of a valid
 * definition may be created (201) only when the definition is valid; those are then deleted through the
 * API, this test acting as the scheduler, so the state at the end is the state at the start.
 * <p>
 * The seed is printed; replay a failure with {@code -Dberth.fuzz.seed=<seed>} (and
 * {@code -Dberth.fuzz.requests=<n>} for a longer or shorter run).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class HostileRequestsOverKafkaTest extends OverKafka {
    private static final long SEED = Long.getLong("berth.fuzz.seed", 0x5EED_B0A7L);
    private static final int REQUESTS = Integer.getInteger("berth.fuzz.requests", 3000);
    // Far above any honest answer, so a hang is told apart from a slow machine.
    private static final int IN_FLIGHT = 4;
    private static final Duration PER_REQUEST = Duration.ofSeconds(10);
    private static final List<String> COMMAND_TOPICS = List.of(Topics.APP_COMMANDS.name(), Topics.VOLUME_COMMANDS.name());

    @TestHTTPResource("/")
    URI base;

    @Test
    void everyHostileRequestIsRefusedWithAProblemInTimeAndChangesNothing() throws InterruptedException {
        // Given the apps listed and the command topics' ends before the run
        System.out.println("[fuzz] seed=" + SEED + " requests=" + REQUESTS + " (replay: -Dberth.fuzz.seed=" + SEED + ")");
        Set<String> appsBefore = appIds();
        Map<TopicPartition, Long> endsBefore = endOffsets();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(PER_REQUEST).build();
        HostileRequests generator = new HostileRequests(SEED, "fz" + Long.toHexString(SEED) + "-" + group);

        // When thousands of hostile requests are sent, one after another
        long started = System.nanoTime();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> byKind = new TreeMap<>();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        Map<String, AppDefinition> created = new LinkedHashMap<>();
        // A few in flight at once, so that thousands fit in a minute on a small machine; each judged alone.
        for (int first = 0; first < REQUESTS; first += IN_FLIGHT) {
            List<Hostile> batch = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = first; i < Math.min(REQUESTS, first + IN_FLIGHT); i++) {
                Hostile request = generator.next(i);
                byKind.merge(request.kind(), 1, Integer::sum);
                batch.add(request);
                answers.add(http.sendAsync(build(request), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
            }
            for (int k = 0; k < batch.size(); k++) {
                Hostile request = batch.get(k);
                HttpResponse<String> response;
                try {
                    // The client's own timeout covers only the headers (not a stream that never ends, nor a
                    // body still being uploaded), so the deadline is kept here.
                    response = answers.get(k).get(PER_REQUEST.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    answers.get(k).cancel(true);
                    failures.add("no answer within " + PER_REQUEST + ": " + request.describe());
                    continue;
                } catch (ExecutionException e) {
                    failures.add("connection failed (" + e.getCause() + "): " + request.describe());
                    continue;
                }
                byStatus.merge(response.statusCode(), 1, Integer::sum);
                String problem = judge(request, response, created);
                if (problem != null) {
                    failures.add(problem + ": " + request.describe() + " -> " + response.statusCode() + " "
                            + response.headers().firstValue("Content-Type").orElse("(no type)") + " "
                            + HostileRequests.cut(response.body(), 400));
                }
            }
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        System.out.println("[fuzz] " + REQUESTS + " requests in " + elapsedMs + " ms; by kind " + byKind
                + "; by status " + byStatus + "; created (valid mutants) " + created.size());
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + REQUESTS + " hostile requests were mishandled (seed " + SEED + "):\n"
                    + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
        }

        // Then no command reached Kafka but for the apps created, and these are deleted again
        Map<String, List<String>> commands = commandsSince(endsBefore);
        assertEquals(List.of(), commands.get(Topics.VOLUME_COMMANDS.name()), "no volume command was sent");
        Set<String> unexpected = new LinkedHashSet<>(commands.get(Topics.APP_COMMANDS.name()));
        unexpected.removeAll(created.keySet());
        assertEquals(Set.of(), unexpected, "app commands only for the valid definitions created");
        // The scheduler saw them too: one CreateApp per app created (and answered each, or no 201 was given)
        assertEquals(created.keySet(), scheduler.received().stream().filter(c -> c instanceof CreateApp)
                .map(AppCommand::appId).collect(Collectors.toSet()), "the scheduler was asked to create exactly these");
        assertEquals(created.size(), scheduler.received().size(), "nothing but creates: " + scheduler.received());
        deleteAsTheSchedulerWould(created);
        Map<String, List<String>> all = commandsSince(endsBefore);
        assertEquals(created.size() * 2, all.get(Topics.APP_COMMANDS.name()).size(),
                "one CreateApp and one DeleteApp per app created, nothing else: " + all.get(Topics.APP_COMMANDS.name()));

        // And the apps listed are those listed before
        Set<String> appsAfter = appIds();
        Set<String> appeared = new LinkedHashSet<>(appsAfter);
        appeared.removeAll(appsBefore);
        assertEquals(Set.of(), appeared, "no app appeared");
        Set<String> vanished = new LinkedHashSet<>(appsBefore);
        vanished.removeAll(appsAfter);
        assertEquals(Set.of(), vanished, "no app the scheduler had recorded vanished");
    }

    /** Why the answer is wrong, or null when it is right. */
    private static String judge(Hostile request, HttpResponse<String> response, Map<String, AppDefinition> created) {
        int status = response.statusCode();
        if (status == 201 && request.isAppCreation()) {
            ParsedApp parsed = AppDefinitionParser.parse(new String(request.body(), StandardCharsets.UTF_8));
            if (!(parsed instanceof ParsedApp.Valid valid)) {
                return "created from an invalid definition";
            }
            created.put(valid.app().id(), valid.app());
            return null;
        }
        if (status < 400 || status >= 500) {
            return "not a 4xx";
        }
        if (status == 409 && request.isAppCreation()) {
            return "every generated id is fresh, yet 409";
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/problem+json")) {
            return "not problem+json";
        }
        try {
            JsonPath problem = JsonPath.from(response.body());
            if (problem.getInt("status") != status || problem.getString("title") == null
                    || problem.getString("detail") == null) {
                return "a problem document without status, title and detail";
            }
        } catch (RuntimeException e) {
            return "a problem document that is not JSON (" + e.getMessage() + ")";
        }
        return null;
    }

    private HttpRequest build(Hostile request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "")
                        + onTheWire(request.pathAndQuery())))
                .timeout(PER_REQUEST)
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        // Hostile, but authenticated: the refusals under test are about the request, not the caller.
        builder.header("Authorization", "Bearer " + TestTokens.admin());
        return builder.build();
    }

    /**
     * The path and query as a client would send them: what a URI may not hold raw ({@code <}, a space,
     * non-ASCII) percent-encoded as UTF-8; what the generator encoded already, {@code %2e%2e} or
     * {@code %ff}, kept as it is.
     */
    private static String onTheWire(String pathAndQuery) {
        StringBuilder out = new StringBuilder();
        for (byte b : pathAndQuery.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /**
     * Each created app (recorded by the scheduler, which accepted it) is deleted through the API (200, a
     * DeleteApp), and removed with its version (tombstones), until the gateway no longer knows it.
     */
    private void deleteAsTheSchedulerWould(Map<String, AppDefinition> created) {
        if (created.isEmpty()) {
            return;
        }
        String last = created.values().stream().reduce((a, b) -> b).orElseThrow().id();
        created.keySet().forEach(id -> given().when().delete("/v1/apps" + id).then().statusCode(200));
        created.keySet().forEach(id -> kafka.send(Topics.APP_VERSIONS.name(), Topics.appVersionKey(id, 1), (byte[]) null));
        created.keySet().forEach(id -> kafka.send(Topics.APPS.name(), id, (byte[]) null));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> given().when().get("/v1/apps" + last).statusCode() == 404);
        created.keySet().forEach(id -> given().when().get("/v1/apps" + id).then().statusCode(404));
    }

    private static Set<String> appIds() {
        return new LinkedHashSet<>(given().queryParam("limit", 1000).when().get("/v1/apps").then().statusCode(200)
                .extract().jsonPath().getList("apps.id", String.class));
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    }

    private static Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : COMMAND_TOPICS) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            return new HashMap<>(consumer.endOffsets(partitions));
        }
    }

    /** The keys of the records each command topic got after {@code from}, read committed. */
    private static Map<String, List<String>> commandsSince(Map<TopicPartition, Long> from) {
        Map<String, List<String>> keys = new HashMap<>();
        COMMAND_TOPICS.forEach(topic -> keys.put(topic, new ArrayList<>()));
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            Map<TopicPartition, Long> ends = consumer.endOffsets(from.keySet());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                assertTrue(System.nanoTime() < deadline, "the command topics were not read to their end in time");
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.get(record.topic()).add(record.key());
                }
            }
        }
        return keys;
    }
}
