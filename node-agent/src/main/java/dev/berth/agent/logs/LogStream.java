package dev.berth.agent.logs;

import dev.berth.agent.sandbox.Sandbox;

import java.nio.file.Path;
import java.util.Optional;

/** One of a task's two output streams, each a file in its sandbox (rotated ones beside it: {@code stdout.1} …). */
public enum LogStream {
    STDOUT("stdout"),
    STDERR("stderr");

    private final String fileName;

    LogStream(String fileName) {
        this.fileName = fileName;
    }

    /** The file the task writes now. */
    public Path in(Sandbox sandbox) {
        return this == STDOUT ? sandbox.stdout() : sandbox.stderr();
    }

    /** The {@code n}-th most recent rotated copy ({@code stdout.1} is the newest). */
    public Path rotated(Sandbox sandbox, int n) {
        return rotated(in(sandbox), n);
    }

    static Path rotated(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }

    /** {@code stdout} or {@code stderr}, as in the API's {@code stream} parameter. */
    public String fileName() {
        return fileName;
    }

    /** The stream of that name ({@code stdout} or {@code stderr}), if there is one. */
    public static Optional<LogStream> named(String name) {
        for (LogStream stream : values()) {
            if (stream.fileName.equals(name)) {
                return Optional.of(stream);
            }
        }
        return Optional.empty();
    }
}
