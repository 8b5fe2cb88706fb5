package dev.berth.agent.cgroups;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading and writing the small text files of a cgroup, where a missing file is an answer too. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    static void write(Path file, String value) throws IOException {
        // Cgroup files take one write each; the kernel answers a bad value with an error on that write.
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }

    /** The file's first line, trimmed; empty if the file (or its group) is gone. */
    static String read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    static long readLong(Path file) {
        String text = read(file);
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The value of {@code key} in a flat-keyed file such as {@code memory.events} ("oom_kill 2"). */
    static long keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2 && parts[0].equals(key)) {
                    return Long.parseLong(parts[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** The pids listed in a {@code cgroup.procs}; none if the group is gone. */
    static List<Long> pids(Path procs) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procs, StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (NoSuchFileException e) {
            return pids;
        } catch (IOException | NumberFormatException e) {
            return pids;
        }
        return pids;
    }

    /** rmdir: a cgroup directory can only be removed empty of processes, and only with rmdir. */
    static boolean removeDir(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            return !Files.exists(dir);
        }
    }

    /** The sub-directories of a group directory: its child groups. */
    static List<String> children(Path group) {
        if (!Files.isDirectory(group)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> entries = Files.list(group)) {
            return entries.filter(Files::isDirectory).map(dir -> dir.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
