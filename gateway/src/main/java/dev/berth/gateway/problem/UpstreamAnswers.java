package dev.berth.gateway.problem;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.json.JsonCodec;
import io.vertx.mutiny.core.buffer.Buffer;

/**
 * How the gateway words what an internal service (a node agent, the volume service) answered or
 * failed to answer, so every proxied call turns its failures into the same kind of detail.
 */
public final class UpstreamAnswers {
    /** How much of a service's error answer is kept for the detail. */
    private static final int MAX_DETAIL = 300;

    private UpstreamAnswers() {
    }

    /** The {@code detail} of the service's problem document, or the start of whatever else it sent. */
    public static String detailOf(Buffer body) {
        String text = body == null ? "" : body.toString();
        try {
            JsonNode json = JsonCodec.mapper().readTree(text);
            if (json != null && json.hasNonNull("detail")) {
                text = json.get("detail").asText();
            }
        } catch (Exception notJson) {
            // Not a problem document (a proxy's HTML page, say): show its start as it is.
        }
        text = text.strip();
        if (text.isEmpty()) {
            return "(no detail)";
        }
        return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "…" : text;
    }

    /** An exception's message, or its kind when it has none (a bare timeout, a refused connection). */
    public static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    public static ProblemException problem(int status, String slug, String title, String detail) {
        return new ProblemException(Problem.of(status, slug, title, detail));
    }
}
