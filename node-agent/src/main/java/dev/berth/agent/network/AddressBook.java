package dev.berth.agent.network;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.berth.contracts.json.JsonCodec;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which task holds which address on the node's bridge, kept as one file per task under the agent's work
 * dir ({@code <dir>/<task>.json}, the whole {@link TaskNetwork}). The file is written before anything of
 * the network is made and removed only once all of it is gone, so a restarted agent never hands out an
 * address in use, and knows what to remove of a task that ended while it was down.
 */
final class AddressBook {
    private static final Logger LOG = Logger.getLogger(AddressBook.class);

    private final Path dir;
    private final BridgeSubnet subnet;
    private final Map<String, TaskNetwork> byTask = new LinkedHashMap<>();

    AddressBook(Path dir, BridgeSubnet subnet) throws IOException {
        this.dir = dir;
        this.subnet = subnet;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    TaskNetwork network = JsonCodec.mapper().readValue(Files.readString(file), TaskNetwork.class);
                    byTask.put(network.task(), network);
                } catch (IOException e) {
                    // Unreadable (cut short by a crash as it was first written: written beside and renamed, so
                    // this is damage, not a race). Its address may be in use; it stays taken until removed.
                    LOG.warnf("cannot read the network record %s, its address stays taken: %s", file, e);
                }
            }
        }
    }

    /**
     * Gives the task the lowest free address and writes down the network {@code make} builds around it.
     *
     * @throws IOException when the subnet is full or the record cannot be written
     */
    synchronized TaskNetwork claim(String task, Function<String, TaskNetwork> make) throws IOException {
        if (byTask.containsKey(task)) {
            throw new IOException("task " + task + " already has a network on this node");
        }
        Set<String> used = new HashSet<>();
        byTask.values().forEach(n -> used.add(n.address()));
        for (int n = 0; n < subnet.taskAddresses(); n++) {
            String address = subnet.taskAddress(n);
            if (!used.contains(address)) {
                TaskNetwork network = make.apply(address);
                write(network);
                byTask.put(task, network);
                return network;
            }
        }
        throw new IOException("no free address left in " + subnet + " (" + subnet.taskAddresses()
                + " tasks on the bridge)");
    }

    synchronized Optional<TaskNetwork> of(String task) {
        return Optional.ofNullable(byTask.get(task));
    }

    synchronized List<TaskNetwork> all() {
        return new ArrayList<>(byTask.values());
    }

    /** The task's address is free again: everything of its network is gone. */
    synchronized void forget(String task) throws IOException {
        Files.deleteIfExists(file(task));
        byTask.remove(task);
    }

    private void write(TaskNetwork network) throws IOException {
        Path target = file(network.task());
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.writeString(temp, JsonCodec.mapper().writeValueAsString(network));
        } catch (JsonProcessingException e) {
            throw new IOException("cannot write the network of " + network.task(), e);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path file(String task) {
        return dir.resolve(task + ".json");
    }
}
