package dev.berth.gateway.auth;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.runtime.OidcAuthenticationMechanism;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.Set;

/**
 * quarkus-oidc's bearer authentication, with a memory: a token it verified before is answered from
 * {@link VerifiedTokens} until it expires; any other request goes to quarkus-oidc unchanged, and what
 * it verifies is remembered. Everything else (the challenge, which credentials are read and how) is
 * quarkus-oidc's.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class RememberingBearerMechanism implements HttpAuthenticationMechanism {
    private static final String BEARER = "Bearer ";

    @Inject
    OidcAuthenticationMechanism oidc;

    @Inject
    VerifiedTokens verified;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String token = bearerToken(context);
        if (token != null) {
            SecurityIdentity known = verified.find(token);
            if (known != null) {
                return Uni.createFrom().item(known);
            }
        }
        return oidc.authenticate(context, identityProviderManager).invoke(identity -> remember(token, identity));
    }

    private void remember(String token, SecurityIdentity identity) {
        if (token == null || identity == null || identity.isAnonymous()
                || !(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getExpirationTime() <= 0) {
            return;
        }
        AccessTokenCredential credential = identity.getCredential(AccessTokenCredential.class);
        // Only the token quarkus-oidc itself verified for this identity, byte for byte.
        if (credential != null && token.equals(credential.getToken())) {
            verified.remember(token, identity, Instant.ofEpochSecond(jwt.getExpirationTime()));
        }
    }

    private static String bearerToken(RoutingContext context) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = header.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return oidc.getChallenge(context);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return oidc.getCredentialTypes();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return oidc.getCredentialTransport(context);
    }

    @Override
    public int getPriority() {
        return oidc.getPriority();
    }
}
