package dev.berth.agent.logs;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogReaderTest {
    private final Path dir = Directories.scratch("log-reader-");
    private final Sandbox sandbox = new Sandbox("t1", dir, dir.resolve("run"));

    @AfterEach
    void tearDown() {
        Directories.deleteQuietly(dir);
    }

    @Test
    void theTailSpansTheRotatedCopiesOldestFirst() throws IOException {
        // Given two rotated copies and the current file
        write("stdout.2", "a\nb\n");
        write("stdout.1", "c\nd\n");
        write("stdout", "e\nf\n");

        // Then the last lines are taken across them, in the order they were written
        assertEquals("b\nc\nd\ne\nf\n", LogReader.tail(sandbox, LogStream.STDOUT, 5));
        assertEquals("a\nb\nc\nd\ne\nf\n", LogReader.tail(sandbox, LogStream.STDOUT, 100));
        assertEquals("f\n", LogReader.tail(sandbox, LogStream.STDOUT, 1));
        assertEquals("", LogReader.tail(sandbox, LogStream.STDOUT, 0));
    }

    @Test
    void aLineCutByARotationIsOneLine() throws IOException {
        write("stdout.1", "one\ntw");
        write("stdout", "o\nthree\n");

        assertEquals("two\nthree\n", LogReader.tail(sandbox, LogStream.STDOUT, 2));
    }

    @Test
    void linesLongerThanTheReadBlockComeWhole() throws IOException {
        String longLine = "x".repeat(3 * LogReader.BLOCK + 17);
        write("stderr", "first\n" + longLine + "\nlast\n");

        assertEquals(longLine + "\nlast\n", LogReader.tail(sandbox, LogStream.STDERR, 2));
    }

    @Test
    void aLastLineWithoutNewlineCounts() throws IOException {
        write("stdout", "a\nb\nc");

        assertEquals("b\nc", LogReader.tail(sandbox, LogStream.STDOUT, 2));
    }

    @Test
    void aStreamNotWrittenYetHasAnEmptyTail() throws IOException {
        assertEquals("", LogReader.tail(sandbox, LogStream.STDOUT, 10));
    }

    @Test
    void aTailOfABigFileIsUtf8AndOnlyTheEnd() throws IOException {
        // Given a big file ending in non-ASCII lines
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            text.append("line ").append(i).append('\n');
        }
        write("stdout", text + "grüße\n日本\n");

        assertEquals("line 199999\ngrüße\n日本\n", LogReader.tail(sandbox, LogStream.STDOUT, 3));
    }

    @Test
    void aFollowSeesTheTailThenWhatIsAppendedThenEndsWithTheTask() throws IOException {
        // Given a follow of the last line
        write("stdout", "old\nnew\n");
        AtomicBoolean ended = new AtomicBoolean();
        try (LogFeed feed = LogReader.follow(sandbox, LogStream.STDOUT, 1, ended::get)) {
            assertEquals("new\n", drain(feed));

            // When the task appends
            append("stdout", "more\n");

            // Then the follow sees it
            assertEquals("more\n", drain(feed));
            assertFalse(feed.finished());

            // And when the task writes its last words and ends, the follow reads them, then finishes
            append("stdout", "bye");
            ended.set(true);
            assertEquals("bye", drain(feed));
            feed.next();
            assertTrue(feed.finished());
        }
    }

    @Test
    void aFollowCarriesOnAcrossARotationWithoutLosingWhatItHadNotReadYet() throws IOException {
        // Given a follow that has read everything so far
        write("stdout", "1\n2\n");
        try (LogFeed feed = LogReader.follow(sandbox, LogStream.STDOUT, 10, () -> false)) {
            assertEquals("1\n2\n", drain(feed));

            // When the task writes, the file is rotated before the follow reads, and the task writes on
            append("stdout", "3\n4\n");
            new LogRotation(1, 2).rotateIfNeeded(sandbox);
            append("stdout", "5\n");

            // Then the follow gives the rest of the rotated copy, then the new file
            assertEquals("3\n4\n5\n", drain(feed));
        }
    }

    @Test
    void aFollowStartsOverWhenTheFileIsTruncatedWithoutACopy() throws IOException {
        write("stdout", "1\n2\n");
        try (LogFeed feed = LogReader.follow(sandbox, LogStream.STDOUT, 10, () -> false)) {
            assertEquals("1\n2\n", drain(feed));

            new LogRotation(1, 0).rotateIfNeeded(sandbox);
            append("stdout", "3\n");

            assertEquals("3\n", drain(feed));
            assertFalse(Files.exists(dir.resolve("stdout.1")));
        }
    }

    @Test
    void aReadOfTheTailEndsAfterIt() throws IOException {
        write("stdout", "x\n".repeat(100_000));

        try (LogFeed feed = LogReader.read(sandbox, LogStream.STDOUT, 50_000)) {
            byte[] first = feed.next();
            assertEquals(LogFeed.CHUNK, first.length, "a large tail comes in chunks");
            String rest = drain(feed);
            assertEquals(100_000, first.length + rest.length());
            assertTrue(feed.finished());
        }
    }

    /** Everything the feed has now, chunk by chunk. */
    private static String drain(LogFeed feed) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] chunk = feed.next(); chunk.length > 0; chunk = feed.next()) {
            out.write(chunk);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void write(String file, String text) throws IOException {
        Files.writeString(dir.resolve(file), text);
    }

    private void append(String file, String text) throws IOException {
        Files.writeString(dir.resolve(file), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
