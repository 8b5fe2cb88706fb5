package dev.berth.cli;

import dev.berth.cli.api.Gateway;
import dev.berth.cli.app.AppCommand;
import dev.berth.cli.deployment.DeploymentCommand;
import dev.berth.cli.completion.CompletionCommand;
import dev.berth.cli.event.EventsCommand;
import dev.berth.cli.node.NodeCommand;
import dev.berth.cli.queue.QueueCommand;
import dev.berth.cli.task.LogsCommand;
import dev.berth.cli.task.TaskCommand;
import dev.berth.cli.volume.VolumeCommand;
import dev.berth.cli.login.Credentials;
import dev.berth.cli.login.LoginCommand;
import dev.berth.cli.login.LogoutCommand;
import dev.berth.cli.login.TokenCache;
import dev.berth.cli.login.WhoamiCommand;
import dev.berth.cli.output.Terminal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.Writer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@code berth}: the root command, and the one place a run begins and ends. {@link #run} takes its
 * arguments, environment and output streams as values and returns the exit code instead of calling
 * {@code System.exit}, so tests run the very same command line in-process; {@link #main} is only the
 * thin edge that hands it the real process's. Every failure a command throws ({@link CliFailure}) is
 * printed here, once, in one shape.
 */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = Berth.Version.class,
        description = "Berth's command line: the gateway's /v1 API at a terminal and in scripts.",
        footerHeading = "%nExamples:%n",
        footer = {"  berth login --username otto --password otto-password",
                "  berth app deploy -f apps/ --wait",
                "  berth app list -o json",
                "", "Exit codes: 0 ok, 1 usage, 2 refused by the API, 3 not found,",
                "4 timed out or deployment failed, 5 cannot connect or not logged in. More: docs/cli.md"})
public final class Berth implements Callable<Integer> {
    /**
     * The commands, in the order help lists them. Not in the annotation: picocli builds the model of
     * every command it is given (their options, by reflection) before it parses anything, which is a
     * tenth of a short command's start, so a run that names one command gets only that one
     * ({@link #commandLine}).
     */
    private static final List<Class<?>> COMMANDS = List.of(LoginCommand.class, LogoutCommand.class,
            WhoamiCommand.class, AppCommand.class, TaskCommand.class, LogsCommand.class, DeploymentCommand.class,
            QueueCommand.class, NodeCommand.class, VolumeCommand.class, EventsCommand.class, CompletionCommand.class,
            CommandLine.HelpCommand.class);
    /** Where a gateway is looked for when neither --gateway nor BERTH_GATEWAY says: the local run's. */
    public static final String DEFAULT_GATEWAY = "http://localhost:8080";
    /** A gateway (or Keycloak) that does not accept a connection in this long is reported as unreachable. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    @Option(names = "--gateway", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The gateway's address (default: $BERTH_GATEWAY, else " + DEFAULT_GATEWAY + ").")
    String gatewayOption;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final Terminal terminal;
    private HttpClient http;

    private Berth(Map<String, String> env, Terminal terminal) {
        this.env = Map.copyOf(env);
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, System.getenv(), out, err, Terminal.isInteractive());
        out.flush();
        err.flush();
        stopHttpClientSelectors();
        System.exit(code);
    }

    /**
     * Ends the HTTP client's selector thread, which otherwise waits in native code (epoll) for as long
     * as the JVM lives: an exiting JVM waits up to 300 ms for threads in native code to come out, which
     * was a third of every command's time. Java 17's HttpClient has no close(); an interrupt ends the
     * thread's loop (the JDK names it {@code HttpClient-<n>-SelectorManager}). Only at the very end of
     * a process: nothing is sent after this.
     */
    private static void stopHttpClientSelectors() {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("HttpClient-") && thread.getName().endsWith("-SelectorManager")) {
                thread.interrupt();
                try {
                    thread.join(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Runs one command line and answers its exit code (nothing here exits the JVM). */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, boolean interactive) {
        Berth berth = new Berth(env, Terminal.of(out, err, env, interactive));
        CommandLine commandLine = commandLine(berth, args);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((invalid, given) -> {
            CommandLine wrong = invalid.getCommandLine();
            err.println("berth: " + invalid.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(invalid, err);
            err.println("See '" + wrong.getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return ExitCode.USAGE.code();
        });
        commandLine.setExecutionExceptionHandler((failure, cmd, parsed) -> {
            if (failure instanceof CliFailure known) {
                known.lines().forEach(line -> err.println("berth: " + line));
                err.flush();
                return known.exitCode().code();
            }
            // A fault of the command line itself: say so, with where, rather than die without a word.
            err.println("berth: unexpected " + failure);
            failure.printStackTrace(err);
            err.flush();
            return ExitCode.USAGE.code();
        });
        try {
            return commandLine.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The whole tree of commands, as a run parses them (for the tests that walk every command). */
    static CommandLine commandTree() {
        return commandLine(new Berth(Map.of(), Terminal.of(new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()), Map.of(), false)), new String[0]);
    }

    /**
     * The command line for these arguments: only the command they name (by its name or an alias), or
     * every command when they name none, an unknown one (so picocli can suggest the right one), help, or
     * completion (whose script lists them all).
     */
    static CommandLine commandLine(Berth berth, String[] args) {
        CommandLine root = new CommandLine(berth);
        Class<?> named = named(args);
        for (Class<?> command : COMMANDS) {
            if (named == null || named == command) {
                root.addSubcommand(new CommandLine(command));
            }
        }
        return root;
    }

    /** The command the arguments name, or null for "all of them" (see {@link #commandLine}). */
    private static Class<?> named(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--gateway")) {
                i++;
            } else if (!arg.startsWith("-")) {
                for (Class<?> command : COMMANDS) {
                    Command annotation = command.getAnnotation(Command.class);
                    if (annotation.name().equals(arg) || List.of(annotation.aliases()).contains(arg)) {
                        boolean listsAll = command == CommandLine.HelpCommand.class || command == CompletionCommand.class;
                        return listsAll ? null : command;
                    }
                }
                return null;
            }
        }
        return null;
    }

    /** The root command of the command a picocli spec belongs to, for subcommands at any depth. */
    public static Berth of(CommandSpec spec) {
        return (Berth) spec.root().userObject();
    }

    @Override
    public Integer call() {
        // A bare `berth` asks nothing: show what it could ask, as a usage error.
        spec.commandLine().usage(terminal.err());
        return ExitCode.USAGE.code();
    }

    /** The gateway's base URL, without a trailing slash: --gateway, else BERTH_GATEWAY, else the local run's. */
    public String gatewayUrl() {
        String url = gatewayOption != null ? gatewayOption : env.getOrDefault("BERTH_GATEWAY", DEFAULT_GATEWAY);
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url;
    }

    public Terminal terminal() {
        return terminal;
    }

    public Map<String, String> env() {
        return env;
    }

    public HttpClient http() {
        if (http == null) {
            // HTTP/1.1, as curl speaks it to an http:// address: with the client's default, HTTP/2, the
            // first request asks the gateway to switch protocols (h2c), and a gateway that agrees makes
            // a command of one or two requests load and run the HTTP/2 machinery. TLS is set up only
            // when an https:// address is first asked (TlsOnFirstUse).
            http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                    .sslContext(new TlsOnFirstUse()).sslParameters(new SSLParameters()).build();
        }
        return http;
    }

    public TokenCache tokens() {
        return new TokenCache(TokenCache.directory(env, Path.of(System.getProperty("user.home"))));
    }

    /** The API as the logged-in caller (the cached token, refreshed when it is about to expire). */
    public Gateway gateway() {
        String url = gatewayUrl();
        return new Gateway(url, http(), new Credentials(url, tokens(), http()));
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Berth.class.getPackage().getImplementationVersion();
            return new String[] {"berth " + (version == null ? "development" : version)};
        }
    }

    /**
     * The JVM's default TLS context ({@link SSLContext#getDefault()}: the JDK's trusted certificates,
     * {@code javax.net.ssl.*} settings), made when a connection first needs it rather than when the
     * HTTP client is built: making it reads and parses the JDK's ~140 trusted certificates, about 0.1 s
     * of a command's start, which a gateway and Keycloak on http:// never need. The client is given empty
     * {@link SSLParameters} with it, so building it asks the context nothing; each connection's engine
     * keeps the default context's protocols and cipher suites.
     */
    static final class TlsOnFirstUse extends SSLContext {
        TlsOnFirstUse() {
            super(new Spi(), null, "Default");
        }

        private static final class Spi extends SSLContextSpi {
            private SSLContext context;

            private synchronized SSLContext context() {
                if (context == null) {
                    try {
                        context = SSLContext.getDefault();
                    } catch (java.security.NoSuchAlgorithmException e) {
                        throw new IllegalStateException("no default TLS context", e);
                    }
                }
                return context;
            }

            @Override
            protected void engineInit(javax.net.ssl.KeyManager[] keys, javax.net.ssl.TrustManager[] trust,
                                      java.security.SecureRandom random) {
                throw new UnsupportedOperationException("the default TLS context is set up already");
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                return context().getSocketFactory();
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                return context().getServerSocketFactory();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                return context().createSSLEngine();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int port) {
                return context().createSSLEngine(host, port);
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                return context().getServerSessionContext();
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                return context().getClientSessionContext();
            }

            @Override
            protected SSLParameters engineGetDefaultSSLParameters() {
                return context().getDefaultSSLParameters();
            }

            @Override
            protected SSLParameters engineGetSupportedSSLParameters() {
                return context().getSupportedSSLParameters();
            }
        }
    }
}
