package dev.berth.gateway.apps;

import dev.berth.contracts.app.FieldError;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code If-Match} of a PUT: the app version the client read (its ETag). Lenient in what it takes,
 * {@code "3"}, {@code 3} or the weak {@code W/"3"} (proxies weaken ETags), since all can only mean
 * version 3; {@code *} or no header means "whatever version", an unconditional update.
 */
public final class IfMatch {
    private static final Pattern VERSION = Pattern.compile("(?:W/)?(\"?)([0-9]{1,18})\\1");

    private IfMatch() {
    }

    /** The version expected, or null for none; 400 for anything else (several ETags included). */
    public static Long parse(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        Matcher m = VERSION.matcher(header.trim());
        if (!m.matches() || Long.parseLong(m.group(2)) < 1) {
            FieldError error = new FieldError("If-Match", "If-Match must be the app's ETag, one version such as "
                    + "\"3\" (as GET /v1/apps/{id} gives it), or * for any; was '" + header + "'");
            throw new ProblemException(Problem.of(400, "invalid-if-match", "Invalid If-Match", error.message())
                    .withErrors(List.of(error)));
        }
        return Long.parseLong(m.group(2));
    }
}
