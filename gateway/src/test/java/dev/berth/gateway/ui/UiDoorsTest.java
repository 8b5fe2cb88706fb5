package dev.berth.gateway.ui;

import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

/**
 * The web UI's doors: {@code /} sends a browser to {@code /ui/}, the UI's files and the two modules it
 * imports are served without a token, {@code /ui/config.json} says where to sign in, and
 * {@code /v1/me} says who the gateway takes a token's bearer to be (and needs the token).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class UiDoorsTest {
    @Test
    void theRootSendsABrowserToTheUi() {
        given().redirects().follow(false).when().get("/")
                .then().statusCode(303).header("Location", endsWith("/ui/"));
    }

    @Test
    void theUiAndItsModulesAreServedWithoutAToken() {
        given().when().get("/ui/")
                .then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("importmap"), containsString("./main.js"));
        given().when().get("/ui/main.js")
                .then().statusCode(200).contentType(containsString("javascript")).body(containsString("signIn"));
        given().when().get("/ui/vendor/preact.mjs").then().statusCode(200).contentType(containsString("javascript"));
        given().when().get("/ui/vendor/hooks.mjs").then().statusCode(200);
        given().when().get("/ui/vendor/htm.mjs").then().statusCode(200);
        given().when().get("/ui/no-such-file.js").then().statusCode(404);
    }

    @Test
    void theConfigurationNamesTheRealmAndThePublicClient() {
        given().when().get("/ui/config.json")
                .then().statusCode(200)
                .body("auth", equalTo(true))
                .body("issuer", equalTo("https://keycloak.test/realms/berth"))
                .body("clientId", equalTo("berth-web"))
                .body(not(containsString("secret")));
    }

    @Test
    void meSaysWhoTheTokenIsAndWhatItsRoleMayDo() {
        given().auth().oauth2(TestTokens.operator("team-a", "team-b")).when().get("/v1/me")
                .then().statusCode(200)
                .body("role", equalTo("OPERATOR"))
                .body("teams", hasItems("team-a", "team-b"))
                .body("allTeams", equalTo(false))
                .body("may", hasItems("read", "change-apps"))
                .body("may", not(hasItems("drain-nodes")));
        given().auth().oauth2(TestTokens.viewer("team-b")).when().get("/v1/me")
                .then().statusCode(200).body("role", equalTo("VIEWER")).body("may", equalTo(java.util.List.of("read")));
        given().auth().oauth2(TestTokens.admin()).when().get("/v1/me")
                .then().statusCode(200).body("allTeams", equalTo(true)).body("may", hasItems("drain-nodes", "wipe-volumes"));
    }

    @Test
    void meNeedsAToken() {
        RestAssured.given().when().get("/v1/me").then().statusCode(401);
    }
}
