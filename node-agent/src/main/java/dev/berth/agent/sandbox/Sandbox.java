package dev.berth.agent.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One task's place on this node: its sandbox directory (its working directory, where its
 * {@code stdout} and {@code stderr} are written) and, outside it where the task cannot touch them,
 * the agent's checkpoint of the task and the file its init writes the exit code to.
 */
public record Sandbox(String taskId, Path dir, Path runDir) {

    public Path stdout() {
        return dir.resolve("stdout");
    }

    public Path stderr() {
        return dir.resolve("stderr");
    }

    /** The agent's record of the task, so that an agent that restarts can take it over. */
    public Path checkpoint() {
        return runDir.resolve(dir.getFileName() + ".json");
    }

    /** Written by the task's init when its command ends: the exit code, as text. */
    public Path exitFile() {
        return runDir.resolve(dir.getFileName() + ".exit");
    }

    /** The name of the task's cgroups: the sandbox directory's (already safe for a path). */
    public String name() {
        return dir.getFileName().toString();
    }

    /** Creates the directories if they do not exist yet; a relaunch of the same task id reuses them. */
    public Sandbox create() throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(runDir);
        return this;
    }
}
