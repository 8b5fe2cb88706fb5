package dev.berth.gateway.apps;

import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.commands.CommandBus;
import dev.berth.gateway.view.ClusterView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * A change of an app, end to end: the command sent and accepted by the scheduler ({@link CommandBus#submit},
 * which turns a refusal or silence into the request's answer), then a short wait, at most
 * {@code berth.gateway.view-catch-up-wait}, for the view to show what was accepted. The wait is what
 * makes the answer, and the caller's next read, show the change (read your writes); every resource that
 * changes an app (apps, tasks, deployments) goes through here, so they all wait alike.
 */
@ApplicationScoped
public class AppChanges {
    @Inject
    CommandBus commands;

    @Inject
    ClusterView view;

    @Inject
    GatewayConfig config;

    /**
     * What the scheduler accepted, and the app as the view shows it at that version or later (empty if
     * the view does not have it yet).
     */
    public record Accepted(CommandReply reply, Optional<AppState> app) {
        /** The app version the scheduler's reply names: the ETag of the answer. */
        public long version() {
            return reply.appVersion();
        }
    }

    /** Submits {@code command} and waits for the view to show the app at the version accepted. */
    public Accepted apply(AppCommand command) {
        CommandReply reply = commands.submit(command);
        return new Accepted(reply, appAtLeast(command.appId(), reply.appVersion()));
    }

    /**
     * Submits {@code command} and waits for the view to show the app marked at the version accepted, or
     * gone: the scheduler removes an app with no tasks at once. Whatever the view holds when the wait ends
     * (empty once gone) is the answer's app.
     */
    public Accepted delete(DeleteApp command) {
        CommandReply reply = commands.submit(command);
        long version = reply.appVersion();
        return new Accepted(reply, view.awaitApp(command.appId(),
                s -> s.isEmpty() || s.get().version() >= version, config.viewCatchUpWait()));
    }

    private Optional<AppState> appAtLeast(String appId, long version) {
        return view.awaitApp(appId, s -> s.isPresent() && s.get().version() >= version, config.viewCatchUpWait())
                .filter(s -> s.version() >= version);
    }
}
