package dev.berth.system;

import dev.berth.testkit.Keycloak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One real Keycloak for the whole test JVM, with Berth's realm from {@code deploy/keycloak}, as the
 * PostgreSQL server is shared through SharedInfra: a start costs seconds and 400 MB, and the realm's
 * users are the same for every suite. Suites that need a clean realm start their own.
 */
public final class SharedKeycloak {
    public static final String REALM = "berth";
    /** The demo secret of the gateway's client in the realm file, handed to the gateway's process. */
    public static final String GATEWAY_SECRET = "berth-gateway-secret";
    /** The demo secret of berth-ops, the operators' client acting as Berth. */
    public static final String OPS_SECRET = "berth-ops-secret";
    private static Keycloak keycloak;
    private static final Map<User, Token> TOKENS = new ConcurrentHashMap<>();

    /** The realm's demo users and CI service accounts (docs/auth.md), with what they are there to show. */
    public enum User {
        /** berth-admin: everything, every team. */
        ADA("ada", "ada-password", null),
        /** berth-operator in team-a. */
        OTTO("otto", "otto-password", null),
        /** berth-viewer in team-b. */
        VERA("vera", "vera-password", null),
        /** Service account (client credentials) of team-a's pipelines: berth-operator in team-a. */
        CI_TEAM_A(null, "berth-ci-team-a-secret", "berth-ci-team-a"),
        /**
         * A Berth service identity (realm role berth-service): the service account of berth-ops, the
         * client for operators' tools acting as Berth, which is what a test calling a service directly is.
         */
        OPS(null, OPS_SECRET, "berth-ops"),
        /** The gateway's own service identity (berth-gateway's service account, role berth-service). */
        GATEWAY(null, GATEWAY_SECRET, "berth-gateway");

        final String username;
        final String secret;
        final String serviceClient;

        User(String username, String secret, String serviceClient) {
            this.username = username;
            this.secret = secret;
            this.serviceClient = serviceClient;
        }
    }

    private record Token(String value, Instant expires) {
    }

    private SharedKeycloak() {
    }

    public static synchronized Keycloak get() {
        if (keycloak == null) {
            try {
                Path work = Files.createTempDirectory("berth-keycloak-");
                keycloak = Keycloak.start(work, List.of(realmFile()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return keycloak;
    }

    /** The URL the gateway verifies tokens against (its {@code quarkus.oidc.auth-server-url}). */
    public static String realmUrl() {
        return get().issuer(REALM);
    }

    /** A valid access token of the user, fetched once and again when less than a minute of it is left. */
    public static String token(User user) {
        Token cached = TOKENS.get(user);
        if (cached != null && Instant.now().plus(Duration.ofMinutes(1)).isBefore(cached.expires())) {
            return cached.value();
        }
        String value = user.serviceClient != null
                ? get().clientCredentialsToken(REALM, user.serviceClient, user.secret)
                : get().passwordToken(REALM, "berth-cli", user.username, user.secret);
        Token fresh = new Token(value, Instant.ofEpochSecond(claims(value).path("exp").asLong()));
        TOKENS.put(user, fresh);
        return value;
    }

    /** The (unverified) claims of a token, for assertions about what Keycloak put in it. */
    public static com.fasterxml.jackson.databind.JsonNode claims(String token) {
        try {
            byte[] payload = Base64.getUrlDecoder().decode(token.split("\\.")[1]);
            return dev.berth.contracts.json.JsonCodec.mapper().readTree(payload);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not a JWT: " + token, e);
        }
    }

    private static final java.util.Set<String> DONE = ConcurrentHashMap.newKeySet();

    /** Imports a realm into the shared server unless this JVM did already (suites share the server). */
    public static synchronized void importRealmOnce(Path realmFile) {
        if (DONE.add("realm:" + realmFile)) {
            get().importRealm(realmFile);
        }
    }

    /** Creates a client in Berth's realm unless this JVM did already. */
    public static synchronized void createClientOnce(String clientId, String json) {
        if (DONE.add("client:" + clientId)) {
            get().createClient(REALM, json);
        }
    }

    static Path realmFile() {
        // Tests run in system-tests/; the realm is the one the local run imports.
        Path realm = Path.of("..", "deploy", "keycloak", "berth-realm.json").toAbsolutePath().normalize();
        if (!Files.isRegularFile(realm)) {
            throw new IllegalStateException("the realm file is missing: " + realm);
        }
        return realm;
    }
}
