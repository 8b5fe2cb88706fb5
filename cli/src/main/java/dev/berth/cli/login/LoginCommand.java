package dev.berth.cli.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code berth login}: gets tokens from the Keycloak the gateway trusts and keeps them for that
 * gateway. Three ways, as docs/auth.md lists them: a person's password, a pipeline's service account
 * (client credentials), and by default the device grant, so a password is never typed into a terminal
 * that may be shared or recorded. The issuer comes from the gateway itself ({@code /ui/config.json}),
 * so a person needs to know one address only.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Log in to the gateway's Keycloak and keep the tokens (in ~/.config/berth/tokens.json).",
                "Without options: the device grant (open the printed address in a browser and confirm the code)."},
        footerHeading = "%nExamples:%n",
        footer = {"  berth login",
                "  berth login --username otto --password otto-password",
                "  berth login --client-id berth-ci-team-a --client-secret \"$BERTH_CI_SECRET\""})
public final class LoginCommand implements Callable<Integer> {
    /** The realm's public client for terminals (password and device grants enabled). */
    static final String CLI_CLIENT = "berth-cli";

    @Spec
    CommandSpec spec;

    @Option(names = "--username", description = "Log in as this person with the password grant.")
    String username;

    @Option(names = "--password", description = "The person's password (default: $BERTH_PASSWORD).")
    String password;

    @Option(names = "--client-id", description = "Log in as this service account (client credentials), e.g. berth-ci-team-a.")
    String clientId;

    @Option(names = "--client-secret", description = "The service account's secret (default: $BERTH_CLIENT_SECRET).")
    String clientSecret;

    @Option(names = "--issuer", paramLabel = "URL",
            description = "The Keycloak realm's URL (default: what the gateway's /ui/config.json names).")
    String issuer;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        PrintWriter out = berth.terminal().out();
        String gateway = berth.gatewayUrl();
        Oidc oidc = new Oidc(berth.http());
        Optional<String> realm = issuer != null ? Optional.of(stripSlash(issuer)) : oidc.issuerOf(gateway);
        if (realm.isEmpty()) {
            out.println("The gateway at " + gateway + " asks for no login (its authentication is off).");
            return ExitCode.OK.code();
        }
        Oidc.Endpoints endpoints = oidc.discover(realm.get());
        long now = Instant.now().getEpochSecond();
        Login login;
        if (clientId != null) {
            String secret = clientSecret != null ? clientSecret : berth.env().get("BERTH_CLIENT_SECRET");
            if (secret == null) {
                throw new CliFailure(ExitCode.USAGE, "--client-id needs --client-secret (or BERTH_CLIENT_SECRET)");
            }
            TokenAnswer answer = oidc.clientCredentials(endpoints.token(), clientId, secret);
            login = empty(Login.Grant.CLIENT_CREDENTIALS, endpoints, clientId, secret).renewed(answer, now);
        } else if (username != null) {
            String secret = password != null ? password : berth.env().get("BERTH_PASSWORD");
            if (secret == null) {
                secret = readPassword();
            }
            TokenAnswer answer = oidc.password(endpoints.token(), CLI_CLIENT, username, secret);
            login = empty(Login.Grant.PASSWORD, endpoints, CLI_CLIENT, null).renewed(answer, now);
        } else {
            TokenAnswer answer = new DeviceLogin(oidc, out).run(endpoints, CLI_CLIENT);
            login = empty(Login.Grant.DEVICE, endpoints, CLI_CLIENT, null)
                    .renewed(answer, Instant.now().getEpochSecond());
        }
        berth.tokens().write(gateway, login);
        JsonNode me = berth.gateway().get("/v1/me");
        out.println("Logged in to " + gateway + " as " + WhoamiCommand.describe(me) + ".");
        return ExitCode.OK.code();
    }

    private static Login empty(Login.Grant grant, Oidc.Endpoints endpoints, String client, String secret) {
        return new Login(grant, endpoints.issuer(), endpoints.token(), endpoints.revocation(), client, secret,
                null, 0, null, 0);
    }

    private static String readPassword() {
        java.io.Console console = System.console();
        if (console == null) {
            throw new CliFailure(ExitCode.USAGE, "--username needs --password (or BERTH_PASSWORD) when not at a terminal");
        }
        char[] typed = console.readPassword("Password: ");
        if (typed == null) {
            throw new CliFailure(ExitCode.USAGE, "no password given");
        }
        return new String(typed);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
