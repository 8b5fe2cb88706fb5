package dev.berth.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One real Keycloak with deploy/keycloak/berth-realm.json for the whole class: it takes seconds to start. */
class KeycloakTest {
    private static final Path REALM = Path.of("../deploy/keycloak/berth-realm.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Keycloak keycloak;

    @BeforeAll
    static void start() {
        keycloak = Keycloak.start(Directories.scratch("keycloak"), List.of(REALM));
    }

    @AfterAll
    static void stopsTheWrapperAndItsJavaChild() {
        if (keycloak == null) {
            return;
        }
        ProcessHandle wrapper = ProcessHandle.of(keycloak.pid()).orElseThrow();
        List<ProcessHandle> tree = new java.util.ArrayList<>(wrapper.descendants().toList());
        tree.add(wrapper);

        keycloak.close();

        tree.forEach(p -> assertFalse(p.isAlive(), "still running after close: " + p.pid() + " " + p.info().command()));
    }

    @Test
    void anAdminHoldsEveryRoleThroughTheCompositesAndTheGatewayAudience() throws Exception {
        JsonNode claims = claims(keycloak.passwordToken("berth", "berth-cli", "ada", "ada-password"));

        assertTrue(roles(claims).containsAll(Set.of("berth-admin", "berth-operator", "berth-viewer")), claims.toString());
        assertTrue(audience(claims).contains("berth-gateway"), claims.toString());
        assertEquals(keycloak.issuer("berth"), claims.path("iss").asText());
        assertEquals(300, claims.path("exp").asLong() - claims.path("iat").asLong());
    }

    @Test
    void anOperatorOfTeamAIsAnOperatorAndViewerInGroupTeamA() throws Exception {
        JsonNode claims = claims(keycloak.passwordToken("berth", "berth-cli", "otto", "otto-password"));

        Set<String> roles = roles(claims);
        assertTrue(roles.containsAll(Set.of("berth-operator", "berth-viewer")), claims.toString());
        assertFalse(roles.contains("berth-admin"), claims.toString());
        assertEquals(List.of("team-a"), strings(claims.path("groups")));
        assertTrue(audience(claims).contains("berth-gateway"), claims.toString());
        assertEquals("otto", claims.path("preferred_username").asText());
    }

    @Test
    void aViewerOfTeamBIsOnlyAViewer() throws Exception {
        JsonNode claims = claims(keycloak.passwordToken("berth", "berth-cli", "vera", "vera-password"));

        Set<String> roles = roles(claims);
        assertTrue(roles.contains("berth-viewer"), claims.toString());
        assertFalse(roles.contains("berth-operator"), claims.toString());
        assertEquals(List.of("team-b"), strings(claims.path("groups")));
        assertTrue(audience(claims).contains("berth-gateway"), claims.toString());
    }

    @Test
    void aCiServiceAccountIsAnOperatorOfItsOwnTeam() throws Exception {
        JsonNode claims = claims(keycloak.clientCredentialsToken("berth", "berth-ci-team-a", "berth-ci-team-a-secret"));

        assertTrue(roles(claims).contains("berth-operator"), claims.toString());
        assertFalse(roles(claims).contains("berth-admin"), claims.toString());
        assertEquals(List.of("team-a"), strings(claims.path("groups")));
        assertTrue(audience(claims).contains("berth-gateway"), claims.toString());
        assertEquals("berth-ci-team-a", claims.path("azp").asText());
    }

    @Test
    void aWrongPasswordFailsWithKeycloaksError() {
        Keycloak.KeycloakException refused = assertThrows(Keycloak.KeycloakException.class,
                () -> keycloak.passwordToken("berth", "berth-cli", "otto", "not-otto's"));

        assertEquals(401, refused.status());
        assertTrue(refused.getMessage().contains("invalid_grant"), refused.getMessage());
    }

    @Test
    void aClientCreatedWithATwoSecondLifespanGetsTokensThatLiveTwoSeconds() throws Exception {
        keycloak.createClient("berth", """
                {"clientId": "short-lived", "publicClient": true, "directAccessGrantsEnabled": true,
                 "standardFlowEnabled": false, "attributes": {"access.token.lifespan": "2"}}""");

        JsonNode claims = claims(keycloak.passwordToken("berth", "short-lived", "otto", "otto-password"));

        assertEquals(2, claims.path("exp").asLong() - claims.path("iat").asLong());
        assertEquals(List.of("team-a"), strings(claims.path("groups")), "realm default scopes apply to new clients");
    }

    private static JsonNode claims(String jwt) throws Exception {
        String payload = jwt.split("\\.")[1];
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
    }

    private static Set<String> roles(JsonNode claims) {
        return new TreeSet<>(strings(claims.path("realm_access").path("roles")));
    }

    /** {@code aud} is a string for one audience and an array for several. */
    private static List<String> audience(JsonNode claims) {
        JsonNode aud = claims.path("aud");
        return aud.isArray() ? strings(aud) : List.of(aud.asText());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
