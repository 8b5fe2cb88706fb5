package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lists' filters, pages and limits: GET /v1/tasks, /v1/apps?team=&label=, ?limit=&offset=, body size. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class ListsOverKafkaTest extends OverKafka {
    private static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"(next|prev)\"");

    @Test
    void tasksAreListedByAppNodeAndStateAndEachReadsAsOnItsApp() {
        // Given an app with a running task on one node and a staging one on another
        String id = "/" + group + "/web";
        String nodeA = "a-" + group;
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 2), 1, false, null)));
        String running = group + "_web.1";
        String staging = group + "_web.2";
        kafka.send(Topics.TASKS.name(), running, JsonCodec.encodeBytes(task(running, id, 0, nodeA, TaskState.RUNNING)));
        kafka.send(Topics.TASKS.name(), staging, JsonCodec.encodeBytes(task(staging, id, 1, "b-" + group, TaskState.STAGING)));

        // Then the app filter lists both, by id; node and state narrow it down
        await().atMost(WAIT).untilAsserted(() -> given().queryParam("app", id).when().get("/v1/tasks").then()
                .statusCode(200).body("tasks.id", equalTo(List.of(running, staging))));
        given().queryParam("app", id.substring(1)).queryParam("node", nodeA).when().get("/v1/tasks").then()
                .body("tasks.id", equalTo(List.of(running)));
        given().queryParam("app", id).queryParam("state", "staging").when().get("/v1/tasks").then()
                .body("tasks.id", equalTo(List.of(staging)));

        // And one task reads the same as it does on its app
        Map<String, Object> alone = given().when().get("/v1/tasks/" + running).then().statusCode(200)
                .extract().jsonPath().getMap("");
        Map<String, Object> onApp = given().when().get("/v1/apps" + id).then().statusCode(200)
                .extract().jsonPath().getMap("tasks.find { it.id == '" + running + "' }");
        assertEquals(onApp, alone);
    }

    @Test
    void anUnknownTaskIs404AndAnUnknownStateIsRefusedListingTheValidOnes() {
        given().when().get("/v1/tasks/nope-" + group).then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("nope-" + group));
        given().queryParam("state", "SLEEPING").when().get("/v1/tasks").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("state"))
                .body("detail", containsString("RUNNING")).body("detail", containsString("SLEEPING"));
    }

    @Test
    void aRepeatedTaskFilterMatchesAnyOfItsValuesAndEveryValueIsChecked() {
        // Given an app with a running task and a staging one
        String id = "/" + group + "/api";
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 2), 1, false, null)));
        String running = group + "_api.1";
        String staging = group + "_api.2";
        kafka.send(Topics.TASKS.name(), running, JsonCodec.encodeBytes(task(running, id, 0, "a-" + group, TaskState.RUNNING)));
        kafka.send(Topics.TASKS.name(), staging, JsonCodec.encodeBytes(task(staging, id, 1, "b-" + group, TaskState.STAGING)));
        await().atMost(WAIT).untilAsserted(() -> given().queryParam("app", id).when().get("/v1/tasks").then()
                .statusCode(200).body("tasks.id", equalTo(List.of(running, staging))));

        // Then a repeated state lists the tasks in any of them
        given().queryParam("app", id).queryParam("state", "running", "FINISHED").when().get("/v1/tasks").then()
                .statusCode(200).body("tasks.id", equalTo(List.of(running)));
        given().queryParam("app", id).queryParam("node", "a-" + group, "b-" + group).when().get("/v1/tasks").then()
                .statusCode(200).body("tasks.id", equalTo(List.of(running, staging)));

        // And a bad value after a good one is refused by name, not dropped
        given().queryParam("app", id).queryParam("state", "RUNNING", "bogus").when().get("/v1/tasks").then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("state")))
                .body("detail", containsString("'bogus'"));
        given().queryParam("app", id, "Not An App").when().get("/v1/tasks").then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("app")));
    }

    @Test
    void appsAreFilteredByTeamExactlyAndByEveryLabelAsked() {
        // Given apps of this test's team with labels, and one of a team whose name starts the same
        String web = "/" + group + "/web";
        String db = "/" + group + "/db";
        String other = "/" + group + "x/web";
        publish(labelled(web, "{\"tier\": \"front\", \"env\": \"prod\"}"));
        publish(labelled(db, "{\"tier\": \"back\", \"env\": \"prod\"}"));
        publish(labelled(other, "{\"tier\": \"front\"}"));

        // Then team matches the first segment exactly
        await().atMost(WAIT).untilAsserted(() -> given().queryParam("team", group).when().get("/v1/apps").then()
                .statusCode(200).body("apps.id", equalTo(List.of(db, web))));
        // And labels, key or key=value, must all match
        given().queryParam("team", group).queryParam("label", "env=prod").queryParam("label", "tier=front")
                .when().get("/v1/apps").then().body("apps.id", equalTo(List.of(web)));
        given().queryParam("team", group).queryParam("label", "tier").when().get("/v1/apps").then()
                .body("apps.id", equalTo(List.of(db, web)));
        given().queryParam("team", group).queryParam("label", "tier=middle").when().get("/v1/apps").then()
                .body("apps.id", equalTo(List.of()));
        given().queryParam("label", "=prod").when().get("/v1/apps").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("label"));
    }

    @Test
    void pagesOfAFilteredListAddUpToTheWholeListWithTheTotalAndLinks() {
        // Given five apps of one team
        List<String> ids = IntStream.range(0, 5).mapToObj(i -> "/" + group + "/app-" + i).toList();
        ids.forEach(id -> publish(app(id, 1)));
        await().atMost(WAIT).untilAsserted(() -> given().queryParam("team", group).when().get("/v1/apps").then()
                .header("X-Total-Count", "5").body("apps.id", equalTo(ids)));

        // When they are read two at a time, following rel="next"
        Response first = given().queryParam("team", group).queryParam("limit", 2).when().get("/v1/apps");
        first.then().statusCode(200).header("X-Total-Count", "5");
        assertNull(link(first, "prev"), "the first page has no previous one");
        List<String> seen = new ArrayList<>(first.jsonPath().getList("apps.id", String.class));
        Response page = first;
        int pages = 1;
        while (link(page, "next") != null) {
            page = given().urlEncodingEnabled(false).when().get(link(page, "next"));
            page.then().statusCode(200).header("X-Total-Count", "5");
            assertTrue(link(page, "prev") != null, "a later page links back");
            seen.addAll(page.jsonPath().getList("apps.id", String.class));
            pages++;
        }

        // Then the pages are the whole list, in order, without repeats
        assertEquals(3, pages);
        assertEquals(ids, seen);
        given().queryParam("team", group).queryParam("offset", 4).queryParam("limit", 2).when().get("/v1/apps")
                .then().body("apps.id", equalTo(List.of(ids.get(4))));
        given().queryParam("team", group).queryParam("offset", 10).when().get("/v1/apps").then().statusCode(200)
                .header("X-Total-Count", "5").body("apps.id", equalTo(List.of()));
    }

    @Test
    void everyListIsPagedWithItsShapeKept() {
        for (String list : List.of("apps", "tasks", "nodes", "volumes", "queue")) {
            Response all = given().queryParam("limit", 1000).when().get("/v1/" + list);
            all.then().statusCode(200).header("X-Total-Count", Integer.toString(all.jsonPath().getList(list).size()));
            given().queryParam("limit", 1).when().get("/v1/" + list).then().statusCode(200)
                    .body(list + ".size()", both(greaterThanOrEqualTo(0)).and(lessThan(2)))
                    .header("X-Total-Count", matchesPattern("\\d+"));
        }
    }

    @Test
    void aLimitOrOffsetOutOfBoundsIsRefusedNamingIt() {
        for (String[] bad : new String[][]{{"limit", "0"}, {"limit", "1001"}, {"limit", "ten"},
                {"offset", "-1"}, {"offset", "99999999999"}}) {
            given().queryParam(bad[0], bad[1]).when().get("/v1/nodes").then().statusCode(400)
                    .contentType("application/problem+json").body("errors[0].field", equalTo(bad[0]));
        }
        given().queryParam("limit", 1000).when().get("/v1/volumes").then().statusCode(200);
    }

    @Test
    void aBodyOverTheLimitIs413AsAProblemOnAnyPath() {
        String big = "{\"id\": \"/" + group + "/big\", \"cmd\": \"" + "x".repeat(5_000_000) + "\"}";
        given().contentType(ContentType.JSON).body(big).when().post("/v1/apps").then().statusCode(413)
                .contentType("application/problem+json").body("title", equalTo("Request too large"))
                .body("detail", containsString("1048576"));
        given().contentType(ContentType.JSON).body(big).when().post("/v1/nodes/n-" + group + "/drain").then()
                .statusCode(413).contentType("application/problem+json");
        given().when().get("/v1/apps/" + group + "/big").then().statusCode(404);
    }

    @Test
    void anOverlongQueryOrTooManyRepeatedParametersIsAClientError() {
        given().urlEncodingEnabled(false).when().get("/v1/apps?team=" + "t".repeat(20_000)).then()
                .statusCode(both(greaterThanOrEqualTo(400)).and(lessThan(500)));
        String labels = String.join("&", IntStream.range(0, 100).mapToObj(i -> "label=k" + i).toList());
        given().urlEncodingEnabled(false).when().get("/v1/apps?" + labels).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("label"));
    }

    private void publish(AppDefinition app) {
        kafka.send(Topics.APPS.name(), app.id(), JsonCodec.encodeBytes(AppState.of(app, 1, false, null)));
    }

    private static AppDefinition labelled(String id, String labels) {
        ParsedApp parsed = AppDefinitionParser.parse("{\"id\": \"" + id + "\", \"cmd\": \"sleep 1\", \"labels\": "
                + labels + "}");
        return ((ParsedApp.Valid) parsed).app();
    }

    /** The target of the Link header's rel, as a path and query on this gateway; null when there is none. */
    private static String link(Response response, String rel) {
        String header = response.header("Link");
        if (header == null) {
            return null;
        }
        Matcher m = LINK.matcher(header);
        while (m.find()) {
            if (m.group(2).equals(rel)) {
                java.net.URI uri = java.net.URI.create(m.group(1));
                return uri.getRawPath() + "?" + uri.getRawQuery();
            }
        }
        return null;
    }

    private static TaskRecord task(String taskId, String appId, int instance, String nodeId, TaskState state) {
        return new TaskRecord(UUID.randomUUID().toString(), 1, Instant.now(), null, taskId, appId, 1, instance, nodeId,
                "10.0.0.7", List.of(new PortAssignment(null, 31000 + instance)), DesiredState.RUN, state, null, null,
                Instant.now(), null, null);
    }
}
