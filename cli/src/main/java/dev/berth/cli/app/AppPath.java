package dev.berth.cli.app;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An app id as the API's paths take it: the id is itself a path ({@code /team-a/web} is
 * {@code /v1/apps/team-a/web}), typed with or without its leading slash; each segment is encoded so
 * an odd character can never reach another endpoint.
 */
public final class AppPath {
    private AppPath() {
    }

    /** {@code /team-a/web} for {@code team-a/web} or {@code /team-a/web}. */
    public static String id(String typed) {
        String trimmed = typed.strip();
        return trimmed.startsWith("/") ? trimmed : "/" + trimmed;
    }

    /** {@code /v1/apps/team-a/web}, and {@code suffix} after it. */
    public static String of(String typed, String suffix) {
        String segments = Arrays.stream(id(typed).substring(1).split("/"))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
        return "/v1/apps/" + segments + suffix;
    }

    public static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
