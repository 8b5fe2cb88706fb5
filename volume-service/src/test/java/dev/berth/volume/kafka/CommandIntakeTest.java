package dev.berth.volume.kafka;

import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.VolumeType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandIntakeTest {

    @Test
    void readsACommand() {
        CommandIntake.Readable readable = assertInstanceOf(CommandIntake.Readable.class,
                CommandIntake.read(JsonCodec.encodeBytes(ReleaseVolume.of("v-0", "scaled down", null))));
        assertEquals("v-0", readable.command().volumeId());
    }

    @Test
    void somethingElseIsUnreadableWithTheReason() {
        assertInstanceOf(CommandIntake.Unreadable.class, CommandIntake.read("{oops".getBytes(StandardCharsets.UTF_8)));
        assertInstanceOf(CommandIntake.Unreadable.class, CommandIntake.read(null));
    }

    @Test
    void anAttachWithoutItsNodeIsUnreadable() {
        AttachVolume attach = AttachVolume.of("v-0", "v-0", "/a", "a-0", VolumeType.EXTERNAL, "sharedfs", 0,
                Map.of(), null, "t1", null);

        CommandIntake.Unreadable unreadable = assertInstanceOf(CommandIntake.Unreadable.class,
                CommandIntake.read(JsonCodec.encodeBytes(attach)));
        assertTrue(unreadable.reason().contains("nodeId"), unreadable.reason());
        assertTrue(unreadable.reason().contains("sizeMib"), unreadable.reason());
    }
}
