package dev.berth.gateway.deployments;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.gateway.query.QueryValues;

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
        return new DeploymentFilter(QueryValues.appIds("app", apps, errors),
                QueryValues.constants("state", states, DeploymentState.class, errors));
    }

    @Override
    public boolean test(Deployment deployment) {
        return QueryValues.anyOf(appIds, deployment.appId()) && QueryValues.anyOf(states, deployment.state());
    }
}
