package dev.berth.cli.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The path of one thing of the API by its typed id ({@code /v1/nodes/node-1}), the id encoded as one
 * segment so that an odd character ("/", "?", "..") can never reach another endpoint. Apps, whose
 * ids are themselves paths, have {@code AppPath}.
 */
public final class ApiPath {
    private ApiPath() {
    }

    /** {@code /v1/{collection}/{id}{suffix}}, e.g. {@code of("tasks", id, "/logs")}. */
    public static String of(String collection, String id, String suffix) {
        return "/v1/" + collection + "/" + segment(id) + suffix;
    }

    /** One typed value as one path segment: "db-1" stays, "a/b" becomes "a%2Fb". */
    public static String segment(String value) {
        return URLEncoder.encode(value.strip(), StandardCharsets.UTF_8).replace("+", "%20");
    }
}
