package dev.berth.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Bearer tokens for the services' module tests, shaped like Keycloak's (realm roles in
 * {@code realm_access.roles}, teams in {@code groups}, audience berth-gateway) and signed with the test
 * key whose public half every service's test profile trusts ({@code %test.quarkus.oidc.public-key}):
 * module tests need no Keycloak. People's tokens ({@link #admin}, {@link #operator}, {@link #viewer})
 * for the gateway, {@link #service} for the internal services' doors. The system tests use a real
 * Keycloak instead.
 */
public final class TestTokens {
    public static final String ISSUER = "https://keycloak.test/realms/berth";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrivateKey KEY = loadKey();

    private TestTokens() {
    }

    public static String admin() {
        return token("ada", List.of("berth-admin", "berth-operator", "berth-viewer"), List.of(), Duration.ofHours(1));
    }

    public static String operator(String... teams) {
        return token("otto", List.of("berth-operator", "berth-viewer"), List.of(teams), Duration.ofHours(1));
    }

    public static String viewer(String... teams) {
        return token("vera", List.of("berth-viewer"), List.of(teams), Duration.ofHours(1));
    }

    /**
     * A Berth service identity, as Keycloak issues to the service account of a Berth service's client
     * (client credentials): the realm role berth-service, no teams.
     */
    public static String service() {
        return token("service-account-berth-gateway", List.of("berth-service"), List.of(), Duration.ofHours(1));
    }

    public static String token(String user, List<String> roles, List<String> groups, Duration lifetime) {
        return sign(claims(user, roles, groups, lifetime, ISSUER, "berth-gateway"), KEY);
    }

    /** The claims of a token; change them and {@link #sign} to make a token the gateway must refuse. */
    public static ObjectNode claims(String user, List<String> roles, List<String> groups, Duration lifetime,
                                    String issuer, String audience) {
        Instant now = Instant.now();
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", issuer);
        claims.put("sub", UUID.nameUUIDFromBytes(user.getBytes(StandardCharsets.UTF_8)).toString());
        claims.put("preferred_username", user);
        claims.put("aud", audience);
        claims.put("iat", now.getEpochSecond() - 5);
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        claims.putObject("realm_access").putPOJO("roles", roles);
        claims.putPOJO("groups", groups.stream().map(g -> "/" + g).toList());
        return claims;
    }

    public static String sign(ObjectNode claims) {
        return sign(claims, KEY);
    }

    /** Signed RS256 by a key nobody trusts. */
    public static String signedByAnotherKey(ObjectNode claims) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return sign(claims, generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(ObjectNode claims, PrivateKey key) {
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            String payload = b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey loadKey() {
        try (InputStream in = TestTokens.class.getResourceAsStream("test-token-private-key.txt")) {
            String base64 = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the test signing key", e);
        }
    }
}
