package dev.berth.agent.volumes;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a task sees a volume: a relative {@code containerPath} lies in its sandbox, an absolute one is
 * that path in its own mount namespace. {@code ..} is refused anywhere in it, as are {@code /} and the
 * kernel's file systems ({@code /proc}, {@code /sys}, {@code /dev}) and what lies under them: a volume
 * over them would blind the task's tools or hide the namespace's own {@code /proc}.
 */
final class ContainerPaths {
    private static final List<Path> FORBIDDEN = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

    private ContainerPaths() {
    }

    static Path target(String volumeId, String containerPath, Path sandboxDir) throws VolumeRefusedException {
        if (containerPath == null || containerPath.isBlank()) {
            throw refused(volumeId, containerPath, "it is empty");
        }
        Path path;
        try {
            path = Path.of(containerPath);
        } catch (InvalidPathException e) {
            throw refused(volumeId, containerPath, "it is not a path");
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw refused(volumeId, containerPath, "'..' is not allowed");
            }
        }
        if (path.isAbsolute()) {
            Path target = path.normalize();
            if (target.getNameCount() == 0) {
                throw refused(volumeId, containerPath, "it is the root directory");
            }
            for (Path forbidden : FORBIDDEN) {
                if (target.startsWith(forbidden)) {
                    throw refused(volumeId, containerPath, forbidden + " belongs to the kernel");
                }
            }
            return target;
        }
        Path sandbox = sandboxDir.toAbsolutePath().normalize();
        Path target = sandbox.resolve(path).normalize();
        if (!target.startsWith(sandbox) || target.equals(sandbox)) {
            throw refused(volumeId, containerPath, "it is not inside the sandbox");
        }
        return target;
    }

    private static VolumeRefusedException refused(String volumeId, String containerPath, String why) {
        return VolumeRefusedException.failed("volume " + volumeId + ": containerPath '" + containerPath
                + "' is refused: " + why);
    }
}
