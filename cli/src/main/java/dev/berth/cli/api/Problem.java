package dev.berth.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;

import java.util.ArrayList;
import java.util.List;

/**
 * A refusal of the gateway (RFC 7807 problem+json, docs/api.md) as a person reads it: the title and
 * the detail, then each refused field on its own line; and the exit code its status means. An answer
 * that is no problem document (a proxy's page) still says its status, so nothing is swallowed.
 */
public record Problem(int status, String title, String detail, List<FieldError> errors) {
    /** One entry of the problem's {@code errors}: a field and why it was refused. */
    public record FieldError(String field, String message) {
    }

    public static Problem of(Answer answer) {
        JsonNode json = answer.json();
        String title = json.path("title").asText("");
        String detail = json.path("detail").asText("");
        if (title.isEmpty() && detail.isEmpty()) {
            title = "HTTP " + answer.status();
            String body = answer.body() == null ? "" : answer.body().strip();
            detail = body.length() > 200 ? body.substring(0, 200) + "..." : body;
        }
        List<FieldError> errors = new ArrayList<>();
        for (JsonNode error : json.path("errors")) {
            errors.add(new FieldError(error.path("field").asText(""), error.path("message").asText("")));
        }
        return new Problem(answer.status(), title, detail, List.copyOf(errors));
    }

    /** What to print: "title: detail", then "  field: message" for each refused field. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(detail.isEmpty() ? title : title + ": " + detail);
        for (FieldError error : errors) {
            lines.add("  " + (error.field().isEmpty() ? "" : error.field() + ": ") + error.message());
        }
        return lines;
    }

    /**
     * The exit code of a refusal: 3 for what is not there (another team's app is 404 too), 5 for a
     * missing or stale login (401) and a part of Berth that cannot be reached (502, 503), 4 for one
     * that did not answer in time (504), and 2 for everything else the API refused.
     */
    public ExitCode exitCode() {
        if (status == 404 || status == 410) {
            return ExitCode.NOT_FOUND;
        }
        if (status == 401 || status == 502 || status == 503) {
            return ExitCode.UNREACHABLE_OR_LOGGED_OUT;
        }
        if (status == 408 || status == 504) {
            return ExitCode.FAILED_OR_TIMED_OUT;
        }
        return ExitCode.REFUSED;
    }

    /** This problem as the failure a command stops with; a 401 also says how to log in. */
    public CliFailure failure(String gatewayUrl) {
        List<String> lines = new ArrayList<>(lines());
        if (status == 401) {
            lines.add("log in first: berth login --gateway " + gatewayUrl);
        }
        return new CliFailure(exitCode(), lines);
    }
}
