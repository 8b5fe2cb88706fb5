package dev.berth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports on the loopback interface, so suites never collide on a fixed port. */
public final class FreePorts {
    /**
     * Where task port ranges are taken from. Below 32768: Linux hands out the local ports of outgoing
     * connections from 32768 up, so a task given a port there can find it taken by any client on the
     * machine. From 20000: below it are the local run's fixed ports (15432, 18080, 19092). Up to 30999:
     * 31000–31999 are the local run's default task ports, which its tasks bind only when they start, so
     * that finding them free now says nothing (deploy/local/settings.sh).
     */
    static final int TASK_PORTS_FROM = 20_000;
    static final int TASK_PORTS_TO = 30_999;
    /** Ports in each range: room for every test's tasks on one node. */
    public static final int TASK_RANGE_SIZE = 200;
    static final int TASK_RANGES = (TASK_PORTS_TO - TASK_PORTS_FROM + 1) / TASK_RANGE_SIZE;
    /** Other JVMs on the machine (suites of other checkouts) take a range only while they hold its lock file. */
    private static final Path LOCKS = Path.of(System.getProperty("java.io.tmpdir"), "berth-task-port-ranges");

    /** The first ports of the ranges this JVM has handed out, each kept until the JVM exits. */
    private static final Set<Integer> TAKEN = new HashSet<>();
    /** Their locks, held here so that their files stay open (and locked) as long as the JVM runs. */
    private static final List<FileLock> HELD = new ArrayList<>();

    private FreePorts() {
    }

    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    /** Consecutive ports {@code first}–{@code last}, as a node agent's {@code BERTH_AGENT_PORTS} takes them. */
    public record PortRange(int first, int last) {
        public int size() {
            return last - first + 1;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

    /**
     * A range of {@value #TASK_RANGE_SIZE} ports for a node agent's tasks, below the kernel's ephemeral
     * ports (see {@link #TASK_PORTS_FROM}), every port of it free now, and handed to no one else: this JVM
     * never hands out one range twice (a task may outlive its agent and still hold a port), and another
     * JVM calling this skips it while this one runs (a lock file per range, released by the OS when the
     * JVM exits, however it ends). The search starts at a random range, so that suites started at the
     * same moment on one machine seldom even try the same one.
     */
    public static PortRange taskRange() {
        return taskRange(ThreadLocalRandom.current().nextInt(TASK_RANGES));
    }

    /** As {@link #taskRange()}, the search starting at the range with this index. */
    static synchronized PortRange taskRange(int startIndex) {
        for (int i = 0; i < TASK_RANGES; i++) {
            int first = TASK_PORTS_FROM + ((startIndex + i) % TASK_RANGES) * TASK_RANGE_SIZE;
            PortRange range = new PortRange(first, first + TASK_RANGE_SIZE - 1);
            if (!TAKEN.contains(first) && allFree(range) && lock(range)) {
                TAKEN.add(first);
                return range;
            }
        }
        throw new IllegalStateException("no free range of " + TASK_RANGE_SIZE + " task ports left between "
                + TASK_PORTS_FROM + " and " + TASK_PORTS_TO + " (this JVM holds " + TAKEN.size() + ")");
    }

    /** True if nothing listens on any port of the range, on any address. */
    private static boolean allFree(PortRange range) {
        for (int port = range.first(); port <= range.last(); port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(port), 1);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Takes the range's lock file for the rest of this JVM's life; false if another JVM holds it. */
    private static boolean lock(PortRange range) {
        try {
            Files.createDirectories(LOCKS);
            FileChannel channel = FileChannel.open(LOCKS.resolve(range.first() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return false;
            }
            HELD.add(lock);
            return true;
        } catch (IOException e) {
            // No lock directory to share (a read-only temp dir): this JVM's own bookkeeping still holds.
            return true;
        }
    }
}
