package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.json.JsonCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A small JSON-over-HTTP client for tests, as curl would be for a person. The static methods talk as
 * the realm's administrator (ada) once a cluster's gateway checks tokens, so suites about other things
 * need not think about authentication; {@link #as} talks as someone else, or as no one, and
 * {@link #asService} as Berth itself, for calls to a service's own endpoints (an agent's, the volume
 * service's, a scheduler's), which refuse people.
 */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Caller DEFAULT = new Caller(() -> SharedKeycloak.token(SharedKeycloak.User.ADA));

    private Http() {
    }

    /** Requests with {@code token}'s bearer token; a null token (or a null from the supplier) sends none. */
    public static Caller as(Supplier<String> token) {
        return new Caller(token);
    }

    /**
     * Requests as a Berth service identity (the berth-ops service account, realm role berth-service):
     * the only caller the services' own endpoints (agents, volume service, schedulers) answer.
     */
    public static Caller asService() {
        return as(SharedKeycloak.User.OPS);
    }

    public static Caller as(SharedKeycloak.User user) {
        return new Caller(() -> SharedKeycloak.token(user));
    }

    /** Requests without any Authorization header. */
    public static Caller anonymous() {
        return new Caller(() -> null);
    }

    /** The same requests as {@link Http}'s, with one caller's token. */
    public static final class Caller {
        private final Supplier<String> token;

        private Caller(Supplier<String> token) {
            this.token = token;
        }

        public Response get(String url) {
            return send(HttpRequest.newBuilder(URI.create(url)).GET());
        }

        public Response delete(String url) {
            return send(HttpRequest.newBuilder(URI.create(url)).DELETE());
        }

        public Response postJson(String url, String json) {
            return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)));
        }

        public Response putJson(String url, String json) {
            return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json)));
        }

        public Response patchJson(String url, String json) {
            return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
        }

        /** A POST without a body, as actions such as restart and drain take. */
        public Response post(String url) {
            return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()));
        }

        /** The header this caller sends, for clients of their own (the event stream). */
        public java.util.Optional<String> authorization() {
            String value = token.get();
            return value == null ? java.util.Optional.empty() : java.util.Optional.of("Bearer " + value);
        }

        private Response send(HttpRequest.Builder request) {
            authorization().ifPresent(header -> request.header("Authorization", header));
            return Http.send(request);
        }
    }

    public record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        /** The first value of a response header, or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public JsonNode json() {
            try {
                return JsonCodec.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    public static Response get(String url) {
        return DEFAULT.get(url);
    }

    public static Response delete(String url) {
        return DEFAULT.delete(url);
    }

    public static Response postJson(String url, String json) {
        return DEFAULT.postJson(url, json);
    }

    public static Response putJson(String url, String json) {
        return DEFAULT.putJson(url, json);
    }

    public static Response patchJson(String url, String json) {
        return DEFAULT.patchJson(url, json);
    }

    /** A POST without a body, as actions such as restart and drain take. */
    public static Response post(String url) {
        return DEFAULT.post(url);
    }

    /** The administrator's Authorization header, for clients of their own (the event stream). */
    public static String adminAuthorization() {
        return DEFAULT.authorization().orElseThrow();
    }

    private static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** True when something answers HTTP on the URL (any status). */
    public static boolean answers(String url) {
        try {
            CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
