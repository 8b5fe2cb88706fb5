package dev.berth.gateway.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.app.FieldError;

import java.util.List;

/**
 * An RFC 7807 problem document, the body of every error the API returns
 * ({@code application/problem+json}). {@code errors} lists refused fields, when there are any.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
                      List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String BASE = "https://berth.dev/problems/";

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem(BASE + slug, title, status, detail, null, null);
    }

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, errors);
    }

    public Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(type, title, status, detail, instance, List.copyOf(fieldErrors));
    }
}
