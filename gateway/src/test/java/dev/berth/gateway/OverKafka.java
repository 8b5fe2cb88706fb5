package dev.berth.gateway;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.SharedInfra;
import dev.berth.testkit.TestTokens;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.config.HeaderConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.UUID;

/**
 * What every gateway test over the real broker shares: a probe to write and read topics as the
 * other services would, a fresh {@code group} per test, so that tests sharing one broker never
 * see each other's apps or nodes, and a {@link FakeScheduler} answering the commands of the group's apps.
 */
abstract class OverKafka {
    static final Duration WAIT = Duration.ofSeconds(30);
    KafkaProbe kafka;
    String group;
    FakeScheduler scheduler;

    /**
     * Every test talks as an administrator unless it sends its own {@code Authorization} header, which
     * then replaces this one ({@code AuthorizationOverKafkaTest} is about the rules). Set here, in the
     * test's own class loader: Quarkus runs tests in its class loader, with its own RestAssured.
     */
    @BeforeEach
    void talkAsAdministrator() {
        RestAssured.config = RestAssured.config()
                .headerConfig(HeaderConfig.headerConfig().overwriteHeadersWithName("Authorization"));
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + TestTokens.admin()).build();
    }

    @BeforeEach
    void openProbe() {
        kafka = new KafkaProbe(SharedInfra.kafka().bootstrapServers());
        group = "t-" + UUID.randomUUID().toString().substring(0, 8);
        // The scheduler, played for this test's apps only (ids containing its group): it accepts what the
        // real one would unless told otherwise, and is listening before the test sends anything.
        scheduler = new FakeScheduler(SharedInfra.kafka().bootstrapServers(), appId -> appId.contains(group)).start();
    }

    @AfterEach
    void closeProbe() throws InterruptedException {
        scheduler.close();
        kafka.close();
    }

    /**
     * {@code /q/metrics} as a Prometheus scraper reads it: without any token (not through RestAssured,
     * whose every request here carries the administrator's).
     */
    static String scrapeWithoutToken() throws Exception {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + RestAssured.port
                        + "/q/metrics")).header("Accept", "text/plain").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new AssertionError("GET /q/metrics without a token answered " + answer.statusCode());
        }
        return answer.body();
    }

    /** A valid app as a user would post it. */
    static AppDefinition app(String id, int instances) {
        ParsedApp parsed = AppDefinitionParser.parse("{\"id\": \"" + id + "\", \"cmd\": \"sleep 1\", \"instances\": "
                + instances + ", \"cpus\": 0.5, \"mem\": 32}");
        return ((ParsedApp.Valid) parsed).app();
    }
}
