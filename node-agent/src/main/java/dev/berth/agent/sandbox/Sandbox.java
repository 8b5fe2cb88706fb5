package dev.berth.agent.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One task's place on this node: its sandbox directory (its working directory, where its
 * {@code stdout} and {@code stderr} are written) and, outside it where the task cannot touch them,
 * the agent's checkpoint of the task and the files its init writes: the exit code, and the marks of
 * its volumes (mounted, mount failed, fenced).
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

    /**
     * Written by the watchdog of a task with an external volume when it killed the task, before the
     * exit file: {@code lease}, or {@code epoch <n>} (the newer attachment it found on the volume).
     */
    public Path fencedMark() {
        return runDir.resolve(dir.getFileName() + ".fenced");
    }

    /** Written in the task's mount namespace once all its volumes are bound, before its command starts. */
    public Path mountedMark() {
        return runDir.resolve(dir.getFileName() + ".mounted");
    }

    /** Written in the task's mount namespace when a volume could not be bound: which one, and mount's words. */
    public Path mountFailedMark() {
        return runDir.resolve(dir.getFileName() + ".mount-failed");
    }

    /** Written by the task's own-root helper when it could not build the task's root or become its user. */
    public Path rootFailedMark() {
        return runDir.resolve(dir.getFileName() + ".root-failed");
    }

    /** The task's {@code /etc/hosts} in its own root (its hostname), written by the agent before it starts. */
    public Path hostsFile() {
        return runDir.resolve(dir.getFileName() + ".hosts");
    }

    /** Every file the task's init writes about one run of it; cleared before it starts (again). */
    public java.util.List<Path> runFiles() {
        return java.util.List.of(exitFile(), fencedMark(), mountedMark(), mountFailedMark(), rootFailedMark());
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
