package dev.berth.cli.api;

import dev.berth.cli.ExitCode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProblemTest {
    private static Answer answer(int status, String body) {
        return new Answer(status, HttpHeaders.of(Map.of(), (a, b) -> true), body);
    }

    @Test
    void printsTheTitleAndDetailThenEachFieldErrorOnItsOwnLine() {
        Problem problem = Problem.of(answer(422, """
                {"type": "https://berth.dev/problems/invalid-app", "title": "Invalid app definition", "status": 422,
                 "detail": "2 fields were refused",
                 "errors": [{"field": "cpus", "message": "must be more than 0"},
                            {"field": "mem", "message": "must be at least 1 MiB"}]}"""));

        assertEquals(List.of("Invalid app definition: 2 fields were refused",
                "  cpus: must be more than 0", "  mem: must be at least 1 MiB"), problem.lines());
    }

    @Test
    void anAnswerThatIsNoProblemStillSaysItsStatus() {
        Problem problem = Problem.of(answer(502, "<html>bad gateway</html>"));

        assertEquals(List.of("HTTP 502: <html>bad gateway</html>"), problem.lines());
    }

    @Test
    void eachStatusHasItsExitCode() {
        assertEquals(ExitCode.REFUSED, Problem.of(answer(400, "")).exitCode());
        assertEquals(ExitCode.REFUSED, Problem.of(answer(403, "")).exitCode());
        assertEquals(ExitCode.REFUSED, Problem.of(answer(409, "")).exitCode());
        assertEquals(ExitCode.REFUSED, Problem.of(answer(422, "")).exitCode());
        assertEquals(ExitCode.NOT_FOUND, Problem.of(answer(404, "")).exitCode());
        assertEquals(ExitCode.FAILED_OR_TIMED_OUT, Problem.of(answer(504, "")).exitCode());
        assertEquals(ExitCode.UNREACHABLE_OR_LOGGED_OUT, Problem.of(answer(401, "")).exitCode());
        assertEquals(ExitCode.UNREACHABLE_OR_LOGGED_OUT, Problem.of(answer(503, "")).exitCode());
    }

    @Test
    void aMissingLoginSaysHowToLogIn() {
        List<String> lines = Problem.of(answer(401, "{\"title\": \"Unauthenticated\", \"detail\": \"send a token\"}"))
                .failure("http://gw:8080").lines();

        assertTrue(lines.get(lines.size() - 1).contains("berth login --gateway http://gw:8080"), lines.toString());
    }

    @Test
    void theNextPageComesFromTheLinkHeader() {
        Answer page = new Answer(200, HttpHeaders.of(Map.of("Link", List.of(
                "<http://gw/v1/apps?offset=0&limit=2>; rel=\"prev\", <http://gw/v1/apps?offset=4&limit=2>; rel=\"next\"")),
                (a, b) -> true), "{}");

        assertEquals("http://gw/v1/apps?offset=4&limit=2", page.nextPage().orElseThrow());
    }
}
