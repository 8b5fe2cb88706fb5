package dev.berth.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.gateway.auth.VerifiedTokens;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Who may do what, over the real broker, with tokens signed by the key the test profile trusts
 * (AuthIT in system-tests does the same against a real Keycloak). Each test's own team is its
 * {@code group}: the first segment of its apps' ids.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AuthorizationOverKafkaTest extends OverKafka {
    @Inject
    VerifiedTokens verifiedTokens;

    /** Every request here says who it is itself; none inherits the administrator's token. */
    @BeforeEach
    void noDefaultToken() {
        RestAssured.requestSpecification = null;
    }

    @Test
    void requestsWithoutAValidTokenAre401ProblemsWithAChallenge() {
        String forged = TestTokens.signedByAnotherKey(claims("mallory", List.of("berth-admin"), List.of()));
        ObjectNode otherIssuer = claims("ada", List.of("berth-admin"), List.of());
        otherIssuer.put("iss", "https://keycloak.test/realms/other");
        ObjectNode otherAudience = claims("ada", List.of("berth-admin"), List.of());
        otherAudience.put("aud", "some-other-service");
        ObjectNode expired = claims("ada", List.of("berth-admin"), List.of());
        expired.put("exp", expired.get("iat").asLong() - 60);
        for (String token : List.of(forged, TestTokens.sign(otherIssuer), TestTokens.sign(otherAudience),
                TestTokens.sign(expired), "not-a-jwt")) {
            as(token).when().get("/v1/apps").then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", startsWith("Bearer")).body("status", equalTo(401));
        }
        given().when().get("/v1/apps").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer")).body("detail", containsString("bearer token"));
        given().header("Authorization", "Basic YWRhOmFkYQ==").when().get("/v1/apps").then().statusCode(401);
        given().contentType(ContentType.JSON).body(appJson("/" + group + "/web")).when().post("/v1/apps")
                .then().statusCode(401);
        given().when().get("/q/health/ready").then().statusCode(200);
        assertEquals(0, scheduler.received().size(), "nothing reached the scheduler");
    }

    @Test
    void aCachedTokenStopsWorkingWhenItExpires() {
        // Given a token that lives two seconds, used once (verified, then remembered)
        String token = TestTokens.token("otto", List.of("berth-operator"), List.of(group), Duration.ofSeconds(2));
        as(token).when().get("/v1/apps").then().statusCode(200);
        as(token).when().get("/v1/apps").then().statusCode(200);

        // Then it is refused once its exp has passed, remembered or not
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> as(token).when().get("/v1/apps").statusCode() == 401);
    }

    @Test
    void aViewerReadsItsTeamAndChangesNothing() {
        String app = givenApp("web");
        String viewer = TestTokens.viewer(group);

        as(viewer).when().get("/v1/apps").then().statusCode(200).body("apps.id", hasItem(app));
        as(viewer).when().get("/v1/apps" + app).then().statusCode(200);
        as(viewer).contentType(ContentType.JSON).body(appJson("/" + group + "/new")).when().post("/v1/apps")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("berth-operator"));
        as(viewer).contentType(ContentType.JSON).body("{\"instances\": 3}").when().patch("/v1/apps" + app)
                .then().statusCode(403);
        as(viewer).when().delete("/v1/apps" + app).then().statusCode(403);
        as(viewer).when().post("/v1/apps" + app + "/restart").then().statusCode(403);
        assertEquals(1, scheduler.received().size(), "only the set-up's create reached the scheduler");
    }

    @Test
    void anotherTeamsAppDoesNotExistForACaller() {
        String app = givenApp("web");
        for (String outsider : List.of(TestTokens.operator("team-elsewhere"), TestTokens.viewer("team-elsewhere"))) {
            as(outsider).when().get("/v1/apps").then().statusCode(200).body("apps.id", not(hasItem(app)));
            as(outsider).when().get("/v1/apps" + app).then().statusCode(404)
                    .body("detail", equalTo("no app " + app));
            as(outsider).contentType(ContentType.JSON).body("{\"instances\": 3}").when().patch("/v1/apps" + app)
                    .then().statusCode(404);
            as(outsider).when().delete("/v1/apps" + app).then().statusCode(404);
            as(outsider).when().get("/v1/apps" + app + "/versions").then().statusCode(404);
            as(outsider).when().get("/v1/queue").then().statusCode(200);
        }
        // Refused the same way whether or not the name is taken: nothing leaks through a create either
        as(TestTokens.operator("team-elsewhere")).contentType(ContentType.JSON).body(appJson(app)).when()
                .post("/v1/apps").then().statusCode(403).body("detail", containsString("team-elsewhere"));
        as(TestTokens.operator("team-elsewhere")).contentType(ContentType.JSON)
                .body(appJson("/" + group + "/free")).when().post("/v1/apps").then().statusCode(403);
        assertEquals(1, scheduler.received().size());
    }

    @Test
    void anOperatorChangesItsOwnTeamsAppsButNotNodesOrVolumes() {
        String operator = TestTokens.operator(group);
        as(operator).contentType(ContentType.JSON).body(appJson("/" + group + "/api")).when().post("/v1/apps")
                .then().statusCode(201);
        as(operator).contentType(ContentType.JSON).body("{\"instances\": 2}").when()
                .patch("/v1/apps/" + group + "/api").then().statusCode(200);
        as(operator).when().delete("/v1/apps/" + group + "/api?wipe=true").then().statusCode(403)
                .body("detail", containsString("berth-admin"));
        as(operator).when().post("/v1/nodes/any-node/drain").then().statusCode(403);
        as(operator).contentType(ContentType.JSON).body(appJson("/rootless")).when().post("/v1/apps")
                .then().statusCode(403).body("detail", containsString("no team"));
        as(operator).when().delete("/v1/apps/" + group + "/api").then().statusCode(200);
    }

    @Test
    void onlyAnAdministratorCreatesAnAppThatRunsAsRoot() {
        // Given an operator of the app's team
        String app = "/" + group + "/agent";
        String operator = TestTokens.operator(group);

        // When the operator creates an app that runs as root
        as(operator).contentType(ContentType.JSON).body(appJson(app, "root")).when().post("/v1/apps")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("running " + app + " as root needs an administrator"))
                .body("detail", containsString("berth-admin"));

        // Then nothing reached the scheduler; an administrator may, and an operator may name another user
        assertEquals(0, scheduler.received().size());
        as(TestTokens.admin()).contentType(ContentType.JSON).body(appJson(app, "root")).when().post("/v1/apps")
                .then().statusCode(201).body("user", equalTo("root"));
        as(operator).contentType(ContentType.JSON).body(appJson("/" + group + "/db", "postgres")).when()
                .post("/v1/apps").then().statusCode(201).body("user", equalTo("postgres"));
    }

    @Test
    void anOperatorNeitherTurnsAnAppIntoRootNorKeepsItRootButMayScaleItOrTakeRootAway() {
        // Given an app an administrator made run as root, and a plain one
        String agent = givenApp("agent", "root");
        String web = givenApp("web");
        String operator = TestTokens.operator(group);

        // When an operator replaces either definition with one that runs as root, Then it is refused
        for (String app : List.of(agent, web)) {
            as(operator).contentType(ContentType.JSON).body(appJson(app, "root")).when().put("/v1/apps" + app)
                    .then().statusCode(403).contentType("application/problem+json")
                    .body("detail", containsString("as root needs an administrator"));
        }
        assertEquals(2, scheduler.received().size(), "only the set-up's creates reached the scheduler");

        // But scaling the root app changes no user, and a definition without root is the operator's to give
        as(operator).contentType(ContentType.JSON).body("{\"instances\": 2}").when().patch("/v1/apps" + agent)
                .then().statusCode(200);
        as(operator).contentType(ContentType.JSON).body(appJson(agent)).when().put("/v1/apps" + agent)
                .then().statusCode(200).body("user", nullValue()).body("version", equalTo(3));
    }

    @Test
    void rollingBackToADefinitionThatRanAsRootNeedsAnAdministrator() {
        // Given an app that ran as root at version 1 and no longer does at version 2
        String agent = givenApp("agent", "root");
        as(TestTokens.admin()).contentType(ContentType.JSON).body(appJson(agent)).when().put("/v1/apps" + agent)
                .then().statusCode(200).body("version", equalTo(2));
        String operator = TestTokens.operator(group);

        // When an operator rolls it back to version 1, Then it is refused, and nothing is sent
        as(operator).when().post("/v1/apps" + agent + "/rollback?version=1").then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("as root needs an administrator"));
        assertEquals(2, scheduler.received().size());

        // And an administrator may
        as(TestTokens.admin()).when().post("/v1/apps" + agent + "/rollback?version=1").then().statusCode(200)
                .body("user", equalTo("root"));
    }

    @Test
    void revertingADeploymentThatStartedFromRootNeedsAnAdministrator() {
        // Given a paused deployment of an app whose definition before it ran as root
        String agent = givenApp("agent", "root");
        String id = "d-" + group;
        scheduler.recordDeployment(DeploymentFixtures.canary(id, definition(agent, "root"), DeploymentState.PAUSED,
                "1 canaries healthy; promote or roll back", Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> as(TestTokens.admin()).when().get("/v1/deployments/" + id)
                .then().statusCode(200));

        // When an operator rolls it back, Then it is refused; an operator may still promote it
        as(TestTokens.operator(group)).when().post("/v1/deployments/" + id + "/rollback").then().statusCode(403)
                .body("detail", containsString("as root needs an administrator"));
        as(TestTokens.admin()).when().post("/v1/deployments/" + id + "/rollback").then().statusCode(200)
                .body("state", equalTo("ROLLED_BACK"));
    }

    @Test
    void aTokenWithNoneOfBerthsRolesMayDoNothing() {
        String nobody = TestTokens.token("guest", List.of("offline_access"), List.of(group), Duration.ofHours(1));
        as(nobody).when().get("/v1/apps").then().statusCode(403).body("detail", containsString("none of Berth's roles"));
        as(nobody).when().get("/v1/nodes").then().statusCode(403);
    }

    @Test
    void aVerifiedTokenIsRememberedAndNotVerifiedAgain() {
        String token = TestTokens.operator(group);
        int before = verifiedTokens.size();
        long answeredBefore = verifiedTokens.answered();
        as(token).when().get("/v1/apps").then().statusCode(200);
        as(token).when().get("/v1/apps").then().statusCode(200);
        as(token).when().get("/v1/nodes").then().statusCode(200);
        assertEquals(before + 1, verifiedTokens.size(), "one entry for one token, however often it is used");
        assertEquals(answeredBefore + 2, verifiedTokens.answered(), "verified once, answered from memory twice");
    }

    private String givenApp(String name) {
        return givenApp(name, null);
    }

    /** An app an administrator created, running as {@code user} (null: none named). */
    private String givenApp(String name, String user) {
        String id = "/" + group + "/" + name;
        as(TestTokens.admin()).contentType(ContentType.JSON).body(appJson(id, user)).when().post("/v1/apps")
                .then().statusCode(201); // answered once the scheduler accepted it and the view shows it
        return id;
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    private static ObjectNode claims(String user, List<String> roles, List<String> groups) {
        return TestTokens.claims(user, roles, groups, Duration.ofHours(1), TestTokens.ISSUER, "berth-gateway");
    }

    private static String appJson(String id) {
        return appJson(id, null);
    }

    private static String appJson(String id, String user) {
        return "{\"id\": \"" + id + "\", \"cmd\": \"sleep 1\", \"cpus\": 0.1, \"mem\": 16"
                + (user == null ? "" : ", \"user\": \"" + user + "\"") + "}";
    }

    private static AppDefinition definition(String id, String user) {
        return ((ParsedApp.Valid) AppDefinitionParser.parse(appJson(id, user))).app();
    }
}
