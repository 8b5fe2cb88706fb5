package dev.berth.gateway.volumes;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.gateway.query.QueryValues;

import java.util.ArrayList;
import java.util.List;
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
        String appId = QueryValues.appId("app", app, errors);
        VolumeState wanted = QueryValues.constant("state", state, VolumeState.class, errors);
        String nodeId = QueryValues.text(node);
        return errors.isEmpty() ? new Valid(new VolumeFilter(appId, nodeId, wanted)) : new Invalid(errors);
    }

    @Override
    public boolean test(VolumeSnapshot volume) {
        return (appId == null || appId.equals(volume.appId()))
                && (nodeId == null || nodeId.equals(volume.nodeId()) || nodeId.equals(volume.attachedNodeId()))
                && (state == null || state == volume.state());
    }
}
