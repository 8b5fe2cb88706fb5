package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.List;

/**
 * A placement rule in Marathon's syntax, {@code [field, operator, value]}: {@code field} is
 * {@code hostname} or a node attribute ({@code zone}, {@code rack}, …). It is a hard rule: a node
 * that breaks it gets no instance of the app. On the wire it is Marathon's JSON array
 * ({@code ["hostname", "UNIQUE"]}, {@code ["zone", "GROUP_BY", "2"]}), so DC/OS definitions carry over.
 *
 * @param value null for {@code UNIQUE} and for {@code GROUP_BY} without a count
 */
public record Constraint(String field, Operator operator, String value) {

    /** Marathon's constraint operators. Each one's meaning is in {@code docs/placement.md}. */
    public enum Operator {
        /** At most one instance per distinct value of the field. */
        UNIQUE,
        /** Every instance on nodes whose field equals the value. */
        CLUSTER,
        /** Instances spread evenly over the field's values (the value, if given, is how many values exist). */
        GROUP_BY,
        /** Only nodes whose field matches the regular expression. */
        LIKE,
        /** Only nodes whose field does not match the regular expression. */
        UNLIKE,
        /** At most {@code value} instances per distinct value of the field. */
        MAX_PER,
        /** Only nodes whose field equals the value (Marathon's newer name for an exact match). */
        IS
    }

    @JsonCreator
    public static Constraint fromJson(List<String> parts) {
        if (parts == null || parts.size() < 2 || parts.size() > 3) {
            throw new IllegalArgumentException("a constraint is [field, operator] or [field, operator, value]");
        }
        return new Constraint(parts.get(0), Operator.valueOf(parts.get(1)), parts.size() == 3 ? parts.get(2) : null);
    }

    @JsonValue
    public List<String> toJson() {
        List<String> parts = new ArrayList<>(3);
        parts.add(field);
        parts.add(operator.name());
        if (value != null) {
            parts.add(value);
        }
        return parts;
    }

    @Override
    public String toString() {
        return field + " " + operator + (value == null ? "" : " " + value);
    }
}
