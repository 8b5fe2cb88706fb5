package dev.berth.agent.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One task's directory on this node: its working directory, where its {@code stdout} and
 * {@code stderr} are written, and (later) where its volumes are mounted and its checkpoint kept.
 */
public record Sandbox(String taskId, Path dir) {

    public Path stdout() {
        return dir.resolve("stdout");
    }

    public Path stderr() {
        return dir.resolve("stderr");
    }

    /** Creates the directory if it does not exist yet; a relaunch of the same task id reuses it. */
    public Sandbox create() throws IOException {
        Files.createDirectories(dir);
        return this;
    }
}
