package dev.berth.agent.health;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET http://host:port/path}: an answer of 200–399 passes (redirects are not followed, as in
 * Marathon). Asynchronous: a thousand tasks' probes share the client's few threads.
 */
final class HttpProbe implements Probe {
    private final HttpClient client;
    private final URI uri;
    private final int timeoutSeconds;
    private final String description;

    HttpProbe(HttpClient client, URI uri, int timeoutSeconds, String description) {
        this.client = client;
        this.uri = uri;
        this.timeoutSeconds = timeoutSeconds;
        this.description = description;
    }

    @Override
    public CompletableFuture<ProbeResult> run() {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(timeoutSeconds)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenApply(response -> {
                    int status = response.statusCode();
                    return status >= 200 && status < 400 ? ProbeResult.pass("HTTP " + status)
                            : ProbeResult.fail("HTTP " + status);
                })
                // The request timeout covers the wait for the answer's head; this one also covers a
                // body that never ends.
                .orTimeout(timeoutSeconds, TimeUnit.SECONDS)
                .exceptionally(this::failure);
    }

    @Override
    public String description() {
        return description;
    }

    private ProbeResult failure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return ProbeResult.timedOut(timeoutSeconds);
        }
        if (cause instanceof ConnectException) {
            return ProbeResult.fail("connection refused");
        }
        String message = cause.getMessage();
        return ProbeResult.fail(message == null || message.isBlank() ? cause.getClass().getSimpleName() : message);
    }
}
