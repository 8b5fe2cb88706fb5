package dev.berth.cli;

import dev.berth.cli.login.Login;
import dev.berth.cli.login.TokenCache;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.Table;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The run the build records a class-data archive from ({@code cli/target/berth-cli.jsa}, made with
 * {@code -XX:ArchiveClassesAtExit}; bin/berth starts with it). Most of a command's start is loading
 * and verifying classes — picocli, Jackson, the HTTP client — so this touches what a command touches:
 * parsing the command line, a token file, JSON, a table, and a request (to a closed port, so the build
 * needs no gateway). Not a command: nothing a person runs.
 */
public final class ClassDataTraining {
    private ClassDataTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path config = Files.createTempDirectory("berth-cds-");
        try {
            TokenCache cache = new TokenCache(config);
            cache.write("http://127.0.0.1:1", new Login(Login.Grant.PASSWORD, "http://kc/realms/berth", "http://kc/token",
                    null, "berth-cli", null, "token", 1, null, 0));
            cache.read("http://127.0.0.1:1");
            var apps = Json.MAPPER.readTree("[{\"id\": \"/team-a/web\", \"status\": \"RUNNING\", \"instances\": 1}]");
            Table.of("ID", "STATUS").statusColumn("STATUS").row(apps.path(0).path("id").asText(), "RUNNING").render(100, true);
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            PrintWriter quiet = new PrintWriter(Writer.nullWriter());
            Berth.run(new String[] {"app", "list", "--gateway", "http://127.0.0.1:" + closed}, Map.of("BERTH_CONFIG_DIR",
                    config.toString()), quiet, quiet, false);
            Berth.run(new String[] {"app", "deploy", "--help"}, Map.of(), quiet, quiet, false);
        } finally {
            try (var files = Files.walk(config)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
