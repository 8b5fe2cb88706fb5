package dev.berth.gateway.apps;

import dev.berth.gateway.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IfMatchTest {

    @ParameterizedTest
    @ValueSource(strings = {"\"3\"", "3", "W/\"3\"", " \"3\" "})
    void aVersionIsTakenQuotedBareOrWeak(String header) {
        assertEquals(3L, IfMatch.parse(header));
    }

    @Test
    void noHeaderOrAStarMeansAnyVersion() {
        assertNull(IfMatch.parse(null));
        assertNull(IfMatch.parse(""));
        assertNull(IfMatch.parse("*"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "\"3\", \"4\"", "0", "-1", "\"3", "3\"", "W/3x", "99999999999999999999", "w/\"3\""})
    void anythingElseIs400NamingTheHeader(String header) {
        ProblemException refused = assertThrows(ProblemException.class, () -> IfMatch.parse(header));
        assertEquals(400, refused.problem().status());
        assertEquals("If-Match", refused.problem().errors().get(0).field());
    }
}
