package dev.berth.volume;

import dev.berth.testkit.TestTokens;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test of the volume service's own behaviour, whose HTTP calls go in as a Berth service: the service
 * answers nothing else (VolumeDoorTest is about that door).
 */
public abstract class AsBerthService {
    @BeforeEach
    void talkAsABerthService() {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + TestTokens.service()).build();
    }

    @AfterEach
    void forgetTheServiceToken() {
        RestAssured.requestSpecification = null;
    }
}
