package dev.berth.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process holds and has used, read from {@code /proc} (Linux), for benchmarks.
 *
 * <p>Two memory figures, because they answer different questions. RSS is what {@code ps} and
 * {@code top} show: every page the process maps and has in memory, shared ones (the shell's
 * binary, libc) counted in full in every process that maps them, so a sum over many small
 * processes overstates what they cost together. PSS splits each shared page among the processes
 * that share it, so a sum of PSS is what the processes actually take from the machine.
 */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /** Resident set in KiB ({@code VmRSS}); 0 once the process is gone. */
    static long rssKib(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** Proportional set in KiB ({@code Pss} of {@code smaps_rollup}); 0 once the process is gone. */
    static long pssKib(long pid) {
        return field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
    }

    /** Threads of the process now. */
    static long threads(long pid) {
        return statusField(pid, "Threads:");
    }

    /** The command name ({@code comm}: {@code sh}, {@code unshare}, {@code sleep}); empty once gone. */
    static String command(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** CPU time (user + system) the process has used so far, in seconds. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "(comm) ".
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /**
     * A JVM's resident set right after a full collection ({@code jcmd <pid> GC.run}), so garbage
     * that merely has not been collected yet is not counted. Falls back to the plain figure when
     * {@code jcmd} is missing or cannot attach.
     */
    static long rssAfterGcKib(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (Files.isExecutable(jcmd)) {
            try {
                Process gc = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "GC.run"))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!gc.waitFor(60, TimeUnit.SECONDS)) {
                    gc.destroyForcibly();
                }
            } catch (IOException e) {
                // no attach: measure as it is
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rssKib(pid);
    }

    /**
     * A JVM's live heap in KiB: what its collector reports used ({@code jcmd <pid> GC.heap_info}),
     * so right after {@link #rssAfterGcKib} the objects that survived a full collection. -1 when
     * {@code jcmd} is missing or cannot attach.
     */
    static long heapUsedKib(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        try {
            Process info = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "GC.heap_info"))
                    .redirectErrorStream(true).start();
            String text = new String(info.getInputStream().readAllBytes());
            info.waitFor(60, TimeUnit.SECONDS);
            // "def new generation total 59008K, used 15745K [...]", "tenured generation total …, used …";
            // other collectors name their spaces PSYoungGen/ParOldGen or "garbage-first heap".
            Matcher used = Pattern.compile("(?:generation|Gen|heap)\\s+total \\d+K, used (\\d+)K").matcher(text);
            long sum = 0;
            boolean found = false;
            while (used.find()) {
                sum += Long.parseLong(used.group(1));
                found = true;
            }
            return found ? sum : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static long statusField(long pid, String name) {
        return field(Path.of("/proc", Long.toString(pid), "status"), name);
    }

    private static long field(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not readable: nothing held
        }
        return 0;
    }
}
