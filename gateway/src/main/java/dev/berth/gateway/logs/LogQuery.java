package dev.berth.gateway.logs;

import dev.berth.contracts.app.FieldError;

import java.util.ArrayList;
import java.util.List;

/**
 * What part of a task's log is asked for: which stream, how many lines from its end, and whether to
 * keep following it. Checked here, so a bad request is refused with every reason before any agent is
 * asked, and always passed on in full, so the answer does not depend on an agent's defaults.
 *
 * @param stream "stdout" or "stderr"
 * @param tail   lines from the end to start with (0: only what is written from now on)
 * @param follow keep the answer open and pass on what the task writes next
 */
public record LogQuery(String stream, int tail, boolean follow) {
    public static final List<String> STREAMS = List.of("stdout", "stderr");
    public static final int DEFAULT_TAIL = 100;
    /** Enough for any screen or pager; a whole log is better fetched from the sandbox. */
    public static final int MAX_TAIL = 10_000;

    public sealed interface Result {
    }

    public record Valid(LogQuery query) implements Result {
    }

    public record Invalid(List<FieldError> errors) implements Result {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    /** Reads the query parameters as given (null when absent). */
    public static Result parse(String stream, String tail, String follow) {
        List<FieldError> errors = new ArrayList<>();
        String s = stream == null ? "stdout" : stream;
        if (!STREAMS.contains(s)) {
            errors.add(new FieldError("stream", "stream must be stdout or stderr, was '" + stream + "'"));
        }
        int lines = DEFAULT_TAIL;
        if (tail != null) {
            try {
                lines = Integer.parseInt(tail.trim());
            } catch (NumberFormatException e) {
                lines = -1;
            }
            if (lines < 0 || lines > MAX_TAIL) {
                errors.add(new FieldError("tail", "tail must be a whole number of lines from 0 to " + MAX_TAIL
                        + ", was '" + tail + "'"));
            }
        }
        boolean following = false;
        if (follow != null) {
            if (follow.equalsIgnoreCase("true") || follow.equalsIgnoreCase("false")) {
                following = Boolean.parseBoolean(follow);
            } else {
                errors.add(new FieldError("follow", "follow must be true or false, was '" + follow + "'"));
            }
        }
        return errors.isEmpty() ? new Valid(new LogQuery(s, lines, following)) : new Invalid(errors);
    }

    /** The same query for the agent's {@code /v1/agent/tasks/{id}/logs}. */
    public String toQueryString() {
        return "stream=" + stream + "&tail=" + tail + "&follow=" + follow;
    }
}
