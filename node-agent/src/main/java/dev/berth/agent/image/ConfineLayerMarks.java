package dev.berth.agent.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link LayerMarks} by the agent's native helper ({@code berth-confine whiteout PATH...} and
 * {@code berth-confine opaque DIR...}, see {@code src/main/c/berth-confine.c}): mknod and trusted xattrs
 * need system calls the JDK does not offer. One process per kind and layer (in chunks, so that a layer
 * deleting thousands of files stays within the kernel's limit on a command line).
 *
 * @param tool the helper, as {@code OwnRoot.prepare} writes it to {@code <work-dir>/bin/berth-confine}
 */
public record ConfineLayerMarks(Path tool) implements LayerMarks {
    private static final int PATHS_PER_PROCESS = 500;
    private static final long TIMEOUT_SECONDS = 60;

    @Override
    public void whiteouts(List<Path> paths) throws IOException {
        run("whiteout", paths);
    }

    @Override
    public void opaque(List<Path> dirs) throws IOException {
        run("opaque", dirs);
    }

    private void run(String subcommand, List<Path> paths) throws IOException {
        for (int from = 0; from < paths.size(); from += PATHS_PER_PROCESS) {
            List<String> command = new ArrayList<>(List.of(tool.toString(), subcommand));
            paths.subList(from, Math.min(paths.size(), from + PATHS_PER_PROCESS))
                    .forEach(path -> command.add(path.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try {
                process.getOutputStream().close();
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(tool.getFileName() + " " + subcommand + " did not end within "
                            + TIMEOUT_SECONDS + " s");
                }
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (process.exitValue() != 0) {
                    throw new IOException(output.isEmpty() ? tool.getFileName() + " " + subcommand + " exited with "
                            + process.exitValue() : output);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while marking a layer", e);
            }
        }
    }
}
