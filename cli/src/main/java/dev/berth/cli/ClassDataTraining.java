package dev.berth.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.cli.login.Login;
import dev.berth.cli.login.TokenCache;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * The run the build records a class-data archive from ({@code cli/target/berth-cli.jsa}, made with
 * {@code -XX:ArchiveClassesAtExit}; bin/berth starts with it). Without it a command spends much of
 * its start loading and verifying classes — picocli, Jackson, the HTTP client — and only classes this
 * run loads are in the archive, so it goes the whole way a command goes: a logged-in {@code app list} (table and
 * {@code -o json}) against a stand-in gateway on a loopback port that answers like the real one (the
 * HTTP client's response path, the token sent, the JSON read), a request to a closed port (the
 * "cannot connect" path), and a command's help. The build needs no gateway. Not a command: nothing a
 * person runs.
 */
public final class ClassDataTraining {
    /** {@code GET /v1/apps} of the local run with one app, as the gateway answers it (2026-12-07). */
    private static final String APPS = """
            {"apps":[{"id":"/team-a/bench-0","cmd":"sleep 600","instances":1,"cpus":0.1,"mem":32.0,"disk":0.0,\
            "env":{},"labels":{"bench":"cli-start"},"portDefinitions":[{"port":0,"protocol":"tcp","labels":{}}],\
            "container":{"type":"MESOS"},"constraints":[],"affinity":[],"backoffSeconds":1.0,"backoffFactor":1.15,\
            "maxLaunchDelaySeconds":300.0,"taskKillGracePeriodSeconds":3,"killSelection":"YOUNGEST_FIRST",\
            "healthChecks":[],"isolation":{"network":"HOST","enforceDisk":false,"filesystem":"OPTIONAL"},\
            "unreachableStrategy":{},"upgradeStrategy":{"minimumHealthCapacity":1.0,"maximumOverCapacity":1.0,\
            "canary":0,"autoPromote":true,"autoRollback":false,"progressDeadlineSeconds":600},"version":1,\
            "status":"RUNNING","tasksRunning":1,"tasksHealthy":0,"tasksUnhealthy":0,"tasksStaged":0,\
            "tasks":[{"id":"team-a_bench-0.01a2510f-d15e-7ba8-b695-8620d5eb5ff8","appId":"/team-a/bench-0",\
            "instance":0,"appVersion":1,"node":"node-1","host":"127.0.0.1","ports":[31000],\
            "portAssignments":[{"port":31000}],"state":"RUNNING","desired":"RUN","healthCheckResults":[],\
            "volumes":[],"launchedAt":"2026-12-07T15:12:00.832296538Z","runningSince":"2026-12-07T15:12:01.924582649Z",\
            "restarts":0}],"waiting":0,"unplaced":{},"volumes":[],"lastTaskFailure":null,"failuresInARow":0}]}""";

    private ClassDataTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path config = Files.createTempDirectory("berth-cds-");
        HttpServer gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gateway.createContext("/v1/apps", ClassDataTraining::answerApps);
        gateway.start();
        try {
            // By name, as the default gateway (http://localhost:8080) is: the name lookup is archived too.
            String url = "http://localhost:" + gateway.getAddress().getPort();
            long inAnHour = Instant.now().getEpochSecond() + 3600;
            new TokenCache(config).write(url, new Login(Login.Grant.PASSWORD, "http://kc/realms/berth", "http://kc/token",
                    null, "berth-cli", null, "token", inAnHour, "refresh", inAnHour));
            Map<String, String> env = Map.of("BERTH_CONFIG_DIR", config.toString(), "BERTH_GATEWAY", url);
            PrintWriter quiet = new PrintWriter(Writer.nullWriter());
            Berth.run(new String[] {"app", "list"}, env, quiet, quiet, true);
            Berth.run(new String[] {"app", "list", "-o", "json"}, env, quiet, quiet, false);
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            Berth.run(new String[] {"app", "list", "--gateway", "http://127.0.0.1:" + closed}, env, quiet, quiet, false);
            Berth.run(new String[] {"app", "deploy", "--help"}, Map.of(), quiet, quiet, false);
        } finally {
            gateway.stop(0);
            try (var files = Files.walk(config)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void answerApps(HttpExchange exchange) throws IOException {
        byte[] body = APPS.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json;charset=UTF-8");
        exchange.getResponseHeaders().add("X-Total-Count", "1");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
