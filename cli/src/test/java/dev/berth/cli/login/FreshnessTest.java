package dev.berth.cli.login;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FreshnessTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_000_000);

    private static Login person(long expiresAt, String refresh, long refreshExpiresAt) {
        return new Login(Login.Grant.PASSWORD, "iss", "token", null, "berth-cli", null, "at", expiresAt, refresh, refreshExpiresAt);
    }

    @Test
    void aTokenWithMoreThanTheSkewLeftIsUsedAsItIs() {
        assertEquals(Freshness.FRESH, Freshness.of(person(NOW.getEpochSecond() + 120, "rt", 0), NOW));
    }

    @Test
    void aTokenAboutToExpireIsRefreshedAlready() {
        assertEquals(Freshness.REFRESH, Freshness.of(person(NOW.getEpochSecond() + 10, "rt", NOW.getEpochSecond() + 1800), NOW));
    }

    @Test
    void anExpiredTokenWithAnExpiredRefreshTokenNeedsANewLogin() {
        assertEquals(Freshness.EXPIRED, Freshness.of(person(NOW.getEpochSecond() - 10, "rt", NOW.getEpochSecond() - 1), NOW));
        assertEquals(Freshness.EXPIRED, Freshness.of(person(NOW.getEpochSecond() - 10, null, 0), NOW));
    }

    @Test
    void aServiceAccountFetchesANewTokenWithItsSecret() {
        Login account = new Login(Login.Grant.CLIENT_CREDENTIALS, "iss", "token", null, "berth-ci-team-a", "secret",
                "at", NOW.getEpochSecond() - 1, null, 0);

        assertEquals(Freshness.FETCH_AGAIN, Freshness.of(account, NOW));
    }

    @Test
    void aRenewalKeepsTheRefreshTokenWhenTheAnswerHasNone() {
        Login renewed = person(0, "rt", 99).renewed(new TokenAnswer("new", 300, null, 0), 1000);

        assertEquals("new", renewed.accessToken());
        assertEquals(1300, renewed.expiresAt());
        assertEquals("rt", renewed.refreshToken());
    }
}
