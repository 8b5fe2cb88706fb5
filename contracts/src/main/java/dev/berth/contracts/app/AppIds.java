package dev.berth.contracts.app;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * App ids are Marathon path ids: {@code /group/sub/app}, segments of lowercase letters, digits,
 * hyphens and dots. An id without a leading slash is taken from the root, as Marathon does.
 */
public final class AppIds {
    // Marathon's segment rule: dot-separated labels that start and end alphanumeric.
    private static final Pattern SEGMENT =
            Pattern.compile("^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$");
    private static final int MAX_LENGTH = 255;

    private AppIds() {
    }

    /** The absolute form of {@code raw}, or a reason it is not a valid app id. */
    public static Result normalize(String raw) {
        if (raw == null || raw.isBlank()) {
            return new Result(null, "an app id is required, e.g. \"/team-a/web\"");
        }
        String id = raw.startsWith("/") ? raw : "/" + raw;
        if (id.endsWith("/") && id.length() > 1) {
            id = id.substring(0, id.length() - 1);
        }
        if (id.length() > MAX_LENGTH) {
            return new Result(null, "an app id has at most " + MAX_LENGTH + " characters");
        }
        String[] segments = id.substring(1).split("/", -1);
        if (segments.length == 1 && segments[0].isEmpty()) {
            return new Result(null, "the root \"/\" is a group, not an app id");
        }
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                return new Result(null, "'" + segment + "' is not a valid path segment: use lowercase letters, "
                        + "digits, '-' and '.', starting and ending with a letter or digit");
            }
        }
        return new Result(id, null);
    }

    /** The team of an app: the first segment of its id, or empty for an app at the root. */
    public static String team(String id) {
        String[] segments = id.substring(1).split("/");
        return segments.length > 1 ? segments[0] : "";
    }

    /** A valid normalized id, or the reason why not. */
    public record Result(String id, String error) {
        public Optional<String> valid() {
            return Optional.ofNullable(id);
        }
    }
}
