package dev.berth.cli.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import dev.berth.cli.output.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The few OpenID Connect calls the command line makes to Keycloak, as plain form posts: discovery, the
 * password, client credentials, refresh and device grants, and revocation. Keycloak's refusals
 * ({@code error}, {@code error_description}) become failures with exit code 5: the caller is not logged in.
 */
public final class Oidc {
    /** The device grant's standard grant type (RFC 8628 §3.4). */
    static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private final HttpClient http;

    public Oidc(HttpClient http) {
        this.http = http;
    }

    /** The endpoints of {@code {issuer}/.well-known/openid-configuration} the command line uses. */
    public record Endpoints(String issuer, String token, String deviceAuthorization, String revocation) {
    }

    /** A device authorization's answer (RFC 8628 §3.2). */
    public record DeviceCode(String deviceCode, String userCode, String verificationUri,
                             String verificationUriComplete, long expiresIn, long interval) {
    }

    /** What the token endpoint answered: a token, or the error the device flow reads as "not yet". */
    public record TokenResult(TokenAnswer token, String error, String description) {
    }

    public Endpoints discover(String issuer) {
        JsonNode json = getJson(issuer + "/.well-known/openid-configuration", "Keycloak");
        return new Endpoints(json.path("issuer").asText(issuer), json.path("token_endpoint").asText(),
                json.path("device_authorization_endpoint").asText(null), json.path("revocation_endpoint").asText(null));
    }

    /** The issuer the gateway trusts, from its {@code /ui/config.json}; empty when the gateway asks for no login. */
    public java.util.Optional<String> issuerOf(String gatewayUrl) {
        JsonNode config = getJson(gatewayUrl + "/ui/config.json", "the gateway");
        if (!config.path("auth").asBoolean(true)) {
            return java.util.Optional.empty();
        }
        String issuer = config.path("issuer").asText("");
        if (issuer.isEmpty()) {
            throw new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT, "the gateway at " + gatewayUrl
                    + " does not say which Keycloak issues its tokens: give it with --issuer URL");
        }
        return java.util.Optional.of(issuer);
    }

    public TokenAnswer password(String tokenEndpoint, String clientId, String username, String password) {
        return token(tokenEndpoint, form("grant_type", "password", "client_id", clientId,
                "username", username, "password", password));
    }

    public TokenAnswer clientCredentials(String tokenEndpoint, String clientId, String secret) {
        return token(tokenEndpoint, form("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", secret));
    }

    public TokenAnswer refresh(String tokenEndpoint, String clientId, String refreshToken) {
        return token(tokenEndpoint, form("grant_type", "refresh_token", "client_id", clientId,
                "refresh_token", refreshToken));
    }

    public DeviceCode startDevice(String deviceEndpoint, String clientId) {
        JsonNode json = postForm(deviceEndpoint, form("client_id", clientId));
        if (json.hasNonNull("error")) {
            throw refused(json);
        }
        return new DeviceCode(json.path("device_code").asText(), json.path("user_code").asText(),
                json.path("verification_uri").asText(), json.path("verification_uri_complete").asText(null),
                json.path("expires_in").asLong(600), Math.max(1, json.path("interval").asLong(5)));
    }

    /** One poll of the device grant: a token, or the error ({@code authorization_pending}, {@code slow_down} …). */
    public TokenResult pollDevice(String tokenEndpoint, String clientId, String deviceCode) {
        JsonNode json = postForm(tokenEndpoint, form("grant_type", DEVICE_GRANT, "client_id", clientId,
                "device_code", deviceCode));
        if (json.hasNonNull("access_token")) {
            return new TokenResult(answer(json), null, null);
        }
        return new TokenResult(null, json.path("error").asText("unknown_error"),
                json.path("error_description").asText(""));
    }

    /** Revokes a refresh token (RFC 7009), ending the session at Keycloak; best effort. */
    public void revoke(String revocationEndpoint, String clientId, String clientSecret, String token) {
        Map<String, String> form = new LinkedHashMap<>(form("token", token, "token_type_hint", "refresh_token",
                "client_id", clientId));
        if (clientSecret != null) {
            form.put("client_secret", clientSecret);
        }
        postForm(revocationEndpoint, form);
    }

    private TokenAnswer token(String tokenEndpoint, Map<String, String> form) {
        JsonNode json = postForm(tokenEndpoint, form);
        if (!json.hasNonNull("access_token")) {
            throw refused(json);
        }
        return answer(json);
    }

    private static TokenAnswer answer(JsonNode json) {
        return new TokenAnswer(json.path("access_token").asText(), json.path("expires_in").asLong(60),
                json.path("refresh_token").asText(null), json.path("refresh_expires_in").asLong(0));
    }

    static CliFailure refused(JsonNode json) {
        String error = json.path("error").asText("no token in the answer");
        String description = json.path("error_description").asText("");
        return new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT,
                "Keycloak refused the login: " + (description.isEmpty() ? error : description + " (" + error + ")"));
    }

    private static Map<String, String> form(String... pairs) {
        Map<String, String> form = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            form.put(pairs[i], pairs[i + 1]);
        }
        return form;
    }

    private JsonNode postForm(String url, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return exchange(request, "Keycloak");
    }

    private JsonNode getJson(String url, String who) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
        JsonNode json = exchange(request, who);
        if (json.isMissingNode()) {
            throw new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT, who + " at " + url + " did not answer JSON");
        }
        return json;
    }

    private JsonNode exchange(HttpRequest request, String who) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            if (body == null || body.isBlank()) {
                return Json.MAPPER.createObjectNode();
            }
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
        } catch (IOException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? "connection refused" : e.getMessage();
            throw new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT,
                    "cannot connect to " + who + " at " + request.uri().getScheme() + "://"
                            + request.uri().getAuthority() + " (" + why + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, "interrupted");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
