package dev.berth.agent.logs;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogRotationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Path dir = Directories.scratch("log-rotation-");
    private final Sandbox sandbox = new Sandbox("t1", dir, dir.resolve("run"));
    private Process writer;

    @AfterEach
    void tearDown() {
        if (writer != null) {
            writer.destroyForcibly();
        }
        Directories.deleteQuietly(dir);
    }

    @Test
    void aTaskWritingThroughOAppendKeepsWritingAtTheStartOfTheTruncatedFile() throws Exception {
        // Given a task appending numbered lines to its stdout (>> opens it with O_APPEND)
        writer = new ProcessBuilder("/bin/sh", "-c",
                "i=0; while [ ! -f stop ]; do echo \"line $i\"; i=$((i+1)); done >> stdout")
                .directory(dir.toFile()).start();
        LogRotation rotation = new LogRotation(64 * 1024, 2);
        await().atMost(WAIT).until(() -> size("stdout") > 64 * 1024);

        // When its file is rotated
        assertEquals(List.of(LogStream.STDOUT), rotation.rotateIfNeeded(sandbox));

        // Then it goes on writing into the truncated file, from its start, with no hole before it
        await().atMost(WAIT).until(() -> size("stdout") > 1024);
        Files.writeString(dir.resolve("stop"), "");
        assertTrue(writer.waitFor(20, TimeUnit.SECONDS));
        List<String> copied = Files.readAllLines(dir.resolve("stdout.1"));
        List<String> after = Files.readAllLines(dir.resolve("stdout"));
        assertTrue(after.stream().allMatch(l -> l.matches("line \\d+")), "whole lines only, no NUL bytes");
        long lastCopied = number(copied.get(copied.size() - 1));
        long firstAfter = number(after.get(0));
        assertTrue(firstAfter > lastCopied, "the numbering goes on: " + lastCopied + " then " + firstAfter);
        assertEquals("line 0", copied.get(0));
    }

    @Test
    void atMostTheConfiguredNumberOfCopiesIsKeptNewestFirst() throws IOException {
        // Given rotation keeping 2 copies, and a stale copy from an agent that kept more
        LogRotation rotation = new LogRotation(4, 2);
        Files.writeString(dir.resolve("stdout.5"), "stale");

        // When the file is filled and rotated four times
        for (int generation = 1; generation <= 4; generation++) {
            Files.writeString(dir.resolve("stdout"), "generation " + generation + "\n");
            rotation.rotateIfNeeded(sandbox);
        }

        // Then the two newest generations are kept, and the file is empty
        assertEquals("generation 4\n", Files.readString(dir.resolve("stdout.1")));
        assertEquals("generation 3\n", Files.readString(dir.resolve("stdout.2")));
        assertFalse(Files.exists(dir.resolve("stdout.3")));
        assertFalse(Files.exists(dir.resolve("stdout.5")));
        assertFalse(Files.exists(dir.resolve("stdout.1.tmp")));
        assertEquals(0, size("stdout"));
    }

    @Test
    void withoutCopiesTheFileIsOnlyTruncated() throws IOException {
        Files.writeString(dir.resolve("stderr"), "too much\n");

        List<LogStream> rotated = new LogRotation(4, 0).rotateIfNeeded(sandbox);

        assertEquals(List.of(LogStream.STDERR), rotated);
        assertEquals(0, size("stderr"));
        assertFalse(Files.exists(dir.resolve("stderr.1")));
    }

    @Test
    void aFileWithinTheLimitOrNotWrittenYetIsLeftAlone() throws IOException {
        Files.writeString(dir.resolve("stdout"), "1234");

        List<LogStream> rotated = new LogRotation(4, 2).rotateIfNeeded(sandbox);

        assertTrue(rotated.isEmpty());
        assertEquals("1234", Files.readString(dir.resolve("stdout")));
        assertFalse(Files.exists(dir.resolve("stdout.1")));
    }

    private long size(String file) throws IOException {
        Path path = dir.resolve(file);
        return Files.exists(path) ? Files.size(path) : 0;
    }

    private static long number(String line) {
        return Long.parseLong(line.substring("line ".length()));
    }
}
