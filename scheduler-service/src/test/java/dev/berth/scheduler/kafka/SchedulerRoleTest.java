package dev.berth.scheduler.kafka;

import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.restassured.http.Header;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** A scheduler alone in its leader group is elected, and says so in its health check and role endpoint. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class SchedulerRoleTest {
    /** The role endpoint answers a Berth service identity only (SchedulerDoorTest is about that). */
    private static final Header SERVICE = new Header("Authorization", "Bearer " + TestTokens.service());

    @Test
    void aLoneSchedulerIsElectedAndReportsItselfActiveOnceItsStateIsRebuilt() {
        await("role active").atMost(Duration.ofSeconds(30)).until(() ->
                "active".equals(given().header(SERVICE).get("/scheduler/role").then().statusCode(200).extract().path("role")));

        given().get("/q/health/ready").then()
                .statusCode(200)
                .body("checks.find { it.name == 'scheduler-loop' }.data.role", equalTo("active"));
        given().header(SERVICE).get("/scheduler/role").then()
                .body("term", equalTo(1))
                .body("pid", equalTo((int) ProcessHandle.current().pid()));
    }
}
