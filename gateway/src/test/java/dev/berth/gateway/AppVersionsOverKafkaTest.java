package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** GET /v1/apps/{id}/versions and /versions/{version}, from berth.app-versions, over the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AppVersionsOverKafkaTest extends OverKafka {

    @Test
    void everyAcceptedVersionIsListedNewestFirstWithWhatMadeIt() {
        // Given an app created, scaled and updated (the scheduler records a version for each)
        String id = givenAppWithThreeVersions("web");

        // Then its versions are listed newest first, with the change that made each
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id + "/versions")
                .then().statusCode(200).header("X-Total-Count", "3")
                .body("versions.version", equalTo(List.of(3, 2, 1)))
                .body("versions.change", equalTo(List.of("updated", "scaled", "created")))
                .body("versions[0].occurredAt", notNullValue()));
        given().queryParam("limit", 1).queryParam("offset", 1).when().get("/v1/apps" + id + "/versions")
                .then().statusCode(200).header("X-Total-Count", "3").body("versions.version", equalTo(List.of(2)));
    }

    @Test
    void oneVersionShowsTheWholeDefinitionAsItWasAccepted() {
        String id = givenAppWithThreeVersions("def");

        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id + "/versions/1")
                .then().statusCode(200).header("ETag", "\"1\"")
                .body("id", equalTo(id)).body("cmd", equalTo("sleep 1")).body("instances", equalTo(1))
                .body("version", equalTo(1)).body("change", equalTo("created")));
        given().when().get("/v1/apps" + id + "/versions/3").then().statusCode(200)
                .body("cmd", equalTo("sleep 9")).body("instances", equalTo(2)).body("change", equalTo("updated"));
    }

    @Test
    void aVersionTheSchedulerTombstonedIsGone() {
        // Given an app with three versions
        String id = givenAppWithThreeVersions("pruned");
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id + "/versions/1")
                .then().statusCode(200));

        // When the scheduler prunes version 1
        kafka.send(Topics.APP_VERSIONS.name(), Topics.appVersionKey(id, 1), (byte[]) null);

        // Then it is neither listed nor readable
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id + "/versions/1")
                .then().statusCode(404).contentType("application/problem+json"));
        given().when().get("/v1/apps" + id + "/versions").then().statusCode(200)
                .body("versions.version", equalTo(List.of(3, 2)));
    }

    @Test
    void unknownAppsAndVersionsAre404AndABadVersion400() {
        String id = givenAppWithThreeVersions("some");

        given().when().get("/v1/apps/" + group + "/never/versions").then().statusCode(404)
                .contentType("application/problem+json");
        given().when().get("/v1/apps" + id + "/versions/99").then().statusCode(404)
                .body("detail", containsString("no version 99"));
        given().when().get("/v1/apps" + id + "/versions/first").then().statusCode(400)
                .body("errors[0].field", equalTo("version"));
    }

    @Test
    void anotherTeamsAppHasNoVersionsToShow() {
        String id = givenAppWithThreeVersions("hidden");
        String otherTeam = "Bearer " + TestTokens.operator("someone-else");

        given().header("Authorization", otherTeam).when().get("/v1/apps" + id + "/versions").then().statusCode(404);
        given().header("Authorization", otherTeam).when().get("/v1/apps" + id + "/versions/1").then().statusCode(404);
    }

    @Test
    void anAppWhoseIdEndsInVersionsIsStillReadByItsPath() {
        String id = "/" + group + "/versions";
        given().contentType(ContentType.JSON).body("{\"id\": \"" + id + "\", \"cmd\": \"sleep 1\"}")
                .when().post("/v1/apps").then().statusCode(201);

        given().when().get("/v1/apps" + id).then().statusCode(200).body("id", equalTo(id));
        given().when().get("/v1/apps" + id + "/versions").then().statusCode(200)
                .body("versions.version", equalTo(List.of(1)));
        String three = "/" + group + "/versions/3";
        given().contentType(ContentType.JSON).body("{\"id\": \"" + three + "\", \"cmd\": \"sleep 1\"}")
                .when().post("/v1/apps").then().statusCode(201);
        given().when().get("/v1/apps" + three).then().statusCode(200).body("id", equalTo(three));
    }

    /** Creates, scales and updates an app through the API; the scheduler records versions 1, 2 and 3. */
    private String givenAppWithThreeVersions(String name) {
        String id = "/" + group + "/" + name;
        given().contentType(ContentType.JSON).body("{\"id\": \"" + id + "\", \"cmd\": \"sleep 1\"}")
                .when().post("/v1/apps").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"instances\": 2}").when().patch("/v1/apps" + id)
                .then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"cmd\": \"sleep 9\", \"instances\": 2}")
                .when().put("/v1/apps" + id).then().statusCode(200).body("version", equalTo(3));
        return id;
    }
}
