package dev.berth.volume;

import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PostgresTestResource;
import dev.berth.testkit.TestTokens;
import dev.berth.volume.lifecycle.VolumeCommands;
import dev.berth.volume.support.Commands;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * The volume service's door: its endpoints list every team's volumes and delete them, so only a
 * Berth service identity gets through; people (an administrator too) go through the gateway.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
class VolumeDoorTest {
    @Inject
    VolumeCommands commands;

    /** Every endpoint, under both prefixes, and paths that serve nothing (closed all the same). */
    private static final List<String> READS = List.of("/v1/volumes", "/volumes", "/v1/volumes/v-1", "/volumes/v-1",
            "/v1/volumes/v-1/history", "/volumes/v-1/history", "/no/such/path", "/q/openapi");
    private static final List<String> DELETES = List.of("/v1/volumes/v-1", "/volumes/v-1");

    @Test
    void withoutATokenEveryEndpointIsRefusedWithAProblem() {
        for (String path : READS) {
            refusedWithoutToken(given(), "GET", path);
        }
        for (String path : DELETES) {
            refusedWithoutToken(given(), "DELETE", path);
        }
    }

    @Test
    void aTokenNotSignedByTheRealmIsRefused() {
        String forged = TestTokens.signedByAnotherKey(TestTokens.claims("intruder", List.of("berth-service"), List.of(),
                Duration.ofMinutes(5), TestTokens.ISSUER, "berth-gateway"));
        given().header("Authorization", "Bearer " + forged).get("/v1/volumes").then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", containsString("invalid_token"));
    }

    @Test
    void aPersonsTokenIsRefusedEvenAnAdministrators() {
        for (String token : List.of(TestTokens.admin(), TestTokens.operator("team-a"), TestTokens.viewer("team-a"))) {
            for (String path : READS) {
                forbidden(given().header("Authorization", "Bearer " + token), "GET", path);
            }
            for (String path : DELETES) {
                forbidden(given().header("Authorization", "Bearer " + token), "DELETE", path);
            }
        }
    }

    @Test
    void aBerthServiceIdentityReadsAndDeletesVolumes() {
        // Given a released volume
        String app = "/door-" + UUID.randomUUID();
        String v = "ext-" + UUID.randomUUID();
        commands.execute(Commands.external(v, app, "node-1", "t1"));
        commands.execute(DetachVolume.of(v, "node-1", "t1", null));
        commands.execute(ReleaseVolume.of(v, "scaled down", null));
        String service = "Bearer " + TestTokens.service();

        // Then a Berth service lists it, reads it and its history, and deletes it
        given().header("Authorization", service).get("/v1/volumes?app=" + app).then().statusCode(200)
                .body("id", hasItem(v));
        given().header("Authorization", service).get("/volumes?app=" + app).then().statusCode(200)
                .body("id", hasItem(v));
        given().header("Authorization", service).get("/v1/volumes/" + v).then().statusCode(200)
                .body("state", equalTo("RELEASED"));
        given().header("Authorization", service).get("/volumes/" + v + "/history").then().statusCode(200);
        given().header("Authorization", service).delete("/v1/volumes/" + v).then().statusCode(200)
                .body("state", equalTo("DELETED"));
    }

    @Test
    void healthStaysOpen() {
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void metricsStayOpenForAPrometheusScraper() {
        given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain"))
                .body(containsString("berth_volume_fence_seconds"));
    }

    private static void refusedWithoutToken(RequestSpecification request, String method, String path) {
        request.request(method, path).then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", equalTo("Bearer"))
                .body("status", equalTo(401))
                .body("detail", containsString("berth-service"));
    }

    private static void forbidden(RequestSpecification request, String method, String path) {
        request.request(method, path).then().statusCode(403)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(403))
                .body("detail", containsString("berth-service"));
    }
}
