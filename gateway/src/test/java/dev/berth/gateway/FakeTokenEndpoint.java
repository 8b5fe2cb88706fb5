package dev.berth.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Stands in for Keycloak's token endpoint, so that the gateway's real quarkus-oidc-client gets its
 * service token in module tests: a client credentials grant of {@code berth-gateway} with its secret
 * (HTTP Basic, as quarkus-oidc-client sends it) is answered with a fresh {@link TestTokens#service()}
 * token; anything else with Keycloak's 401 {@code unauthorized_client}. Every answered grant is
 * counted in the response header {@code X-Grant} (1, 2, …), and the token carries it as its
 * {@code grant} claim, so a test can tell a kept token from a new one. Tokens live an hour, longer
 * than the whole suite, so a kept token is never renewed in the middle of a test.
 */
public final class FakeTokenEndpoint implements QuarkusTestResourceLifecycleManager {
    static final String SECRET = "berth-gateway-secret";
    private HttpServer server;
    private int grants;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/realms/berth/protocol/openid-connect/token", this::token);
        server.start();
        return Map.of("quarkus.oidc-client.auth-server-url",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/berth");
    }

    private synchronized void token(HttpExchange exchange) throws IOException {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String basic = "Basic " + Base64.getEncoder()
                .encodeToString(("berth-gateway:" + SECRET).getBytes(StandardCharsets.UTF_8));
        boolean valid = "POST".equals(exchange.getRequestMethod()) && form.contains("grant_type=client_credentials")
                && basic.equals(exchange.getRequestHeaders().getFirst("Authorization"));
        String body;
        int status;
        if (valid) {
            grants++;
            var claims = TestTokens.claims("service-account-berth-gateway", List.of("berth-service"),
                    List.of(), Duration.ofHours(1), TestTokens.ISSUER, "berth-gateway");
            claims.put("grant", grants);
            body = "{\"access_token\": \"" + TestTokens.sign(claims) + "\", \"token_type\": \"Bearer\", "
                    + "\"expires_in\": 3600}";
            status = 200;
        } else {
            body = "{\"error\": \"unauthorized_client\", \"error_description\": \"Invalid client or Invalid client "
                    + "credentials\"}";
            status = 401;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
