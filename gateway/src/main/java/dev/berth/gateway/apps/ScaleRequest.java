package dev.berth.gateway.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.json.JsonCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the body of {@code PATCH /v1/apps/{id}}: {@code {"instances": n}} and nothing else. Other
 * fields are refused by name rather than ignored, so nobody believes they changed the command or
 * the resources of an app; full updates come with deployments.
 */
public final class ScaleRequest {
    private ScaleRequest() {
    }

    /** The outcome: the instance count asked for, or every reason the body was refused. */
    public sealed interface Result {
    }

    public record Valid(int instances) implements Result {
    }

    /** Refused; a single error on the field "" means the body is not a JSON object at all. */
    public record Invalid(List<FieldError> errors) implements Result {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    public static Result parse(String body) {
        JsonNode tree;
        try {
            tree = JsonCodec.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            return new Invalid(List.of(new FieldError("", "not valid JSON: " + e.getOriginalMessage())));
        }
        if (tree == null || !tree.isObject()) {
            return new Invalid(List.of(new FieldError("", "send a JSON object such as {\"instances\": 3}")));
        }
        List<FieldError> errors = new ArrayList<>();
        tree.fieldNames().forEachRemaining(name -> {
            if (!name.equals("instances")) {
                errors.add(new FieldError(name, "'" + name + "' cannot be changed here: PATCH takes only "
                        + "instances for now (full updates come with deployments)"));
            }
        });
        int max = AppDefinitionParser.MAX_INSTANCES;
        JsonNode instances = tree.get("instances");
        if (instances == null || instances.isNull()) {
            errors.add(new FieldError("instances", "instances is required: how many should run, 0 to " + max));
        } else if (!instances.isIntegralNumber() || !instances.canConvertToInt()) {
            errors.add(new FieldError("instances", "instances must be a whole number from 0 to " + max));
        } else if (instances.asInt() < 0 || instances.asInt() > max) {
            errors.add(new FieldError("instances", "instances must be from 0 to " + max + ", was "
                    + instances.asInt()));
        }
        return errors.isEmpty() ? new Valid(instances.asInt()) : new Invalid(errors);
    }
}
