package dev.berth.router.haproxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A client of the router under test: requests to haproxy's port, answers read as "which task, which
 * path". Its cookie jar is the browser a session lives in; {@link #withHost} writes the Host header by
 * hand, which Java's client does not let a caller set.
 */
final class Through {
    /** What came back: the status, the task that answered (null for haproxy's own answers) and the path it saw. */
    record Answer(int status, String task, String path, String body) {
        static Answer of(int status, String body) {
            if (status != 200) {
                return new Answer(status, null, null, body);
            }
            String[] lines = body.split("\n", 2);
            return new Answer(status, lines[0], lines.length > 1 ? lines[1] : "", body);
        }
    }

    private final int port;
    private final HttpClient client;

    Through(int port) {
        this.port = port;
        this.client = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The same client (its cookie jar too) sending to another router. */
    Through onPort(int otherPort) {
        return new Through(otherPort, client);
    }

    private Through(int port, HttpClient client) {
        this.port = port;
        this.client = client;
    }

    Answer get(String path, String... headers) {
        try {
            HttpResponse<String> response = client.send(request(path, headers), HttpResponse.BodyHandlers.ofString());
            return Answer.of(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<Answer> getAsync(String path) {
        return client.sendAsync(request(path), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> Answer.of(response.statusCode(), response.body()));
    }

    private HttpRequest request(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return request.GET().build();
    }

    /** One HTTP/1.1 request with {@code host} as its Host header, on a connection of its own. */
    Answer withHost(String host, String path) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            return Answer.of(status, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
