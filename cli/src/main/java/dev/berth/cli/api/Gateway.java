package dev.berth.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import dev.berth.cli.output.Json;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gateway's {@code /v1} API over {@code java.net.http}: every request carries the caller's bearer
 * token, a refusal becomes a {@link CliFailure} carrying the {@link Problem}'s lines and exit code, and
 * a gateway that cannot be reached becomes exit code 5 with the address tried. Commands see JSON only.
 */
public final class Gateway {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private final String baseUrl;
    private final HttpClient http;
    private final Supplier<Optional<String>> bearer;

    public Gateway(String baseUrl, HttpClient http, Supplier<Optional<String>> bearer) {
        this.baseUrl = baseUrl;
        this.http = http;
        this.bearer = bearer;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** GET a path ({@code /v1/…}); the JSON of a 2xx answer, else the problem as a failure. */
    public JsonNode get(String path) {
        return expectOk(send("GET", path, null));
    }

    /** GET without turning a refusal into a failure, for callers that decide on the status (404 = absent). */
    public Answer getAnswer(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, JsonNode body) {
        return expectOk(send("POST", path, body));
    }

    public JsonNode put(String path, JsonNode body) {
        return expectOk(send("PUT", path, body));
    }

    public JsonNode patch(String path, JsonNode body) {
        return expectOk(send("PATCH", path, body));
    }

    public JsonNode delete(String path) {
        return expectOk(send("DELETE", path, null));
    }

    /**
     * Every item of a paged list (docs/api.md: follows {@code rel="next"} until there is none); the
     * list is the answer's {@code field}, or the answer itself when {@code field} is null.
     */
    public ArrayNode list(String path, String field) {
        ArrayNode all = Json.MAPPER.createArrayNode();
        String next = baseUrl + path;
        while (next != null) {
            Answer page = sendTo("GET", URI.create(next), null);
            JsonNode json = expectOk(page);
            (field == null ? json : json.path(field)).forEach(all::add);
            next = page.nextPage().orElse(null);
        }
        return all;
    }

    /**
     * GET a text answer and hand it on line by line as it arrives (a task's log, followed or not): the
     * gateway passes the log through without holding it whole, and so does this.
     */
    public void streamLines(String path, java.util.function.Consumer<String> line) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT).GET();
        bearer.get().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        try {
            HttpResponse<java.io.InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.BufferedReader reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                if (response.statusCode() / 100 != 2) {
                    String body = reader.lines().collect(java.util.stream.Collectors.joining("\n"));
                    throw Problem.of(new Answer(response.statusCode(), response.headers(), body)).failure(baseUrl);
                }
                String next;
                while ((next = reader.readLine()) != null) {
                    line.accept(next);
                }
            }
        } catch (HttpTimeoutException e) {
            throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, "the gateway at " + baseUrl + " did not answer GET "
                    + path + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, "interrupted");
        }
    }

    /** The request as is; only a failure to reach the gateway is turned into a {@link CliFailure}. */
    public Answer send(String method, String path, JsonNode body) {
        return sendTo(method, URI.create(baseUrl + path), body);
    }

    private Answer sendTo(String method, URI uri, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json, application/problem+json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        bearer.get().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw unreachable(e);
        } catch (HttpTimeoutException e) {
            throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT,
                    "the gateway at " + baseUrl + " did not answer " + method + " " + uri.getPath() + " within "
                            + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, "interrupted");
        }
    }

    private CliFailure unreachable(IOException cause) {
        String why = cause.getMessage() != null && !cause.getMessage().isBlank() ? cause.getMessage()
                : cause instanceof ConnectException ? "connection refused" : cause.getClass().getSimpleName();
        return new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT,
                "cannot connect to the gateway at " + baseUrl + " (" + why + "): is it running? "
                        + "Name another with --gateway URL or BERTH_GATEWAY");
    }

    private JsonNode expectOk(Answer answer) {
        if (!answer.ok()) {
            throw Problem.of(answer).failure(baseUrl);
        }
        return answer.json();
    }
}
