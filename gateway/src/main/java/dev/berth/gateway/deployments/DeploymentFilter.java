package dev.berth.gateway.deployments;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.gateway.query.QueryValues;

import java.util.List;
import java.util.function.Predicate;

/**
 * The filters of {@code GET /v1/deployments}, each optional: {@code app} (an app id, with or without
 * its leading slash) and {@code state} (a {@link DeploymentState}, in any case).
 */
public record DeploymentFilter(String appId, DeploymentState state) implements Predicate<Deployment> {

    /** Reads the query parameters as given (null when absent); a bad one lands in {@code errors}. */
    public static DeploymentFilter parse(String app, String state, List<FieldError> errors) {
        return new DeploymentFilter(QueryValues.appId("app", app, errors),
                QueryValues.constant("state", state, DeploymentState.class, errors));
    }

    @Override
    public boolean test(Deployment deployment) {
        return (appId == null || appId.equals(deployment.appId()))
                && (state == null || state == deployment.state());
    }
}
