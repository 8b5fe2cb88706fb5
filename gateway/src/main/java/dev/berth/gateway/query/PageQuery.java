package dev.berth.gateway.query;

import dev.berth.contracts.app.FieldError;
import dev.berth.gateway.problem.ProblemException;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ?limit=} and {@code ?offset=} of every list, and the page they select as the answer.
 * The body keeps each list's shape ({@code {"apps": [...]}}) so clients that read the whole list
 * keep working; the page is told in headers instead: {@code X-Total-Count} (items matching the
 * filters, across all pages) and an RFC 8288 {@code Link} with {@code rel="next"} and
 * {@code rel="prev"} where there is such a page. Taken as a {@code @BeanParam} by each list.
 */
public class PageQuery {
    public static final int DEFAULT_LIMIT = 100;
    // Bounds what one request makes the gateway serialise: a caller wanting everything pages through it.
    public static final int MAX_LIMIT = 1000;
    public static final String TOTAL_COUNT = "X-Total-Count";

    @QueryParam("limit")
    String limit;

    @QueryParam("offset")
    String offset;

    @Context
    UriInfo uri;

    /**
     * The page of {@code all} (already filtered, in a stable order: the caller's by id) as
     * {@code {key: [...]}} with the paging headers; 400 for a bad {@code limit} or {@code offset}.
     */
    public <T> RestResponse<Map<String, List<T>>> respond(String key, List<T> all) {
        List<FieldError> errors = new ArrayList<>();
        int size = parse("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT, errors);
        int from = parse("offset", offset, 0, 0, Integer.MAX_VALUE, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidQuery("invalid-page", "Invalid page", errors);
        }
        int total = all.size();
        List<T> page = all.subList(Math.min(from, total), (int) Math.min((long) from + size, total));
        RestResponse.ResponseBuilder<Map<String, List<T>>> response = RestResponse.ResponseBuilder
                .ok(Map.of(key, page)).header(TOTAL_COUNT, total);
        List<String> links = new ArrayList<>();
        if ((long) from + size < total) {
            links.add(link(from + size, size, "next"));
        }
        if (from > 0) {
            links.add(link(Math.max(0, Math.min(from, total) - size), size, "prev"));
        }
        if (!links.isEmpty()) {
            response.header("Link", String.join(", ", links));
        }
        return response.build();
    }

    /** The same request (its filters kept) at another offset. */
    private String link(int at, int size, String rel) {
        return "<" + uri.getRequestUriBuilder().replaceQueryParam("offset", at).replaceQueryParam("limit", size)
                .build() + ">; rel=\"" + rel + "\"";
    }

    private static int parse(String name, String raw, int absent, int min, int max, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) {
            return absent;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // a word, a fraction or a number beyond int: refused below like one out of range
        }
        errors.add(new FieldError(name, name + " must be a whole number from " + min + " to " + max
                + ", was '" + raw + "'"));
        return absent;
    }
}
