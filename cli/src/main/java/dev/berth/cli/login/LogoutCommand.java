package dev.berth.cli.login;

import dev.berth.cli.Berth;
import dev.berth.cli.CliFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code berth logout}: forgets the gateway's tokens and, for a person, revokes the refresh token at
 * Keycloak so the session ends there too (a copy of the file is then worth nothing). Revocation is
 * best effort: an unreachable Keycloak must not keep the tokens on disk.
 */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Forget the tokens kept for the gateway and end the session at Keycloak.",
        footerHeading = "%nExample:%n", footer = "  berth logout --gateway https://berth.example.com")
public final class LogoutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        String gateway = berth.gatewayUrl();
        Optional<Login> login = berth.tokens().read(gateway);
        berth.tokens().remove(gateway);
        if (login.isEmpty()) {
            berth.terminal().out().println("Not logged in to " + gateway + ".");
            return 0;
        }
        Login known = login.get();
        if (known.refreshToken() != null && known.revocationEndpoint() != null) {
            try {
                new Oidc(berth.http()).revoke(known.revocationEndpoint(), known.clientId(), known.clientSecret(),
                        known.refreshToken());
            } catch (CliFailure unreachable) {
                berth.terminal().err().println("berth: the session could not be ended at Keycloak ("
                        + unreachable.lines().get(0) + "); the tokens are forgotten here");
            }
        }
        berth.terminal().out().println("Logged out of " + gateway + ".");
        return 0;
    }
}
