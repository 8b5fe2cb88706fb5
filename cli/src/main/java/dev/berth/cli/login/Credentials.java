package dev.berth.cli.login;

import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The bearer token for a gateway, from the cache, renewed silently when it is about to expire (a
 * refresh, or for a service account a new client credentials token) and written back. No login at all
 * sends no token: a gateway without authentication then answers, and one with it says 401, which the
 * command line turns into "log in first". Asked once per request, but the cache is read only once.
 */
public final class Credentials implements Supplier<Optional<String>> {
    private final String gatewayUrl;
    private final TokenCache cache;
    private final Oidc oidc;
    private final Clock clock;
    private Login current;
    private boolean read;

    public Credentials(String gatewayUrl, TokenCache cache, HttpClient http) {
        this(gatewayUrl, cache, new Oidc(http), Clock.systemUTC());
    }

    Credentials(String gatewayUrl, TokenCache cache, Oidc oidc, Clock clock) {
        this.gatewayUrl = gatewayUrl;
        this.cache = cache;
        this.oidc = oidc;
        this.clock = clock;
    }

    @Override
    public Optional<String> get() {
        if (!read) {
            current = cache.read(gatewayUrl).orElse(null);
            read = true;
        }
        if (current == null) {
            return Optional.empty();
        }
        Freshness freshness = Freshness.of(current, clock.instant());
        if (freshness == Freshness.FRESH) {
            return Optional.of(current.accessToken());
        }
        if (freshness == Freshness.EXPIRED) {
            throw new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT,
                    "your login to " + gatewayUrl + " has expired: log in again with berth login");
        }
        current = renew(current, freshness);
        cache.write(gatewayUrl, current);
        return Optional.of(current.accessToken());
    }

    private Login renew(Login login, Freshness freshness) {
        long now = clock.instant().getEpochSecond();
        try {
            TokenAnswer answer = freshness == Freshness.FETCH_AGAIN
                    ? oidc.clientCredentials(login.tokenEndpoint(), login.clientId(), login.clientSecret())
                    : oidc.refresh(login.tokenEndpoint(), login.clientId(), login.refreshToken());
            return login.renewed(answer, now);
        } catch (CliFailure refused) {
            throw new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT, java.util.List.of(refused.lines().get(0),
                    "your login to " + gatewayUrl + " could not be renewed: log in again with berth login"));
        }
    }
}
