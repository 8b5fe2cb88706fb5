package dev.berth.agent.sandbox;

import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which ended sandboxes are due, and that removing one never reaches outside it. */
class SandboxRetentionTest {
    private final Instant now = Instant.parse("2026-12-07T12:00:00Z");
    private final Path scratch = Directories.scratch("retention-");

    @AfterEach
    void cleanUp() {
        Directories.deleteQuietly(scratch);
    }

    @Test
    void tasksEndedLongerAgoThanTheRetentionAreDue() {
        Map<String, Instant> ended = new LinkedHashMap<>();
        ended.put("old", now.minus(Duration.ofHours(25)));
        ended.put("just-due", now.minus(Duration.ofHours(24)));
        ended.put("young", now.minus(Duration.ofHours(1)));

        assertEquals(List.of("old", "just-due"), new SandboxRetention(Duration.ofHours(24), 100).due(ended, now));
    }

    @Test
    void beyondTheCountTheOldestEndsGoFirstWhateverTheirAge() {
        Map<String, Instant> ended = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            ended.put("t" + i, now.minusSeconds(10 - i));
        }
        assertEquals(List.of("t0", "t1"), new SandboxRetention(Duration.ofDays(7), 3).due(ended, now));
    }

    @Test
    void aNegativeRetentionIsRefusedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SandboxRetention(Duration.ofSeconds(-1), 1));
        assertTrue(e.getMessage().contains("PT-1S"), e.getMessage());
    }

    @Test
    void removesTheSandboxWithItsContentsButNotWhatItsLinksPointTo() throws Exception {
        Path outside = Files.createDirectories(scratch.resolve("precious"));
        Files.writeString(outside.resolve("data"), "keep me");
        Path sandbox = Files.createDirectories(scratch.resolve("sandbox/deep/er"));
        Files.writeString(scratch.resolve("sandbox/stdout"), "output");
        Files.writeString(sandbox.resolve("file"), "x");
        Files.createSymbolicLink(scratch.resolve("sandbox/link-to-dir"), outside);
        Files.createSymbolicLink(scratch.resolve("sandbox/link-to-file"), outside.resolve("data"));

        assertEquals(Optional.empty(), SandboxRetention.remove(scratch.resolve("sandbox")));

        assertFalse(Files.exists(scratch.resolve("sandbox")));
        assertEquals("keep me", Files.readString(outside.resolve("data")));
    }

    @Test
    void aMissingSandboxIsNothingToRemove() throws Exception {
        assertEquals(Optional.empty(), SandboxRetention.remove(scratch.resolve("never-made")));
    }
}
