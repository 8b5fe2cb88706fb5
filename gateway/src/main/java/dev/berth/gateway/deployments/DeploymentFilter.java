package dev.berth.gateway.deployments;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.gateway.query.QueryValues;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The filters of {@code GET /v1/deployments}, each optional and each may repeat (any of its values):
 * {@code app} (an app id, with or without its leading slash) and {@code state} (a {@link DeploymentState},
 * in any case). Every value given is checked, not only the first: {@code ?state=&state=<script>} is
 * refused, not read as no filter. A blank value filters nothing.
 */
public record DeploymentFilter(Set<String> appIds, Set<DeploymentState> states) implements Predicate<Deployment> {

    /** Reads the query parameters as given (empty when absent); each bad value lands in {@code errors}. */
    public static DeploymentFilter parse(List<String> apps, List<String> states, List<FieldError> errors) {
        Set<String> appIds = new HashSet<>();
        for (String app : apps == null ? List.<String>of() : apps) {
            String id = app == null || app.isBlank() ? null : QueryValues.appId("app", app, errors);
            if (id != null) {
                appIds.add(id);
            }
        }
        Set<DeploymentState> wanted = EnumSet.noneOf(DeploymentState.class);
        for (String state : states == null ? List.<String>of() : states) {
            DeploymentState parsed = state == null || state.isBlank() ? null
                    : QueryValues.constant("state", state, DeploymentState.class, errors);
            if (parsed != null) {
                wanted.add(parsed);
            }
        }
        return new DeploymentFilter(Set.copyOf(appIds), Set.copyOf(wanted));
    }

    @Override
    public boolean test(Deployment deployment) {
        return (appIds.isEmpty() || appIds.contains(deployment.appId()))
                && (states.isEmpty() || states.contains(deployment.state()));
    }
}
