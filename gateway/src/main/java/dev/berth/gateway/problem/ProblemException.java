package dev.berth.gateway.problem;

import dev.berth.contracts.app.FieldError;

import java.time.Duration;
import java.util.List;

/** Ends a request with a problem document. Thrown by resources; turned into a response in one place. */
public class ProblemException extends RuntimeException {
    private final Problem problem;
    private final Duration retryAfter;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    public ProblemException(Problem problem, Duration retryAfter) {
        super(problem.detail());
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    public Problem problem() {
        return problem;
    }

    /** When set, the response carries Retry-After: the failure is temporary. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** A 400 for refused query parameters, every one of them named under {@code errors}. */
    public static ProblemException invalidQuery(String slug, String title, List<FieldError> errors) {
        return new ProblemException(Problem.of(400, slug, title,
                errors.stream().map(FieldError::message).reduce((a, b) -> a + "; " + b).orElse(""))
                .withErrors(errors));
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(Problem.of(404, "not-found", "Not found", what));
    }
}
