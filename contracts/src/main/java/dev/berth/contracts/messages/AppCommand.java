package dev.berth.contracts.messages;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A request to change an app, on {@code berth.app-commands} keyed by app id. Written by the
 * gateway after it has validated the request; read by the active scheduler, which decides and
 * records the outcome on {@code berth.apps} and answers each one with a {@link CommandReply} on
 * {@code berth.command-replies}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = CreateApp.class, name = "CreateApp"),
        @JsonSubTypes.Type(value = DeleteApp.class, name = "DeleteApp"),
        @JsonSubTypes.Type(value = ScaleApp.class, name = "ScaleApp"),
        @JsonSubTypes.Type(value = RestartApp.class, name = "RestartApp"),
        @JsonSubTypes.Type(value = ReplaceInstance.class, name = "ReplaceInstance"),
        @JsonSubTypes.Type(value = UpdateApp.class, name = "UpdateApp"),
        @JsonSubTypes.Type(value = KillAppTask.class, name = "KillAppTask"),
        @JsonSubTypes.Type(value = PromoteDeployment.class, name = "PromoteDeployment"),
        @JsonSubTypes.Type(value = RollbackDeployment.class, name = "RollbackDeployment"),
        @JsonSubTypes.Type(value = RollbackApp.class, name = "RollbackApp")
})
public sealed interface AppCommand extends Message
        permits CreateApp, DeleteApp, ScaleApp, RestartApp, ReplaceInstance, UpdateApp, KillAppTask,
        PromoteDeployment, RollbackDeployment, RollbackApp {
    /** The app the command is about: its key on the topic. */
    String appId();
}
