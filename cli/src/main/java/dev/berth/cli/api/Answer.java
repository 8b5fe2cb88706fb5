package dev.berth.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.berth.cli.output.Json;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One answer of the gateway, as received: status, headers and body (JSON or not). */
public record Answer(int status, HttpHeaders headers, String body) {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The body as JSON, or a missing node when it is none (an empty body, an HTML error page). */
    public JsonNode json() {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** The {@code rel="next"} page of a list ({@code Link}, RFC 8288), if there is more. */
    public Optional<String> nextPage() {
        for (String link : headers.allValues("Link")) {
            Matcher next = NEXT.matcher(link);
            if (next.find()) {
                return Optional.of(next.group(1));
            }
        }
        return Optional.empty();
    }
}
