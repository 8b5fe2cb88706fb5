package dev.berth.router.haproxy;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Small HTTP servers standing for an app's tasks: each answers with its own name and the path it was
 * asked for, so a test sees where a request went and what it looked like on arrival. A path ending in
 * {@code /slow} is held open until the test calls {@link #releaseSlow()}, to have a request in
 * flight for exactly as long as the test needs one.
 */
final class TaskServers implements AutoCloseable {
    static {
        // The JDK's server writes a response's headers and body apart; with Nagle's algorithm on, the
        // body then waits for haproxy's delayed ACK, some 40 ms a request. Read once, at its first use.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** One task: its name, port, and the requests it is serving now. */
    record Task(String name, int port, AtomicInteger inFlight) {
        HaproxyServer server() {
            return new HaproxyServer(name, "127.0.0.1", port, false);
        }

        HaproxyServer draining() {
            return new HaproxyServer(name, "127.0.0.1", port, true);
        }
    }

    private final Map<String, HttpServer> servers = new LinkedHashMap<>();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final java.util.concurrent.CountDownLatch slowGate = new java.util.concurrent.CountDownLatch(1);

    /** Lets every {@code /slow} request held so far (and any later one) answer. */
    void releaseSlow() {
        slowGate.countDown();
    }

    Task start(String name) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            AtomicInteger inFlight = new AtomicInteger();
            server.createContext("/", exchange -> {
                inFlight.incrementAndGet();
                try {
                    String path = exchange.getRequestURI().getRawPath();
                    if (path.endsWith("/slow")) {
                        // Bounded, so a test that fails before releasing it leaves no request hanging.
                        slowGate.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    byte[] body = (name + "\n" + exchange.getRequestURI().getRawPath()
                            + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()))
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    exchange.close();
                    inFlight.decrementAndGet();
                }
            });
            server.setExecutor(executor);
            server.start();
            servers.put(name, server);
            return new Task(name, server.getAddress().getPort(), inFlight);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Task> start(String... names) {
        List<Task> tasks = new ArrayList<>();
        for (String name : names) {
            tasks.add(start(name));
        }
        return tasks;
    }

    @Override
    public void close() {
        servers.values().forEach(server -> server.stop(0));
        executor.shutdownNow();
    }
}
