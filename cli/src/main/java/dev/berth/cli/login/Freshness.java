package dev.berth.cli.login;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether a cached login can be used as it is, and if not how to renew it. A token within
 * {@link #SKEW} of its expiry counts as expired already: it could expire on its way to the gateway, and
 * clocks of the machine and Keycloak differ by a little.
 */
public enum Freshness {
    /** The access token is good: send it. */
    FRESH,
    /** It has expired but the refresh token has not: refresh silently. */
    REFRESH,
    /** A service account's token expired: fetch a new one with the kept secret (no refresh token there). */
    FETCH_AGAIN,
    /** Nothing left to renew with: the person must log in again. */
    EXPIRED;

    public static final Duration SKEW = Duration.ofSeconds(30);

    public static Freshness of(Login login, Instant now) {
        long soon = now.plus(SKEW).getEpochSecond();
        if (soon < login.expiresAt()) {
            return FRESH;
        }
        if (login.grant() == Login.Grant.CLIENT_CREDENTIALS && login.clientSecret() != null) {
            return FETCH_AGAIN;
        }
        if (login.refreshToken() != null && (login.refreshExpiresAt() == 0 || soon < login.refreshExpiresAt())) {
            return REFRESH;
        }
        return EXPIRED;
    }
}
