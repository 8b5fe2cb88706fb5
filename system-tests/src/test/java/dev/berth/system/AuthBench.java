package dev.berth.system;

import dev.berth.system.SharedKeycloak.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What authentication costs, and how fast a command is acknowledged:
 * <ol>
 *   <li>{@code GET /v1/apps} requests per second through the gateway with a valid bearer token
 *   (verified against the real Keycloak's keys), against the same requests to a second gateway on the
 *   same broker with authentication off ({@code BERTH_GATEWAY_AUTH_ENABLED=false}), in alternating
 *   rounds so that the machine's noise falls on both;</li>
 *   <li>{@code POST /v1/apps} latency, from sending to the 201 that means the scheduler accepted it
 *   (and the gateway's view shows it): p50 / p99 over {@code bench.posts} creates.</li>
 * </ol>
 * Run with {@code bench/run AuthBench} (builds and packages what it needs).
 * Only correctness is asserted; the figures go to stdout and {@code docs/benchmarks.md}.
 */
class AuthBench {
    private static final List<String> LOCAL_RUN_JVM = List.of("-Xmx192m", "-XX:+UseSerialGC");
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void authenticationCostAndCommandAcknowledgement() throws Exception {
        int apps = Integer.getInteger("bench.apps", 20);
        int requests = Integer.getInteger("bench.requests", 4000);
        int rounds = Integer.getInteger("bench.rounds", 5);
        int threads = Integer.getInteger("bench.threads", 4);
        int posts = Integer.getInteger("bench.posts", 300);
        BerthCluster cluster = berth.cluster();
        // Two more gateways on the same broker, with the JVM options of the local run (deploy/local/up)
        // rather than the tests' C1-only ones: token verification is cryptography, which only the
        // optimising compiler makes fast, and a benchmark should measure what an operator runs.
        // -Dbench.securedJvm="-XX:StartFlightRecording=..." profiles the secured gateway.
        List<String> securedJvm = new ArrayList<>(LOCAL_RUN_JVM);
        if (System.getProperty("bench.securedJvm") != null) {
            securedJvm.add(System.getProperty("bench.securedJvm"));
        }
        String secured = cluster.startGateway("gateway-auth", Map.of(), securedJvm).url();
        String open = cluster.startGateway("gateway-no-auth", Map.of("BERTH_GATEWAY_AUTH_ENABLED", "false"),
                LOCAL_RUN_JVM).url();
        String token = SharedKeycloak.token(User.ADA);
        for (int i = 0; i < apps; i++) {
            Http.Response created = Http.postJson(secured + "/v1/apps", app("/bench/app-" + i));
            assertEquals(201, created.status(), created.body());
        }
        // Both gateways show the same list, so both answers are the same size.
        await("both views").atMost(Duration.ofSeconds(60)).until(() -> count(secured, token) == apps
                && count(open, null) == apps);
        assertEquals(401, get(secured, null), "the secured gateway refuses a request without a token");

        // Warm both (the optimising compiler, connection pools, the JWKS cache): rounds before this
        // kept getting faster for tens of thousands of requests.
        int warmup = Integer.getInteger("bench.warmup", 30_000);
        rate(secured, token, warmup, threads);
        rate(open, null, warmup, threads);
        List<Double> withAuth = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> headerOnly = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            withAuth.add(rate(secured, token, requests, threads));
            without.add(rate(open, null, requests, threads));
            // The same token sent to the gateway that ignores it: what carrying 1.5 KB of header costs.
            headerOnly.add(rate(open, token, requests, threads));
        }
        System.out.printf("GET /v1/apps to the open gateway with the token in the header (ignored): %.0f req/s "
                + "(rounds %s)%n", median(headerOnly), rounded(headerOnly));
        double a = median(withAuth);
        double b = median(without);
        System.out.printf("GET /v1/apps (%d apps, %d threads, %d requests x %d rounds): with a bearer token "
                        + "%.0f req/s (rounds %s), without authentication %.0f req/s (rounds %s); ratio %.3f, "
                        + "cost %.1f %%%n", apps, threads, requests, rounds, a, rounded(withAuth), b,
                rounded(without), a / b, (1 - a / b) * 100);

        // Acknowledged commands: one create at a time, as a pipeline would send them
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < posts; i++) {
            String body = app("/bench/ack-" + i);
            long start = System.nanoTime();
            int status = CLIENT.send(HttpRequest.newBuilder(URI.create(secured + "/v1/apps"))
                            .header("Authorization", "Bearer " + SharedKeycloak.token(User.ADA))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            micros.add((System.nanoTime() - start) / 1000);
            assertEquals(201, status, "create " + i);
        }
        // The first creates warm the path up; the figures are over all of them.
        Collections.sort(micros);
        System.out.printf("POST /v1/apps acknowledged (201 after the scheduler's reply), %d creates: "
                        + "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", posts,
                percentile(micros, 50), percentile(micros, 90), percentile(micros, 99),
                micros.get(micros.size() - 1) / 1000.0);
    }

    private static String app(String id) {
        return "{\"id\": \"" + id + "\", \"cmd\": \"sleep 600\", \"instances\": 0, \"cpus\": 0.01, \"mem\": 16}";
    }

    private static int count(String gateway, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + "/v1/apps?limit=1"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? Integer.parseInt(response.headers().firstValue("X-Total-Count")
                .orElse("-1")) : -1;
    }

    private static int get(String gateway, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + "/v1/apps"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Requests per second for {@code total} GETs spread over {@code threads} clients; every one must be 200. */
    private static double rate(String gateway, String token, int total, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger left = new AtomicInteger(total);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(gateway + "/v1/apps"));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        HttpRequest request = builder.build();
        long start = System.nanoTime();
        List<Future<Integer>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                int failures = 0;
                while (left.getAndDecrement() > 0) {
                    if (CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                        failures++;
                    }
                }
                return failures;
            }));
        }
        int failures = 0;
        for (Future<Integer> worker : workers) {
            failures += worker.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        assertEquals(0, failures, "every GET answered 200");
        return total / seconds;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static List<Long> rounded(List<Double> values) {
        return values.stream().map(Math::round).toList();
    }

    private static double percentile(List<Long> sortedMicros, int p) {
        int index = (int) Math.ceil(p / 100.0 * sortedMicros.size()) - 1;
        return sortedMicros.get(Math.max(0, index)) / 1000.0;
    }
}
