package dev.berth.agent.volumes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The node's lease on its external volumes, in {@code <work dir>/lease}: the moment it ends, as an
 * absolute reading of the host's boot clock in centiseconds ({@code /proc/uptime}'s first field without
 * its dot). The agent renews it each time the broker acknowledges one of its node reports; each task
 * holding an external volume has a watchdog in its init that reads it (a shell builtin {@code read}, no
 * fork) and kills the task once the clock has passed it. The clock is the kernel's, so it means the same
 * to the agent and to every watchdog, also inside a PID namespace (which does not shift it), and it
 * never jumps with the wall clock.
 *
 * <p>The lease is counted from <em>before</em> the report was sent: the scheduler counts the node's lease
 * from when it heard the report, which is later, so the node always gives up its volumes first.
 */
public final class NodeLease {
    public static final Duration DEFAULT_LENGTH = Duration.ofSeconds(4);
    private static final Path UPTIME = Path.of("/proc/uptime");

    private final Path file;
    private final Duration length;
    private long written = Long.MIN_VALUE;

    public NodeLease(Path file, Duration length) {
        this.file = file.toAbsolutePath().normalize();
        this.length = length;
    }

    /** {@code <work dir>/lease}. */
    public static NodeLease in(Path workDir, Duration length) {
        return new NodeLease(workDir.resolve("lease"), length);
    }

    public Path file() {
        return file;
    }

    public Duration length() {
        return length;
    }

    /** The host's boot clock now, in centiseconds: take it before sending the report that will renew the lease. */
    public static long clock() {
        try {
            String uptime = Files.readString(UPTIME, StandardCharsets.US_ASCII);
            String seconds = uptime.substring(0, uptime.indexOf(' '));
            int dot = seconds.indexOf('.');
            return Long.parseLong(seconds.substring(0, dot)) * 100 + Long.parseLong(seconds.substring(dot + 1));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the host's clock from " + UPTIME + ": " + e, e);
        }
    }

    /**
     * The broker acknowledged a report sent at {@code sentAt} ({@link #clock()}): the lease runs until
     * {@code sentAt + length}. Acknowledgements may arrive out of order; a lease is never shortened.
     */
    public synchronized void renewFrom(long sentAt) throws IOException {
        long end = sentAt + length.toMillis() / 10;
        if (end <= written) {
            return;
        }
        write(end);
    }

    /** The lease ends now: every watchdog kills its task within its next check. */
    public synchronized void expire() throws IOException {
        write(clock());
    }

    /**
     * At agent start: the file may come from before the machine last booted, when the boot clock read
     * higher, and would look valid for as long as that boot had lasted. No lease of this boot ends later
     * than now + its length, so one that does is ended.
     *
     * @return true if the lease was from another boot and has been ended
     */
    public synchronized boolean endIfFromAnotherBoot() throws IOException {
        long recorded = recorded();
        if (recorded > clock() + length.toMillis() / 10) {
            expire();
            return true;
        }
        return false;
    }

    /** True while the lease has not run out (a missing or unreadable lease has). */
    public boolean valid() {
        return clock() < recorded();
    }

    /**
     * Waits up to {@code patience} for the lease to be valid: a restarted agent may read a launch before
     * the broker acknowledged its registration, which renews the lease.
     */
    public boolean awaitValid(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!valid()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The end of the lease as written, or 0 if there is none. */
    public long recorded() {
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Replaced whole (written beside, renamed over), so a watchdog reads the old or the new value, never
     * half of one. Not fsynced: it must outlive the agent process, not the machine, whose crash ends
     * every task that reads it.
     */
    private void write(long end) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.getParent());
        Files.writeString(temporary, end + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        written = end;
    }
}
