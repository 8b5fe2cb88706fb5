package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.system.SharedKeycloak.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication and team authorization over a real Keycloak with Berth's realm (deploy/keycloak):
 * tokens from the password grant of each demo user and from a CI service account, checked by the
 * packaged gateway in front of the real scheduler. An app's team is the first segment of its id.
 */
class AuthIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String NODE = "auth-node-1";
    private static final String TEAM_A_APP = "/team-a/web";
    private static final String TEAM_B_APP = "/team-b/db";
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1).agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void startApps() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE);
        created(Http.as(User.OTTO).postJson(gateway + "/v1/apps", app(TEAM_A_APP)));
        created(Http.as(User.ADA).postJson(gateway + "/v1/apps", app(TEAM_B_APP)));
        await("both apps running").atMost(DEADLINE).until(() -> cluster.running(TEAM_A_APP).size() == 1
                && cluster.running(TEAM_B_APP).size() == 1);
    }

    @Test
    void keycloakIssuesTheRolesAndTeamsTheGatewayReads() {
        JsonNode ada = SharedKeycloak.claims(SharedKeycloak.token(User.ADA));
        JsonNode otto = SharedKeycloak.claims(SharedKeycloak.token(User.OTTO));
        JsonNode vera = SharedKeycloak.claims(SharedKeycloak.token(User.VERA));
        JsonNode ci = SharedKeycloak.claims(SharedKeycloak.token(User.CI_TEAM_A));
        assertTrue(ada.path("realm_access").path("roles").toString().contains("berth-admin"), ada.toString());
        assertTrue(otto.path("realm_access").path("roles").toString().contains("berth-operator"), otto.toString());
        assertEquals("[\"team-a\"]", otto.path("groups").toString());
        assertEquals("[\"team-b\"]", vera.path("groups").toString());
        assertFalse(vera.path("realm_access").path("roles").toString().contains("berth-operator"), vera.toString());
        assertEquals("[\"team-a\"]", ci.path("groups").toString());
        assertTrue(otto.path("aud").toString().contains("berth-gateway"), otto.toString());
    }

    @Test
    void everyEndpointButHealthNeedsAToken() {
        Http.Caller nobody = Http.anonymous();
        int teamA = cluster.running(TEAM_A_APP).size();
        for (String path : List.of("/v1/apps", "/v1/apps" + TEAM_A_APP, "/v1/tasks", "/v1/nodes", "/v1/volumes",
                "/v1/queue", "/v1/events")) {
            unauthenticated(nobody.get(gateway + path), path);
        }
        unauthenticated(nobody.postJson(gateway + "/v1/apps", app("/team-a/sneaky")), "POST /v1/apps");
        unauthenticated(nobody.post(gateway + "/v1/nodes/" + NODE + "/drain"), "drain");
        unauthenticated(nobody.delete(gateway + "/v1/apps" + TEAM_A_APP), "DELETE");
        assertEquals(200, nobody.get(gateway + "/q/health/ready").status());
        assertEquals(teamA, cluster.running(TEAM_A_APP).size(), "nothing was changed");
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() throws Exception {
        String real = SharedKeycloak.token(User.ADA);
        String[] parts = real.split("\\.");
        // The same header (kid included) and claims, signed by a key Keycloak never had.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(generator.generateKeyPair().getPrivate());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        String forged = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());

        unauthenticated(Http.as(() -> forged).get(gateway + "/v1/apps"), "forged signature");
        unauthenticated(Http.as(() -> forged).post(gateway + "/v1/nodes/" + NODE + "/drain"), "forged drain");
        // A token whose claims were edited (a viewer made admin) breaks the real signature the same way.
        ObjectNode claims = (ObjectNode) SharedKeycloak.claims(SharedKeycloak.token(User.VERA));
        claims.putObject("realm_access").putArray("roles").add("berth-admin");
        String[] veraParts = SharedKeycloak.token(User.VERA).split("\\.");
        String edited = veraParts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(JsonCodec.mapper().writeValueAsBytes(claims)) + "." + veraParts[2];
        unauthenticated(Http.as(() -> edited).get(gateway + "/v1/apps"), "edited claims");
        assertEquals(200, Http.as(() -> real).get(gateway + "/v1/apps").status(), "the real token works");
    }

    @Test
    void aTokenOfAnotherRealmIsRefusedEvenWithTheAdminRoleAndTheGatewayAudience() {
        SharedKeycloak.importRealmOnce(Path.of("src", "test", "resources", "other-realm.json").toAbsolutePath());
        String foreign = SharedKeycloak.get().passwordToken("other", "berth-cli", "mallory", "mallory-password");
        JsonNode claims = SharedKeycloak.claims(foreign);
        assertTrue(claims.path("realm_access").path("roles").toString().contains("berth-admin"), claims.toString());
        assertTrue(claims.path("aud").toString().contains("berth-gateway"), claims.toString());

        unauthenticated(Http.as(() -> foreign).get(gateway + "/v1/apps"), "another realm");
        unauthenticated(Http.as(() -> foreign).postJson(gateway + "/v1/apps", app("/team-a/foreign")), "another realm");
    }

    @Test
    void anExpiredTokenIsRefusedThoughItWorkedBefore() {
        // A client of Berth's realm whose tokens live 3 s, so expiry can be watched rather than waited for long.
        SharedKeycloak.createClientOnce("berth-short-lived", """
                {"clientId": "berth-short-lived", "enabled": true, "publicClient": true,
                 "directAccessGrantsEnabled": true, "standardFlowEnabled": false,
                 "defaultClientScopes": ["basic", "roles", "profile", "berth"],
                 "attributes": {"access.token.lifespan": "3"}}""");
        String token = SharedKeycloak.get().passwordToken(SharedKeycloak.REALM, "berth-short-lived", "otto",
                "otto-password");
        JsonNode claims = SharedKeycloak.claims(token);
        assertEquals(3, claims.path("exp").asLong() - claims.path("iat").asLong(), claims.toString());

        assertEquals(200, Http.as(() -> token).get(gateway + "/v1/apps").status(), "valid while it lives");
        await("the token expires").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> Http.as(() -> token).get(gateway + "/v1/apps").status() == 401);
        unauthenticated(Http.as(() -> token).get(gateway + "/v1/apps"), "expired");
    }

    @Test
    void aViewerReadsItsTeamAndChangesNothing() {
        Http.Caller vera = Http.as(User.VERA);
        int teamB = cluster.running(TEAM_B_APP).size();
        assertOnlyTeam("team-b", appIds(vera.get(gateway + "/v1/apps")), TEAM_B_APP);
        assertEquals(200, vera.get(gateway + "/v1/apps" + TEAM_B_APP).status());
        assertEquals(200, vera.get(gateway + "/v1/nodes").status(), "everyone sees the nodes");

        forbidden(vera.postJson(gateway + "/v1/apps", app("/team-b/new")), "viewer creates");
        forbidden(vera.patchJson(gateway + "/v1/apps" + TEAM_B_APP, "{\"instances\": 2}"), "viewer scales");
        forbidden(vera.post(gateway + "/v1/apps" + TEAM_B_APP + "/restart"), "viewer restarts");
        forbidden(vera.delete(gateway + "/v1/apps" + TEAM_B_APP), "viewer deletes");
        forbidden(vera.post(gateway + "/v1/nodes/" + NODE + "/drain"), "viewer drains");
        // Another team's app does not exist for her, whatever she tries
        notFound(vera.get(gateway + "/v1/apps" + TEAM_A_APP), "viewer reads team-a");
        notFound(vera.delete(gateway + "/v1/apps" + TEAM_A_APP), "viewer deletes team-a");
        String teamATask = cluster.running(TEAM_A_APP).keySet().iterator().next();
        notFound(vera.get(gateway + "/v1/tasks/" + teamATask), "viewer reads a team-a task");
        assertTrue(ids(vera.get(gateway + "/v1/tasks"), "tasks").stream().noneMatch(t -> t.equals(teamATask)));
        assertEquals(teamB, cluster.running(TEAM_B_APP).size(), "nothing was changed");
    }

    @Test
    void anOperatorChangesItsOwnTeamsAppsAndCannotSeeAnotherTeams() {
        Http.Caller otto = Http.as(User.OTTO);
        int teamB = cluster.running(TEAM_B_APP).size();
        assertOnlyTeam("team-a", appIds(otto.get(gateway + "/v1/apps")), TEAM_A_APP);
        notFound(otto.get(gateway + "/v1/apps" + TEAM_B_APP), "operator reads team-b");
        notFound(otto.patchJson(gateway + "/v1/apps" + TEAM_B_APP, "{\"instances\": 3}"), "operator scales team-b");
        notFound(otto.delete(gateway + "/v1/apps" + TEAM_B_APP), "operator deletes team-b");
        Http.Response elsewhere = otto.postJson(gateway + "/v1/apps", app("/team-b/intruder"));
        forbidden(elsewhere, "operator creates in team-b");
        assertTrue(elsewhere.body().contains("team-a"), "the refusal names the caller's teams: " + elsewhere.body());
        forbidden(otto.postJson(gateway + "/v1/apps", app("/rootless")), "operator creates at the root");
        forbidden(otto.post(gateway + "/v1/nodes/" + NODE + "/drain"), "operator drains");
        forbidden(otto.delete(gateway + "/v1/apps" + TEAM_A_APP + "?wipe=true"), "operator wipes volumes");
        assertTrue(ids(otto.get(gateway + "/v1/tasks"), "tasks").stream()
                .noneMatch(t -> cluster.running(TEAM_B_APP).containsKey(t)), "no team-b task listed");

        Http.Response scaled = otto.patchJson(gateway + "/v1/apps" + TEAM_A_APP, "{\"instances\": 3}");
        assertEquals(2, scaled.status() / 100, scaled.body());
        await("team-a scaled").atMost(DEADLINE).until(() -> cluster.running(TEAM_A_APP).size() == 3);
        assertEquals(teamB, cluster.running(TEAM_B_APP).size(), "team-b untouched");
    }

    @Test
    void aTeamsServiceAccountDeploysIntoItsTeamOnly() {
        Http.Caller pipeline = Http.as(User.CI_TEAM_A);
        Http.Response deployed = pipeline.postJson(gateway + "/v1/apps", app("/team-a/from-ci"));
        assertEquals(201, deployed.status(), deployed.body());
        forbidden(pipeline.postJson(gateway + "/v1/apps", app("/team-b/from-ci")), "team-a's pipeline in team-b");
        notFound(pipeline.get(gateway + "/v1/apps" + TEAM_B_APP), "team-a's pipeline reads team-b");
        await("the app recorded").atMost(DEADLINE)
                .until(() -> pipeline.get(gateway + "/v1/apps/team-a/from-ci").status() == 200);
        Http.Response deleted = pipeline.delete(gateway + "/v1/apps/team-a/from-ci");
        assertEquals(2, deleted.status() / 100, deleted.body());
    }

    @Test
    void anAdministratorSeesEveryTeamAndDrainsNodes() {
        Http.Caller ada = Http.as(User.ADA);
        List<String> apps = appIds(ada.get(gateway + "/v1/apps"));
        assertTrue(apps.containsAll(List.of(TEAM_A_APP, TEAM_B_APP)), apps.toString());
        assertEquals(2, ada.post(gateway + "/v1/nodes/" + NODE + "/drain").status() / 100);
        await("drained").atMost(DEADLINE).until(() -> ada.get(gateway + "/v1/nodes/" + NODE).json()
                .path("mode").asText().equals("DRAINING"));
        assertEquals(2, ada.post(gateway + "/v1/nodes/" + NODE + "/undrain").status() / 100);
        await("undrained").atMost(DEADLINE).until(() -> ada.get(gateway + "/v1/nodes/" + NODE).json()
                .path("mode").asText().equals("ACTIVE"));
    }

    @Test
    void theEventStreamShowsEachCallerItsOwnTeamsEventsOnlyAndResumesWithoutAGap() {
        String since = gateway + "/v1/events?since=-1&type=dev.berth.";
        String vera = "Bearer " + SharedKeycloak.token(User.VERA);
        long lastSeen;
        try (EventStream teamB = new EventStream(since, null, vera);
             EventStream teamA = new EventStream(since, null, "Bearer " + SharedKeycloak.token(User.OTTO));
             EventStream none = new EventStream(since, null, null)) {
            assertEquals(401, none.status());
            teamB.awaitEvent("team-b's task", isTaskOf("team-b"), DEADLINE);
            teamA.awaitEvent("team-a's task", isTaskOf("team-a"), DEADLINE);
            teamA.awaitEvent("the node", e -> e.type().equals("dev.berth.node.up"), DEADLINE);
            assertTrue(teamB.events().stream().noneMatch(e -> "team-a".equals(e.cloudEvent().path("team").asText(null))),
                    "no team-a event for team-b: " + teamB.events());
            assertTrue(teamA.events().stream().noneMatch(e -> "team-b".equals(e.cloudEvent().path("team").asText(null))),
                    "no team-b event for team-a: " + teamA.events());
            lastSeen = teamB.events().get(teamB.events().size() - 1).id();
        }

        // While vera is away, both teams' apps change
        int teamB = cluster.running(TEAM_B_APP).size();
        assertEquals(2, Http.as(User.ADA).patchJson(gateway + "/v1/apps" + TEAM_B_APP,
                "{\"instances\": " + (teamB + 1) + "}").status() / 100);
        assertEquals(201, Http.as(User.OTTO).postJson(gateway + "/v1/apps", """
                {"id": "/team-a/quiet", "cmd": "sleep 600", "instances": 0, "cpus": 0.01, "mem": 16}""").status());
        await("team-b scaled").atMost(DEADLINE).until(() -> cluster.running(TEAM_B_APP).size() == teamB + 1);

        // Coming back with the last id she saw, she gets exactly what followed of her team (and the nodes'), in order
        try (EventStream resumed = new EventStream(gateway + "/v1/events?type=dev.berth.", Long.toString(lastSeen), vera)) {
            resumed.awaitEvent("the second team-b task", isTaskOf("team-b"), DEADLINE);
            List<Long> expected = TopicSnapshot.read(cluster.kafkaBootstrap(), Topics.EVENTS.name()).stream()
                    .filter(r -> r.offset() > lastSeen)
                    .map(r -> Map.entry(r.offset(), JsonCodec.decode(r.value(), CloudEvent.class)))
                    .filter(e -> e.getValue().type().startsWith("dev.berth.")
                            && (e.getValue().team() == null || e.getValue().team().equals("team-b")))
                    .map(Map.Entry::getKey).toList();
            await("every team-b event since " + lastSeen).atMost(DEADLINE)
                    .until(() -> resumed.events().size() >= expected.size());
            List<Long> got = resumed.events().stream().map(EventStream.Event::id).toList();
            assertEquals(expected, got.subList(0, expected.size()), "no gap, no repeat, no other team after " + lastSeen);
            assertTrue(resumed.events().stream().noneMatch(e -> "team-a".equals(e.cloudEvent().path("team").asText(null))));
        }
    }

    /** Other suites' apps may come and go (ci's); what matters is that only this team's are listed. */
    private static void assertOnlyTeam(String team, List<String> apps, String expected) {
        assertTrue(apps.contains(expected), apps.toString());
        assertTrue(apps.stream().allMatch(id -> id.startsWith("/" + team + "/")), apps.toString());
    }

    private static Predicate<EventStream.Event> isTaskOf(String team) {
        return e -> e.type().equals("dev.berth.task.state") && team.equals(e.cloudEvent().path("team").asText());
    }

    private static String app(String id) {
        return """
                {"id": "%s", "cmd": "sleep 600", "instances": 1, "cpus": 0.01, "mem": 16,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1}""".formatted(id);
    }

    private static void created(Http.Response response) {
        assertEquals(201, response.status(), response.body());
    }

    private static void unauthenticated(Http.Response response, String what) {
        assertEquals(401, response.status(), what + ": " + response.body());
        assertTrue(response.contentType().startsWith("application/problem+json"), what + ": " + response.contentType());
        assertNotNull(response.header("WWW-Authenticate"), what);
        assertTrue(response.header("WWW-Authenticate").startsWith("Bearer"), what);
    }

    private static void forbidden(Http.Response response, String what) {
        assertEquals(403, response.status(), what + ": " + response.body());
        assertTrue(response.contentType().startsWith("application/problem+json"), what);
    }

    private static void notFound(Http.Response response, String what) {
        assertEquals(404, response.status(), what + ": " + response.body());
        assertTrue(response.contentType().startsWith("application/problem+json"), what);
    }

    private static List<String> appIds(Http.Response response) {
        assertEquals(200, response.status(), response.body());
        return ids(response, "apps");
    }

    private static List<String> ids(Http.Response response, String list) {
        List<String> ids = new ArrayList<>();
        response.json().path(list).forEach(item -> ids.add(item.path("id").asText()));
        return ids;
    }
}
