package dev.berth.cli;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the gateway in unit tests of the commands: it answers each "METHOD path?query" it was
 * given with that JSON (404 problem otherwise) and keeps what it was asked, so a test sees both what a
 * command printed and what it requested. The real gateway is CliIT's.
 */
final class StubGateway implements AutoCloseable {
    /** What one command line printed and returned. */
    record Run(int exit, String out, String err) {
    }

    private final HttpServer server;
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    final List<String> asked = new CopyOnWriteArrayList<>();

    StubGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String request = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            asked.add(request);
            String body = answers.get(request);
            int status = body == null ? 404 : statuses.getOrDefault(request, 200);
            byte[] bytes = (body != null ? body : "{\"title\": \"Not found\", \"status\": 404, \"detail\": \"no stub for "
                    + request + "\"}").getBytes(StandardCharsets.UTF_8);
            boolean text = request.contains("/logs");
            exchange.getResponseHeaders().add("Content-Type", body == null ? "application/problem+json"
                    : text ? "text/plain" : "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    StubGateway answer(String request, String body) {
        answers.put(request, body);
        return this;
    }

    StubGateway answer(String request, int status, String body) {
        statuses.put(request, status);
        return answer(request, body);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Runs a command line against this stub, with no login (a config directory of its own). */
    Run run(Path config, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Berth.run(args, Map.of("BERTH_GATEWAY", url(), "BERTH_CONFIG_DIR", config.toString()),
                new PrintWriter(out), new PrintWriter(err), false);
        return new Run(exit, out.toString(), err.toString());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
