package dev.berth.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stateful workload of the volume tests: a task that appends numbered lines to {@code journal} on
 * its volume, {@code fsync}ing each, and counts on from the last line it finds (so a copy started
 * elsewhere continues the same sequence). After each synced line it records the number in
 * {@code synced} in its sandbox, which is how a test knows what the task was told is durable.
 *
 * <p>Two copies writing at once would interleave their task ids; a lost synced write would leave a
 * gap or a number missing. {@link #check} looks for both.
 */
final class Journal {
    /** The task's command; {@code dir} is the volume's containerPath. */
    static String writer(String dir) {
        return "n=$(wc -l < " + dir + "/journal 2>/dev/null || echo 0); "
                + "while :; do n=$((n+1)); echo \"$n $MESOS_TASK_ID\" >> " + dir + "/journal "
                + "&& sync " + dir + "/journal && echo $n > synced.tmp && mv synced.tmp synced || exit 1; "
                + "sleep 0.05; done";
    }

    /** One line: its number and the task that wrote it. */
    record Line(long number, String taskId) {
    }

    static List<Line> read(Path journal) {
        try {
            List<Line> lines = new ArrayList<>();
            for (String raw : Files.readAllLines(journal)) {
                String[] parts = raw.trim().split(" ", 2);
                if (parts.length == 2 && !parts[0].isEmpty()) {
                    lines.add(new Line(Long.parseLong(parts[0]), parts[1]));
                }
            }
            return lines;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last number a task's sandbox says it synced; 0 when none. */
    static long synced(Path sandbox) {
        try {
            String text = Files.readString(sandbox.resolve("synced")).trim();
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What is wrong with a journal written by {@code writers} in this order, each after the previous
     * stopped: empty when the numbers run 1, 2, 3… without gap or repeat, and the task ids form one
     * run per writer in order (no copy wrote after the next had started).
     */
    static List<String> check(List<Line> lines, List<String> writers) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).number() != i + 1) {
                problems.add("line " + (i + 1) + " is numbered " + lines.get(i).number());
                break;
            }
        }
        int writer = 0;
        for (Line line : lines) {
            while (writer < writers.size() && !writers.get(writer).equals(line.taskId())) {
                writer++;
            }
            if (writer == writers.size()) {
                problems.add("line " + line.number() + " by " + line.taskId() + " breaks the order " + writers
                        + " (two writers at once, or an unexpected one)");
                break;
            }
        }
        return problems;
    }

    /** The highest number one task wrote; 0 when it wrote none. */
    static long lastBy(List<Line> lines, String taskId) {
        return lines.stream().filter(l -> l.taskId().equals(taskId)).mapToLong(Line::number).max().orElse(0);
    }

    /** How many lines one task wrote. */
    static long countBy(List<Line> lines, String taskId) {
        return lines.stream().filter(l -> l.taskId().equals(taskId)).count();
    }

    private Journal() {
    }
}
