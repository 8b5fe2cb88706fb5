package dev.berth.scheduler.core;

import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.VolumeCommand;

/**
 * One step of a plan the scheduler core decided on. The Kafka edge commits a batch of them in one
 * transaction (state topics, node commands and volume commands together), so a crash never leaves a
 * launch without its task record, nor a record without its launch or its volume attachments.
 */
public sealed interface Action {
    /** Write the app's desired state to {@code berth.apps}. */
    record RecordApp(AppState app) implements Action {
    }

    /** Tombstone the app on {@code berth.apps}: it is deleted and all its tasks are gone. */
    record RemoveApp(String appId) implements Action {
    }

    /** Write the task's record to {@code berth.tasks}. */
    record RecordTask(TaskRecord task) implements Action {
    }

    /** Tombstone the task on {@code berth.tasks}: it ended and is not wanted any more. */
    record RemoveTask(String taskId) implements Action {
    }

    /** Send a launch, a kill or a volume's destruction to one node on {@code berth.node-commands}. */
    record SendToNode(NodeCommand command) implements Action {
    }

    /**
     * Send an attach, detach, fence, release or delete to the volume service on
     * {@code berth.volume-commands}, keyed by volume id: commands about one volume are carried out in
     * the order they were decided (a fence before the attach that follows it, a release before a delete).
     */
    record SendToVolumes(VolumeCommand command) implements Action {
    }

    /** Write why the app's instances wait to {@code berth.queue}. */
    record RecordQueue(AppQueue queue) implements Action {
    }

    /** Tombstone the app on {@code berth.queue}: nothing of it waits any more. */
    record RemoveQueue(String appId) implements Action {
    }

    /**
     * Publish a public event on {@code berth.events}, keyed by its subject. Emitted next to the record of
     * the change it announces (see {@link Announcements}), so both commit in one transaction or neither.
     */
    record Announce(CloudEvent event) implements Action {
    }

    /**
     * Answer an app command on {@code berth.command-replies}, keyed by the command's id. Committed with
     * the change it reports, so the gateway (reading committed records) never sees an ACCEPTED for a
     * change that was rolled back.
     */
    record Reply(CommandReply reply) implements Action {
    }

    /** Write one accepted version of an app to {@code berth.app-versions}, keyed {@code appId@version}. */
    record RecordVersion(AppVersion version) implements Action {
    }

    /** Tombstone one version of an app on {@code berth.app-versions}: pruned, or the app is gone. */
    record RemoveVersion(String appId, long version) implements Action {
    }

    /** Write what became of an app's tasks to {@code berth.task-history}, keyed by app id. */
    record RecordHistory(dev.berth.contracts.messages.AppTaskHistory history) implements Action {
    }

    /** Tombstone an app's task history on {@code berth.task-history}: the app is gone. */
    record RemoveHistory(String appId) implements Action {
    }

    /** Write an app's routes, as decided, to {@code berth.routes}. */
    record RecordRoutes(dev.berth.contracts.messages.AppRoutes routes) implements Action {
    }

    /** The app has no routes any more: a tombstone on {@code berth.routes}. */
    record RemoveRoutes(String appId) implements Action {
    }

    /** Write a deployment's whole state to {@code berth.deployments}, keyed by its id. */
    record RecordDeployment(dev.berth.contracts.messages.Deployment deployment) implements Action {
    }

    /** Tombstone a deployment on {@code berth.deployments}: out of the app's history, or the app is gone. */
    record RemoveDeployment(String deploymentId) implements Action {
    }
}
