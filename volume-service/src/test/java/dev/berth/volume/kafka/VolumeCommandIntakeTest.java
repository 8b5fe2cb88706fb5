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

class VolumeCommandIntakeTest {

    @Test
    void readsACommand() {
        VolumeCommandIntake.Readable readable = assertInstanceOf(VolumeCommandIntake.Readable.class,
                VolumeCommandIntake.read(JsonCodec.encodeBytes(ReleaseVolume.of("v-0", "scaled down", null))));
        assertEquals("v-0", readable.command().volumeId());
    }

    @Test
    void somethingElseIsUnreadableWithTheReason() {
        assertInstanceOf(VolumeCommandIntake.Unreadable.class, VolumeCommandIntake.read("{oops".getBytes(StandardCharsets.UTF_8)));
        assertInstanceOf(VolumeCommandIntake.Unreadable.class, VolumeCommandIntake.read(null));
    }

    @Test
    void anAttachWithoutItsNodeIsUnreadable() {
        AttachVolume attach = AttachVolume.of("v-0", "v-0", "/a", "a-0", VolumeType.EXTERNAL, "sharedfs", 0,
                Map.of(), null, "t1", null);

        VolumeCommandIntake.Unreadable unreadable = assertInstanceOf(VolumeCommandIntake.Unreadable.class,
                VolumeCommandIntake.read(JsonCodec.encodeBytes(attach)));
        assertTrue(unreadable.reason().contains("nodeId"), unreadable.reason());
        assertTrue(unreadable.reason().contains("sizeMib"), unreadable.reason());
    }
}
