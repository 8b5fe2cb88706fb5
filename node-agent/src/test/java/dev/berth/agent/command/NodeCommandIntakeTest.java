package dev.berth.agent.command;

import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.DestroyVolume;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeCommandIntakeTest {
    private static final String NODE = "node-1";

    @Test
    void aCommandKeyedAndAddressedToThisNodeIsMine() {
        KillTask kill = KillTask.of(NODE, "t1", 1, null, null);

        var verdict = NodeCommandIntake.classify(NODE, NODE, JsonCodec.encodeBytes(kill));

        assertEquals(kill, assertInstanceOf(NodeCommandIntake.Mine.class, verdict).command());
    }

    @Test
    void aDestroyVolumeHasNoTaskIdAndIsMine() {
        DestroyVolume destroy = DestroyVolume.of(NODE, "app.db-0.data", "c1");

        var verdict = NodeCommandIntake.classify(NODE, NODE, JsonCodec.encodeBytes(destroy));

        assertEquals(destroy, assertInstanceOf(NodeCommandIntake.Mine.class, verdict).command());
        assertInstanceOf(NodeCommandIntake.Unreadable.class, NodeCommandIntake.classify(NODE, NODE,
                JsonCodec.encodeBytes(DestroyVolume.of(NODE, null, null))));
    }

    @Test
    void anotherNodesRecordOnTheSharedPartitionIsNotMineEvenIfUnreadable() {
        var verdict = NodeCommandIntake.classify(NODE, "node-2", bytes("{not json"));

        assertInstanceOf(NodeCommandIntake.NotMine.class, verdict);
    }

    @Test
    void aCommandKeyedForThisNodeButAddressedToAnotherIsNotCarriedOut() {
        KillTask kill = KillTask.of("node-2", "t1", 1, null, null);

        assertInstanceOf(NodeCommandIntake.NotMine.class, NodeCommandIntake.classify(NODE, NODE, JsonCodec.encodeBytes(kill)));
    }

    @Test
    void bytesThatAreNotACommandAreUnreadableWithTheReason() {
        var verdict = NodeCommandIntake.classify(NODE, NODE, bytes("{not json"));

        assertTrue(assertInstanceOf(NodeCommandIntake.Unreadable.class, verdict).reason().contains("NodeCommand"));
    }

    @Test
    void aTombstoneIsUnreadable() {
        assertInstanceOf(NodeCommandIntake.Unreadable.class, NodeCommandIntake.classify(NODE, NODE, null));
    }

    @Test
    void aCommandWithoutItsIdsOrALaunchWithoutSpecIsUnreadable() {
        String noTask = "{\"type\":\"KillTask\",\"id\":\"c1\",\"nodeId\":\"node-1\"}";
        LaunchTask noSpec = LaunchTask.of(NODE, "t1", "/a", 1, null, null);

        assertInstanceOf(NodeCommandIntake.Unreadable.class, NodeCommandIntake.classify(NODE, NODE, bytes(noTask)));
        assertInstanceOf(NodeCommandIntake.Unreadable.class,
                NodeCommandIntake.classify(NODE, NODE, JsonCodec.encodeBytes(noSpec)));
    }

    @Test
    void aLaunchWithASpecIsMine() {
        LaunchTask launch = LaunchTask.of(NODE, "t1", "/a", 1,
                new TaskSpec("true", null, Map.of(), Map.of(), 0.1, 16, 0, List.of()), null);

        assertInstanceOf(NodeCommandIntake.Mine.class, NodeCommandIntake.classify(NODE, NODE, JsonCodec.encodeBytes(launch)));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
