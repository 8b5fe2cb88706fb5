package dev.berth.scheduler.kafka;

import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * The scheduler's door: {@code /scheduler/role} (and anything else it may serve but health and metrics) is for
 * Berth's own services and operators acting as one, never for a person's token.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class SchedulerDoorTest {
    private static final List<String> ENDPOINTS = List.of("/scheduler/role", "/no/such/path", "/q/openapi");

    @Test
    void withoutATokenEveryEndpointIsRefusedWithAProblem() {
        for (String path : ENDPOINTS) {
            given().get(path).then().statusCode(401)
                    .contentType(startsWith("application/problem+json"))
                    .header("WWW-Authenticate", equalTo("Bearer"))
                    .body("detail", containsString("berth-service"));
        }
    }

    @Test
    void aTokenNotSignedByTheRealmIsRefused() {
        String forged = TestTokens.signedByAnotherKey(TestTokens.claims("intruder", List.of("berth-service"), List.of(),
                Duration.ofMinutes(5), TestTokens.ISSUER, "berth-gateway"));
        given().header("Authorization", "Bearer " + forged).get("/scheduler/role").then().statusCode(401)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void aPersonsTokenIsRefusedEvenAnAdministrators() {
        for (String token : List.of(TestTokens.admin(), TestTokens.operator("team-a"))) {
            for (String path : ENDPOINTS) {
                given().header("Authorization", "Bearer " + token).get(path).then().statusCode(403)
                        .contentType(startsWith("application/problem+json"))
                        .body("status", equalTo(403));
            }
        }
    }

    @Test
    void aBerthServiceIdentityGetsTheRole() {
        given().header("Authorization", "Bearer " + TestTokens.service()).get("/scheduler/role")
                .then().statusCode(200).body("role", notNullValue());
    }

    @Test
    void healthStaysOpen() {
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aRefusedProbeOfAnyPathAddsNoSeriesToTheOpenMetrics() {
        // Given someone trying a path without a token, and with a person's
        String probed = "/probe-" + java.util.UUID.randomUUID();
        given().get(probed).then().statusCode(401);
        given().header("Authorization", "Bearer " + TestTokens.admin()).get(probed).then().statusCode(403);

        // Then the HTTP metrics do not name the path: otherwise each try would add a series
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(text.contains(probed), text);
    }

    @Test
    void metricsStayOpenForAPrometheusScraper() {
        // As Prometheus asks for it (it also takes OpenMetrics, which is the answer to */*)
        given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain"))
                .body(containsString("berth_scheduler_leader"));
    }
}
