package dev.berth.gateway.events;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumePointTest {
    @Test
    void withoutEitherTheStreamStartsAtTheEnd() {
        assertEquals(new ResumePoint.AtEnd(), ResumePoint.parse(null, null));
        assertEquals(new ResumePoint.AtEnd(), ResumePoint.parse(" ", ""));
    }

    @Test
    void lastEventIdWinsOverSince() {
        assertEquals(new ResumePoint.After(41), ResumePoint.parse("41", "7"));
        assertEquals(new ResumePoint.After(7), ResumePoint.parse(null, "7"));
    }

    @Test
    void minusOneMeansFromTheEarliestHeld() {
        assertEquals(new ResumePoint.After(-1), ResumePoint.parse(null, "-1"));
    }

    @Test
    void anythingButAnOffsetIsRefusedNamingWhereItCameFrom() {
        ResumePoint header = ResumePoint.parse("abc", null);
        ResumePoint query = ResumePoint.parse(null, "-2");
        ResumePoint huge = ResumePoint.parse("99999999999999999999", null);

        assertTrue(assertInstanceOf(ResumePoint.Invalid.class, header).detail().startsWith("Last-Event-ID"));
        assertTrue(assertInstanceOf(ResumePoint.Invalid.class, query).detail().startsWith("since"));
        assertInstanceOf(ResumePoint.Invalid.class, huge);
    }
}
