package dev.berth.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import dev.berth.testkit.TestTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A reader of {@code GET /v1/events} over a real HTTP connection, as an EventSource would read it: each
 * SSE frame (fields up to a blank line) is parsed on a thread of its own and queued, so a test waits for
 * the next one with a deadline. Closing it hangs up.
 */
final class SseClient implements AutoCloseable {
    /** One SSE frame; {@code comments} are its {@code :} lines. */
    record Frame(String id, String event, String data, List<String> comments) {
        boolean isEvent() {
            return data != null;
        }
    }

    final HttpResponse<InputStream> response;
    /** The first frame: the gateway's note on where the stream starts (set by whoever waited for it). */
    Frame start;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        if (response.statusCode() == 200) {
            reader.start();
        }
    }

    /** Connects and returns once the answer's head has arrived (any status). */
    static SseClient open(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        if (!headers.containsKey("Authorization")) {
            request.header("Authorization", "Bearer " + TestTokens.admin());
        }
        headers.forEach(request::header);
        return new SseClient(HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** The next frame, comments and heartbeats included. */
    Frame nextFrame(Duration timeout) throws InterruptedException {
        Frame frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            throw new AssertionError("no SSE frame within " + timeout);
        }
        return frame;
    }

    /** The next event, past any comment-only frames (heartbeats, notes). */
    Frame nextEvent(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame frame = nextFrame(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame.isEvent()) {
                return frame;
            }
        }
    }

    /** The first frame that is a comment saying {@code text}, skipping others. */
    Frame nextCommentContaining(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame frame = nextFrame(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame.comments().stream().anyMatch(c -> c.contains(text))) {
                return frame;
            }
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            List<String> comments = new ArrayList<>();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (id != null || event != null || data != null || !comments.isEmpty()) {
                        frames.add(new Frame(id, event, data == null ? null : data.toString(), List.copyOf(comments)));
                    }
                    id = null;
                    event = null;
                    data = null;
                    comments.clear();
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> event = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> comments.add("unknown field " + field);
                    }
                }
            }
        } catch (IOException e) {
            // hung up
        }
    }

    @Override
    public void close() throws IOException {
        response.body().close();
    }
}
