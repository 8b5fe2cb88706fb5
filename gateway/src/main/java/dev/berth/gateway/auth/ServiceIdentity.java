package dev.berth.gateway.auth;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.runtime.TokensHelper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The gateway's own identity towards Berth's internal services (node agents' log endpoints): an
 * access token of the realm client {@code berth-gateway}'s service account, which holds the realm role
 * berth-service. The services' doors let nothing else in (docs/auth.md, "Service identities").
 *
 * <p>Why its own identity and not the caller's token: the caller is a person or a pipeline, and the
 * services refuse people on purpose; the gateway has already checked the caller's team, and then
 * speaks for Berth. The token comes from Keycloak by the client credentials grant (quarkus-oidc-client,
 * {@code quarkus.oidc-client.*}) and is kept: one grant serves every call until the token is within
 * {@code refresh-token-time-skew} of its expiry, and then the next call fetches a new one. Concurrent
 * calls share one grant in flight.
 */
@ApplicationScoped
public class ServiceIdentity {
    @Inject
    OidcClient client;

    private final TokensHelper tokens = new TokensHelper();

    /** The value of an {@code Authorization} header carrying the gateway's service token. */
    public Uni<String> authorization() {
        return tokens.getTokens(client).map(t -> "Bearer " + t.getAccessToken());
    }
}
