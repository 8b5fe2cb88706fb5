package dev.berth.router.metrics;

import dev.berth.contracts.Topics;
import dev.berth.router.view.RouteFeed;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.PrometheusText;
import dev.berth.testkit.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The router's {@code /q/metrics}: open to a Prometheus scraper, counting what it set aside on the
 * dead-letter topic by where it came from, and showing how far its feed is behind the topics.
 */
@QuarkusTest
@QuarkusTestResource(SharedKafkaResource.class)
class RouterMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void aRecordTheRouterCannotReadIsCountedAsADeadLetterOfItsTopicAndScrapedWithoutAToken() throws Exception {
        // Given the routes it serves shown, and no dead letter of berth.routes yet
        String text = scrape();
        assertEquals(0.0, PrometheusText.value(text, "berth_router_routes"), text);

        // When a record that is no route table arrives on berth.routes
        try (KafkaProbe kafka = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            kafka.send(Topics.ROUTES.name(), "/metrics-" + UUID.randomUUID() + "/web",
                    "not a route table".getBytes(StandardCharsets.UTF_8));
        }

        // Then it is counted under its topic
        await().atMost(WAIT).until(() -> PrometheusText.value(scrape(), "berth_dead_letters_total",
                "topic", Topics.ROUTES.name()) == 1.0);
    }

    @Test
    void theFeedsConsumerLagIsScrapedUnderItsClientId() {
        // Given the router following its topics
        // Then its feed's consumer shows its largest lag, named by its client id
        await().atMost(WAIT).until(() -> !Double.isNaN(PrometheusText.value(scrape(),
                "kafka_consumer_fetch_manager_records_lag_max", "client_id", RouteFeed.CLIENT_ID)));
    }

    private String scrape() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                metrics.toString())).header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return answer.body();
    }
}
