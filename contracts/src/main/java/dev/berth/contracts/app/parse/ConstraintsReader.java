package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.Constraint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads Marathon's {@code constraints}: an array of {@code [field, operator]} or
 * {@code [field, operator, value]}. Every item is checked in full, so one answer names every bad
 * rule; a bad rule is left out rather than placed by a guess.
 */
public final class ConstraintsReader {
    private final FieldReader fields;

    public ConstraintsReader(FieldReader fields) {
        this.fields = fields;
    }

    public List<Constraint> read(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            fields.error("constraints", "constraints must be an array of [field, operator, value] arrays, "
                    + "such as [[\"hostname\", \"UNIQUE\"]]");
            return List.of();
        }
        List<Constraint> constraints = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            Constraint constraint = constraint(node.get(i), "constraints[" + i + "]");
            if (constraint != null) {
                constraints.add(constraint);
            }
        }
        return constraints;
    }

    private Constraint constraint(JsonNode item, String path) {
        if (!item.isArray() || item.size() < 2 || item.size() > 3) {
            fields.error(path, "a constraint is [field, operator] or [field, operator, value], "
                    + "such as [\"zone\", \"GROUP_BY\", \"2\"]");
            return null;
        }
        for (JsonNode part : item) {
            if (!part.isTextual()) {
                fields.error(path, "every part of a constraint is a string; write numbers in quotes, e.g. \"2\"");
                return null;
            }
        }
        String field = item.get(0).asText();
        String operatorName = item.get(1).asText();
        // An empty value is no value: some tools write ["hostname", "UNIQUE", ""].
        String value = item.size() == 3 && !item.get(2).asText().isEmpty() ? item.get(2).asText() : null;
        boolean ok = true;
        if (field.isBlank()) {
            fields.error(path, "the field of a constraint is hostname, isolation or a node attribute, and "
                    + "cannot be empty");
            ok = false;
        }
        Constraint.Operator operator;
        try {
            operator = Constraint.Operator.valueOf(operatorName);
        } catch (IllegalArgumentException e) {
            fields.error(path, "unknown operator '" + operatorName + "': use one of "
                    + String.join(", ", Arrays.stream(Constraint.Operator.values()).map(Enum::name).toList()));
            return null;
        }
        String problem = switch (operator) {
            case UNIQUE -> value == null ? null : "UNIQUE takes no value: write [\"" + field + "\", \"UNIQUE\"]";
            case CLUSTER, IS -> value == null ? operator + " needs the value nodes must have" : null;
            case LIKE, UNLIKE -> value == null ? operator + " needs a regular expression" : regexProblem(value);
            case MAX_PER -> value == null ? "MAX_PER needs the most instances per " + field + ", e.g. \"2\""
                    : countProblem(operator, value);
            case GROUP_BY -> value == null ? null : countProblem(operator, value);
        };
        if (problem != null) {
            fields.error(path, problem);
            ok = false;
        }
        return ok ? new Constraint(field, operator, value) : null;
    }

    private static String regexProblem(String regex) {
        try {
            Pattern.compile(regex);
            return null;
        } catch (PatternSyntaxException e) {
            return "'" + regex + "' is not a valid regular expression: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "");
        }
    }

    private static String countProblem(Constraint.Operator operator, String value) {
        if (value.matches("[0-9]{1,9}") && Integer.parseInt(value) >= 1) {
            return null;
        }
        return operator + " takes a whole number of at least 1, was '" + value + "'";
    }
}
