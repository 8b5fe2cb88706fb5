package dev.berth.gateway.auth;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens this gateway has verified, with who they said the caller is, until they expire.
 *
 * <p>Why: a client sends the same bearer token with every request for its five-minute life, and
 * verifying it again each time (parse the JWT, check its RSA signature against the realm's keys,
 * check issuer, audience and times, map its roles) cost about a third of the gateway's throughput on
 * a cheap read (docs/benchmarks.md). A token's verification cannot come out differently while it is
 * unexpired — the signature and claims are fixed, and the realm's keys outlive the tokens they
 * signed — so the answer is kept, keyed by the exact token, and never past the token's {@code exp}.
 * A token never verified (forged, from another realm, expired) is never in here: it goes to
 * quarkus-oidc, which refuses it.
 *
 * <p>{@link RememberingBearerMechanism} asks it before handing a request to quarkus-oidc, and tells
 * it what quarkus-oidc verified.
 */
@ApplicationScoped
public class VerifiedTokens {
    /** Bounded: at most this many distinct live tokens are kept; beyond it, tokens are just verified again. */
    static final int CAPACITY = 5_000;

    private final Map<String, Verified> tokens = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
    private final Clock clock;

    public VerifiedTokens() {
        this(Clock.systemUTC());
    }

    VerifiedTokens(Clock clock) {
        this.clock = clock;
    }

    private record Verified(SecurityIdentity identity, Instant expires) {
    }

    /** Who the token says the caller is, if it was verified and has not expired since. */
    SecurityIdentity find(String token) {
        Verified verified = tokens.get(token);
        if (verified == null) {
            return null;
        }
        if (!clock.instant().isBefore(verified.expires())) {
            tokens.remove(token, verified);
            return null;
        }
        answered.incrementAndGet();
        return verified.identity();
    }

    /** Keeps a verified token's identity until the token's expiry. */
    void remember(String token, SecurityIdentity identity, Instant expires) {
        Instant now = clock.instant();
        if (!now.isBefore(expires) || tokens.containsKey(token)) {
            return;
        }
        if (tokens.size() >= CAPACITY) {
            tokens.values().removeIf(v -> !now.isBefore(v.expires()));
            if (tokens.size() >= CAPACITY) {
                return;
            }
        }
        // A copy without request attributes (quarkus-oidc keeps the request's routing context on its
        // identity): only who the caller is and what it holds is reused, never anything of one request.
        tokens.put(token, new Verified(QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addRoles(identity.getRoles())
                .addCredentials(identity.getCredentials())
                .setAnonymous(false)
                .build(), expires));
    }

    /** How many requests were answered from here rather than verified again. */
    public long answered() {
        return answered.get();
    }

    /** How many verified tokens are kept now. */
    public int size() {
        return tokens.size();
    }
}
