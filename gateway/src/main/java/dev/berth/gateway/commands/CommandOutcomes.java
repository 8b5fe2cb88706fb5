package dev.berth.gateway.commands;

import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;

import java.time.Duration;

/**
 * The one place that turns the scheduler's answer to an app command (or its silence) into HTTP.
 * A refusal's detail is the scheduler's own reason: it is the authority, and its sentences are
 * written for the operator.
 */
public final class CommandOutcomes {
    /** Long enough for a scheduler failover (leader session timeout plus a rebuild) to be over. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private CommandOutcomes() {
    }

    /** The problem for a reply that is not ACCEPTED: 404, 409 or 422 with the scheduler's reason. */
    public static ProblemException refusal(CommandReply reply) {
        String reason = reply.reason() == null || reply.reason().isBlank()
                ? "the scheduler refused the command (" + reply.outcome() + ") without a reason" : reply.reason();
        Problem problem = switch (reply.outcome()) {
            case NOT_FOUND -> Problem.of(404, "not-found", "Not found", reason);
            case CONFLICT -> Problem.of(409, "conflict", "Conflict with the app's state", reason);
            case INVALID -> Problem.of(422, "refused-by-scheduler", "Refused by the scheduler", reason);
            case ACCEPTED -> throw new IllegalArgumentException("an accepted command is no refusal");
        };
        return new ProblemException(problem);
    }

    /**
     * No reply in time. The command is in Kafka (the broker acknowledged it), so it is not lost: the
     * scheduler will carry it out when it reads it. Say so, so that a client does not send a create again
     * (which would then be refused as existing) but reads the app after Retry-After.
     */
    public static ProblemException unanswered(AppCommand command, Duration waited) {
        return new ProblemException(Problem.of(503, "scheduler-unavailable", "Scheduler did not answer",
                "the command " + command.id() + " (" + command.getClass().getSimpleName() + " of " + command.appId()
                        + ") is in Kafka, but no scheduler answered within " + waited.toMillis() + " ms; it will "
                        + "be carried out when a scheduler is back. Do not send it again: read the app after "
                        + "Retry-After to see whether it took effect."), RETRY_AFTER);
    }
}
