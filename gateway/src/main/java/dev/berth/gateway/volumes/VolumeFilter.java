package dev.berth.gateway.volumes;

import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The filters of {@code GET /v1/volumes}, each optional: {@code app} (an app id, with or without its
 * leading slash), {@code node} (the node a volume lives on or is attached to: an operator looking at
 * a node wants both its local volumes and the external ones mounted there) and {@code state}
 * (a {@link VolumeState}, in any case). Checked here, so a bad filter is refused with every reason.
 */
public record VolumeFilter(String appId, String nodeId, VolumeState state) implements Predicate<VolumeSnapshot> {

    public sealed interface Result {
    }

    public record Valid(VolumeFilter filter) implements Result {
    }

    public record Invalid(List<FieldError> errors) implements Result {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    /** Reads the query parameters as given (null when absent). */
    public static Result parse(String app, String node, String state) {
        List<FieldError> errors = new ArrayList<>();
        String appId = null;
        if (app != null) {
            AppIds.Result normalized = AppIds.normalize(app);
            if (normalized.error() != null) {
                errors.add(new FieldError("app", "app must be an app id such as /team-a/db: "
                        + normalized.error()));
            } else {
                appId = normalized.id();
            }
        }
        VolumeState wanted = null;
        if (state != null) {
            try {
                wanted = VolumeState.valueOf(state.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("state", "state must be one of " + Arrays.toString(VolumeState.values())
                        + ", was '" + state + "'"));
            }
        }
        String nodeId = node == null || node.isBlank() ? null : node.trim();
        return errors.isEmpty() ? new Valid(new VolumeFilter(appId, nodeId, wanted)) : new Invalid(errors);
    }

    @Override
    public boolean test(VolumeSnapshot volume) {
        return (appId == null || appId.equals(volume.appId()))
                && (nodeId == null || nodeId.equals(volume.nodeId()) || nodeId.equals(volume.attachedNodeId()))
                && (state == null || state == volume.state());
    }
}
