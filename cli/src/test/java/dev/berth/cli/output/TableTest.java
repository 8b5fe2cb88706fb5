package dev.berth.cli.output;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableTest {
    @Test
    void columnsAreAsWideAsTheirWidestCell() {
        String text = Table.of("ID", "STATUS").row("/team-a/web", "RUNNING").row("/b", "DEPLOYING").render(100, false);

        assertEquals("ID           STATUS\n/team-a/web  RUNNING\n/b           DEPLOYING\n", text);
    }

    @Test
    void aTableWiderThanTheTerminalShortensItsWidestColumnFirst() {
        String longId = "/team-a/" + "x".repeat(60);
        String text = Table.of("ID", "STATUS", "RUNNING").row(longId, "RUNNING", "2/2").render(40, false);

        for (String line : text.split("\n")) {
            assertTrue(line.length() <= 40, line);
        }
        assertTrue(text.contains("RUNNING  2/2"), "the short columns stay whole: " + text);
        assertTrue(text.contains("~"), "a cut cell says so: " + text);
    }

    @Test
    void theStatusColumnIsColouredOnlyWhenAsked() {
        Table table = Table.of("ID", "STATUS").statusColumn("STATUS").row("/a", "FAILED");

        assertFalse(table.render(100, false).contains("\u001b["));
        assertTrue(table.render(100, true).contains("\u001b[31mFAILED"));
    }

    @Test
    void colourNeedsATerminalAndNoNoColor() {
        java.io.PrintWriter sink = new java.io.PrintWriter(java.io.Writer.nullWriter());

        assertTrue(Terminal.of(sink, sink, java.util.Map.of(), true).colour());
        assertFalse(Terminal.of(sink, sink, java.util.Map.of("NO_COLOR", ""), true).colour());
        assertFalse(Terminal.of(sink, sink, java.util.Map.of(), false).colour());
    }

    @Test
    void theWidthComesFromColumnsElseOneHundred() {
        assertEquals(132, Terminal.width(java.util.Map.of("COLUMNS", "132")));
        assertEquals(100, Terminal.width(java.util.Map.of()));
        assertEquals(100, Terminal.width(java.util.Map.of("COLUMNS", "wide")));
    }
}
