package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.json.JsonCodec;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;


/**
 * A client of the gateway's {@code GET /v1/events} (Server-Sent Events), as {@code curl -N} would be:
 * it reads the stream on its own thread and keeps every event, in order, until closed.
 */
final class EventStream implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One SSE event: its id (the offset on berth.events), its event name (the type) and the CloudEvent. */
    record Event(long id, String type, JsonNode cloudEvent) {
    }

    private final List<Event> events = new ArrayList<>();
    private final Thread reader;
    private volatile Stream<String> lines;
    private volatile int status;

    /** Opens the stream at {@code url} as the administrator; {@code lastEventId} (null: none) resumes after that event. */
    EventStream(String url, String lastEventId) {
        this(url, lastEventId, Http.adminAuthorization());
    }

    /** Opens the stream with this Authorization header (null: none). */
    EventStream(String url, String lastEventId, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response;
        try {
            response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        status = response.statusCode();
        lines = response.body();
        reader = new Thread(this::read, "event-stream");
        reader.setDaemon(true);
        reader.start();
    }

    int status() {
        return status;
    }

    private void read() {
        String id = null;
        String type = null;
        StringBuilder data = new StringBuilder();
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (id != null && data.length() > 0) {
                        Event event = new Event(Long.parseLong(id), type,
                                JsonCodec.mapper().readTree(data.toString()));
                        synchronized (events) {
                            events.add(event);
                        }
                    }
                    id = null;
                    type = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    type = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            // the stream was closed (by us, or the gateway went away)
        }
    }

    List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Waits for an event matching {@code wanted} and returns the first such. */
    Event awaitEvent(String what, Predicate<Event> wanted, Duration timeout) {
        return Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> events().stream().filter(wanted).findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    @Override
    public void close() {
        Stream<String> open = lines;
        if (open != null) {
            open.close();
        }
    }
}
