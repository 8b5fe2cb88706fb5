package dev.berth.cli.login;

/** A token endpoint's successful answer (RFC 6749 §5.1, with Keycloak's {@code refresh_expires_in}). */
public record TokenAnswer(String accessToken, long expiresIn, String refreshToken, long refreshExpiresIn) {
}
