package dev.berth.gateway;

import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;

/** The API describes itself at {@code /q/openapi}, and renders that at {@code /q/swagger-ui}. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class OpenApiTest {
    @Test
    void theApiDescriptionListsAppsAndEvents() {
        given().accept("application/json").when().get("/q/openapi?format=json")
                .then().statusCode(200)
                .body("info.title", containsString("Berth"))
                .body("paths", hasKey("/v1/apps"))
                .body("paths", hasKey("/v1/events"))
                .body("paths", hasKey("/v1/deployments"))
                .body("paths", hasKey("/v1/deployments/{id}/promote"))
                .body("paths.'/v1/events'.get.summary", notNullValue());
    }

    @Test
    void theDescriptionIsRenderedAsAPage() {
        given().when().get("/q/swagger-ui/")
                .then().statusCode(200).contentType(containsString("text/html"));
    }
}
