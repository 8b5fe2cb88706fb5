package dev.berth.scheduler.kafka;

import dev.berth.contracts.Topics;
import dev.berth.contracts.trace.RecordTracing;
import dev.berth.scheduler.core.Action;
import io.opentelemetry.api.trace.Span;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What each {@link Action} of the core is on the wire: which topic's record (or tombstone) it is; the
 * topic ({@link Topics}) gives the key and the encoding.
 *
 * <p>Why a class of its own: the core decides in plain Java and knows no topics; this one mapping is
 * the only place that does, so a new action gets its record here and nowhere else.
 */
final class ActionRecords {
    private ActionRecords() {
    }

    /**
     * The record of {@code action}, carrying the trace context of {@code cause} (the span of the input or
     * the tick that decided it; an invalid span for none): in its headers, and an event in its
     * {@code traceparent} attribute too.
     */
    static ProducerRecord<String, byte[]> toRecord(Action action, Span cause) {
        if (action instanceof Action.Announce a && cause.getSpanContext().isValid()) {
            action = new Action.Announce(a.event().withTraceparent(RecordTracing.traceparent(cause)));
        }
        return RecordTracing.carry(cause, toRecord(action));
    }

    static ProducerRecord<String, byte[]> toRecord(Action action) {
        if (action instanceof Action.RecordApp a) {
            return Topics.APPS.record(a.app());
        } else if (action instanceof Action.RemoveApp a) {
            return Topics.APPS.tombstone(a.appId());
        } else if (action instanceof Action.RecordTask a) {
            return Topics.TASKS.record(a.task());
        } else if (action instanceof Action.RemoveTask a) {
            return Topics.TASKS.tombstone(a.taskId());
        } else if (action instanceof Action.SendToNode a) {
            return Topics.NODE_COMMANDS.record(a.command());
        } else if (action instanceof Action.RecordQueue a) {
            return Topics.QUEUE.record(a.queue());
        } else if (action instanceof Action.RemoveQueue a) {
            return Topics.QUEUE.tombstone(a.appId());
        } else if (action instanceof Action.SendToVolumes a) {
            return Topics.VOLUME_COMMANDS.record(a.command());
        } else if (action instanceof Action.Announce a) {
            // Keyed by subject: on a keyed topic the events about one thing stay in order for any reader.
            return Topics.EVENTS.record(a.event());
        } else if (action instanceof Action.Reply a) {
            // Keyed by the command's id: the gateway waits for exactly that key.
            return Topics.COMMAND_REPLIES.record(a.reply());
        } else if (action instanceof Action.RecordVersion a) {
            return Topics.APP_VERSIONS.record(a.version());
        } else if (action instanceof Action.RemoveVersion a) {
            return Topics.APP_VERSIONS.tombstone(new Topics.AppVersionKey(a.appId(), a.version()));
        } else if (action instanceof Action.RecordDeployment a) {
            return Topics.DEPLOYMENTS.record(a.deployment());
        } else if (action instanceof Action.RemoveDeployment a) {
            return Topics.DEPLOYMENTS.tombstone(a.deploymentId());
        } else if (action instanceof Action.RecordHistory a) {
            return Topics.TASK_HISTORY.record(a.history());
        } else if (action instanceof Action.RemoveHistory a) {
            return Topics.TASK_HISTORY.tombstone(a.appId());
        } else if (action instanceof Action.RecordRoutes a) {
            return Topics.ROUTES.record(a.routes());
        } else if (action instanceof Action.RemoveRoutes a) {
            return Topics.ROUTES.tombstone(a.appId());
        }
        throw new IllegalArgumentException("unknown action " + action);
    }
}
