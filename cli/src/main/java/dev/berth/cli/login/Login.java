package dev.berth.cli.login;

/**
 * What {@code berth login} keeps for one gateway: the tokens, when they expire (epoch seconds; 0 for
 * "never said"), and what is needed to get new ones without asking the person again — the token
 * endpoint (so a refresh costs no discovery round trip), the client, and for a service account its
 * secret (client credentials have no refresh token: a new token is fetched instead).
 */
public record Login(Grant grant, String issuer, String tokenEndpoint, String revocationEndpoint,
                    String clientId, String clientSecret, String accessToken, long expiresAt,
                    String refreshToken, long refreshExpiresAt) {
    /** How the login was made, which decides how it is renewed. */
    public enum Grant { PASSWORD, DEVICE, CLIENT_CREDENTIALS }

    /** The same login with the tokens of a new token answer received at {@code nowSeconds}. */
    public Login renewed(TokenAnswer answer, long nowSeconds) {
        String refresh = answer.refreshToken() != null ? answer.refreshToken() : refreshToken;
        long refreshExpires = answer.refreshToken() != null
                ? (answer.refreshExpiresIn() > 0 ? nowSeconds + answer.refreshExpiresIn() : 0)
                : refreshExpiresAt;
        return new Login(grant, issuer, tokenEndpoint, revocationEndpoint, clientId, clientSecret,
                answer.accessToken(), nowSeconds + answer.expiresIn(), refresh, refreshExpires);
    }
}
