package dev.berth.agent.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SandboxesTest {
    private final Sandboxes sandboxes = Sandboxes.under(Path.of("/var/berth"));

    @Test
    void aTasksSandboxIsNamedAfterItUnderTheWorkDir() {
        Sandbox sandbox = sandboxes.of("web.3f2a");

        assertEquals(Path.of("/var/berth/sandboxes/web.3f2a"), sandbox.dir());
        assertEquals(Path.of("/var/berth/sandboxes/web.3f2a/stdout"), sandbox.stdout());
        assertEquals(Path.of("/var/berth/sandboxes/web.3f2a/stderr"), sandbox.stderr());
    }

    @Test
    void noTaskIdCanLeadOutOfTheSandboxes() {
        for (String hostile : new String[]{"../../etc", "..", ".", "a/../../b", "/abs", ""}) {
            Path dir = sandboxes.of(hostile).dir();
            assertEquals(sandboxes.root(), dir.getParent(), hostile + " -> " + dir);
            assertEquals(dir, dir.normalize(), hostile + " -> " + dir);
        }
    }
}
