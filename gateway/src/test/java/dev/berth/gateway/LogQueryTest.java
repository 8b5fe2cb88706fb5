package dev.berth.gateway;

import dev.berth.contracts.app.FieldError;
import dev.berth.gateway.logs.LogQuery;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class LogQueryTest {

    @Test
    void withoutParametersAsksForTheLastHundredLinesOfStdoutOnce() {
        LogQuery query = assertInstanceOf(LogQuery.Valid.class, LogQuery.parse(null, null, null)).query();

        assertEquals(new LogQuery("stdout", 100, false), query);
        assertEquals("stream=stdout&tail=100&follow=false", query.toQueryString());
    }

    @Test
    void acceptsEachStreamAnyTailUpToTheLimitAndFollow() {
        assertEquals(new LogQuery("stderr", 0, true),
                assertInstanceOf(LogQuery.Valid.class, LogQuery.parse("stderr", "0", "true")).query());
        assertEquals(new LogQuery("stdout", LogQuery.MAX_TAIL, false),
                assertInstanceOf(LogQuery.Valid.class, LogQuery.parse("stdout", "10000", "FALSE")).query());
    }

    @Test
    void refusesEveryBadParameterByName() {
        List<FieldError> errors = assertInstanceOf(LogQuery.Invalid.class,
                LogQuery.parse("both", "lots", "yes")).errors();

        assertEquals(List.of("stream", "tail", "follow"), errors.stream().map(FieldError::field).toList());
    }

    @Test
    void refusesATailOutsideTheRange() {
        assertInstanceOf(LogQuery.Invalid.class, LogQuery.parse(null, "-1", null));
        assertInstanceOf(LogQuery.Invalid.class, LogQuery.parse(null, "10001", null));
        assertInstanceOf(LogQuery.Invalid.class, LogQuery.parse(null, "99999999999", null));
    }
}
