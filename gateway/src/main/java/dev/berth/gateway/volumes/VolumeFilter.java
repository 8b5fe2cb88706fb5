package dev.berth.gateway.volumes;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.gateway.query.QueryValues;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The filters of {@code GET /v1/volumes}, each optional and each may repeat (any of its values):
 * {@code app} (an app id, with or without its leading slash), {@code node} (the node a volume lives on
 * or is attached to: an operator looking at a node wants both its local volumes and the external ones
 * mounted there) and {@code state} (a {@link VolumeState}, in any case). Checked here, every value
 * given, so a bad filter is refused with every reason and a good value beside it is no free pass.
 * A blank value filters nothing.
 */
public record VolumeFilter(Set<String> appIds, Set<String> nodeIds, Set<VolumeState> states)
        implements Predicate<VolumeSnapshot> {

    public sealed interface Result {
    }

    public record Valid(VolumeFilter filter) implements Result {
    }

    public record Invalid(List<FieldError> errors) implements Result {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    /** Reads the query parameters as given (empty when absent). */
    public static Result parse(List<String> apps, List<String> nodes, List<String> states) {
        List<FieldError> errors = new ArrayList<>();
        Set<String> appIds = QueryValues.appIds("app", apps, errors);
        Set<VolumeState> wanted = QueryValues.constants("state", states, VolumeState.class, errors);
        Set<String> nodeIds = QueryValues.texts(nodes);
        return errors.isEmpty() ? new Valid(new VolumeFilter(appIds, nodeIds, wanted)) : new Invalid(errors);
    }

    @Override
    public boolean test(VolumeSnapshot volume) {
        return QueryValues.anyOf(appIds, volume.appId())
                && (QueryValues.anyOf(nodeIds, volume.nodeId()) || QueryValues.anyOf(nodeIds, volume.attachedNodeId()))
                && QueryValues.anyOf(states, volume.state());
    }
}
