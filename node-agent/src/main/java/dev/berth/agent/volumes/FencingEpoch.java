package dev.berth.agent.volumes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Fencing on the storage itself: an external volume's directory holds {@code .berth-epoch}, the epoch of
 * the newest attachment that used it. A node refuses to start a task with an older attachment, and the
 * watchdog of a task that runs stops it once a newer epoch appears there. The file is the storage's
 * own memory, so it holds across nodes, agent restarts and redelivered launches.
 */
public final class FencingEpoch {
    public static final String FILE_NAME = ".berth-epoch";

    private FencingEpoch() {
    }

    public static Path fileIn(Path volumeDir) {
        return volumeDir.resolve(FILE_NAME);
    }

    /** The epoch recorded in the volume, if any (an unreadable file counts as none: a claim rewrites it). */
    public static OptionalLong read(Path volumeDir) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(fileIn(volumeDir), StandardCharsets.US_ASCII)
                    .trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Claims the volume for an attachment of {@code epoch}: refused if the storage has seen a newer one,
     * else the epoch is recorded.
     */
    public static void claim(String volumeId, Path volumeDir, long epoch) throws VolumeRefusedException {
        OptionalLong recorded = read(volumeDir);
        if (recorded.isPresent() && recorded.getAsLong() > epoch) {
            throw VolumeRefusedException.fenced("volume " + volumeId + " has epoch " + recorded.getAsLong()
                    + ", this attachment has " + epoch);
        }
        if (recorded.isPresent() && recorded.getAsLong() == epoch) {
            return;
        }
        try {
            write(volumeDir, epoch);
        } catch (IOException e) {
            throw VolumeRefusedException.failed("cannot record epoch " + epoch + " in volume " + volumeId + ": " + e,
                    e);
        }
    }

    /**
     * Written beside and renamed over, each step synced: on shared storage another node reads the file,
     * and it must find the old epoch or the new one, also after this node crashed.
     */
    static void write(Path volumeDir, long epoch) throws IOException {
        Path temporary = volumeDir.resolve(FILE_NAME + "." + UUID.randomUUID() + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap((epoch + "\n").getBytes(StandardCharsets.US_ASCII)));
            out.force(true);
        }
        try {
            Files.move(temporary, fileIn(volumeDir), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        try (FileChannel dir = FileChannel.open(volumeDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
