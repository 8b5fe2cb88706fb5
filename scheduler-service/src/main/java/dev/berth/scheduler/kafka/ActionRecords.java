package dev.berth.scheduler.kafka;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.scheduler.core.Action;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What each {@link Action} of the core is on the wire: its topic, its key and its encoded value.
 *
 * <p>Why a class of its own: the core decides in plain Java and knows no topics; this one mapping is
 * the only place that does, so a new action gets its record here and nowhere else, and the keys
 * that readers rely on (subject for events, command id for replies) are chosen in one place.
 */
final class ActionRecords {
    private ActionRecords() {
    }

    static ProducerRecord<String, byte[]> toRecord(Action action) {
        if (action instanceof Action.RecordApp a) {
            return new ProducerRecord<>(Topics.APPS, a.app().appId(), JsonCodec.encodeBytes(a.app()));
        } else if (action instanceof Action.RemoveApp a) {
            return new ProducerRecord<>(Topics.APPS, a.appId(), null);
        } else if (action instanceof Action.RecordTask a) {
            return new ProducerRecord<>(Topics.TASKS, a.task().taskId(), JsonCodec.encodeBytes(a.task()));
        } else if (action instanceof Action.RemoveTask a) {
            return new ProducerRecord<>(Topics.TASKS, a.taskId(), null);
        } else if (action instanceof Action.SendToNode a) {
            return new ProducerRecord<>(Topics.NODE_COMMANDS, a.command().nodeId(), JsonCodec.encodeBytes(a.command()));
        } else if (action instanceof Action.RecordQueue a) {
            return new ProducerRecord<>(Topics.QUEUE, a.queue().appId(), JsonCodec.encodeBytes(a.queue()));
        } else if (action instanceof Action.RemoveQueue a) {
            return new ProducerRecord<>(Topics.QUEUE, a.appId(), null);
        } else if (action instanceof Action.SendToVolumes a) {
            return new ProducerRecord<>(Topics.VOLUME_COMMANDS, a.command().volumeId(),
                    JsonCodec.encodeBytes(a.command()));
        } else if (action instanceof Action.Announce a) {
            // Keyed by subject: on a keyed topic the events about one thing stay in order for any reader.
            return new ProducerRecord<>(Topics.EVENTS, a.event().subject(), JsonCodec.encodeBytes(a.event()));
        } else if (action instanceof Action.Reply a) {
            // Keyed by the command's id: the gateway waits for exactly that key.
            return new ProducerRecord<>(Topics.COMMAND_REPLIES, a.reply().commandId(), JsonCodec.encodeBytes(a.reply()));
        } else if (action instanceof Action.RecordVersion a) {
            return new ProducerRecord<>(Topics.APP_VERSIONS, Topics.appVersionKey(a.version().appId(),
                    a.version().version()), JsonCodec.encodeBytes(a.version()));
        } else if (action instanceof Action.RecordDeployment a) {
            return new ProducerRecord<>(Topics.DEPLOYMENTS, a.deployment().deploymentId(),
                    JsonCodec.encodeBytes(a.deployment()));
        } else if (action instanceof Action.RemoveDeployment a) {
            return new ProducerRecord<>(Topics.DEPLOYMENTS, a.deploymentId(), null);
        } else if (action instanceof Action.RecordHistory a) {
            return new ProducerRecord<>(Topics.TASK_HISTORY, a.history().appId(), JsonCodec.encodeBytes(a.history()));
        } else if (action instanceof Action.RemoveHistory a) {
            return new ProducerRecord<>(Topics.TASK_HISTORY, a.appId(), null);
        } else if (action instanceof Action.RemoveVersion a) {
            return new ProducerRecord<>(Topics.APP_VERSIONS, Topics.appVersionKey(a.appId(), a.version()), null);
        }
        throw new IllegalArgumentException("unknown action " + action);
    }
}
