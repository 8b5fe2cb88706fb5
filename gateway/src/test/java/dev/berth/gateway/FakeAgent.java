package dev.berth.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Stands in for a node agent's {@code GET /v1/agent/tasks/{id}/logs}, on a free loopback port, so the
 * gateway's proxy can be tested alone: each task id is given an answer (a log, a problem, a log that
 * is followed, or silence), and every request it receives is kept. Like the real agent's door, it
 * answers 401 to a request without a Berth service identity (a bearer token whose realm roles hold
 * berth-service; the signature is the gateway's unit tests' concern, not this fake's), and keeps
 * the tokens it was shown.
 */
final class FakeAgent implements AutoCloseable {
    private static final String PREFIX = "/v1/agent/tasks/";
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    final List<URI> requests = new CopyOnWriteArrayList<>();
    /** The claims of every bearer token the agent was shown, in order. */
    final List<JsonNode> tokens = new CopyOnWriteArrayList<>();

    private interface Answer {
        void send(HttpExchange exchange) throws IOException;
    }

    FakeAgent() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // A followed log holds its thread, so each request gets one.
        server.setExecutor(threads);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The task's log is {@code text}, sent whole. */
    void log(String taskId, String text) {
        answers.put(taskId, exchange -> {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    /** The agent answers with a problem document, as the real one does for an unknown task. */
    void problem(String taskId, int status, String detail) {
        answers.put(taskId, exchange -> {
            byte[] bytes = ("{\"type\": \"about:blank\", \"status\": " + status + ", \"detail\": \"" + detail + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    /** The agent starts the log, promising more, and drops the connection after {@code firstPart}. */
    void breakOff(String taskId, String firstPart) {
        answers.put(taskId, exchange -> {
            byte[] bytes = firstPart.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length + 1000);
            OutputStream out = exchange.getResponseBody();
            out.write(bytes);
            out.flush();
            // Closing short of the promised length makes the server drop the connection.
            exchange.close();
        });
    }

    /** The agent takes the request and never answers. */
    void silent(String taskId) {
        answers.put(taskId, exchange -> {
            try {
                new CountDownLatch(1).await(); // held until close() interrupts it: silence is what is tested
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A followed log: chunked, each line written when the test says, until the reader goes away. */
    FollowedLog follow(String taskId) {
        FollowedLog log = new FollowedLog();
        answers.put(taskId, log::serve);
        return log;
    }

    static final class FollowedLog {
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private volatile boolean readerGone;

        void write(String line) {
            lines.add(line);
        }

        /** True once a write to the gateway failed: it closed the connection (seen only on a write). */
        boolean readerGone() {
            return readerGone;
        }

        private void serve(HttpExchange exchange) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                while (true) {
                    out.write(lines.take().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException closed) {
                readerGone = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestURI());
        if (!presentsServiceIdentity(exchange.getRequestHeaders().getFirst("Authorization"))) {
            byte[] bytes = "{\"status\": 401, \"detail\": \"send a Berth service identity\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(401, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            return;
        }
        String path = exchange.getRequestURI().getPath();
        String taskId = path.substring(PREFIX.length(), path.length() - "/logs".length());
        Answer answer = answers.get(taskId);
        if (answer == null) {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
            return;
        }
        answer.send(exchange);
    }

    private boolean presentsServiceIdentity(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        try {
            String payload = authorization.substring("Bearer ".length()).split("\\.")[1];
            JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(payload));
            tokens.add(claims);
            for (JsonNode role : claims.path("realm_access").path("roles")) {
                if (role.asText().equals("berth-service")) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException notAJwt) {
            return false;
        }
    }

    /** The last request for the task's log, as the agent received it. */
    URI lastRequestFor(String taskId) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (requests.get(i).getPath().equals(PREFIX + taskId + "/logs")) {
                return requests.get(i);
            }
        }
        throw new AssertionError("the agent was never asked for the log of " + taskId + "; it saw " + requests);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
