package dev.berth.volume.kafka;

import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.VolumeCommand;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a record of {@code berth.volume-commands}: a {@link VolumeCommand} with every field its
 * kind needs, or the reason it is not one (for the dead-letter topic). Pure: no Kafka, no store.
 */
public final class VolumeCommandIntake {
    private VolumeCommandIntake() {
    }

    public sealed interface Verdict permits Readable, Unreadable {
    }

    public record Readable(VolumeCommand command) implements Verdict {
    }

    public record Unreadable(String reason) implements Verdict {
    }

    public static Verdict read(byte[] value) {
        VolumeCommand command;
        try {
            command = JsonCodec.decode(value, VolumeCommand.class);
        } catch (MalformedMessageException e) {
            return new Unreadable(e.getMessage());
        }
        List<String> missing = missing(command);
        return missing.isEmpty() ? new Readable(command)
                : new Unreadable(command.getClass().getSimpleName() + " without " + String.join(", ", missing));
    }

    private static List<String> missing(VolumeCommand command) {
        List<String> missing = new ArrayList<>();
        require(missing, "id", command.id());
        require(missing, "volumeId", command.volumeId());
        if (command instanceof AttachVolume attach) {
            require(missing, "name", attach.name());
            require(missing, "appId", attach.appId());
            require(missing, "identity", attach.identity());
            require(missing, "nodeId", attach.nodeId());
            require(missing, "taskId", attach.taskId());
            if (attach.type() == null) {
                missing.add("type");
            }
            if (attach.sizeMib() <= 0) {
                missing.add("a positive sizeMib");
            }
        } else if (command instanceof DetachVolume detach) {
            require(missing, "nodeId", detach.nodeId());
            require(missing, "taskId", detach.taskId());
        } else if (command instanceof FenceVolume fence) {
            require(missing, "nodeId", fence.nodeId());
        }
        return missing;
    }

    private static void require(List<String> missing, String field, String value) {
        if (value == null || value.isBlank()) {
            missing.add(field);
        }
    }
}
