package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.FieldError;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads typed fields of one JSON object and collects what is wrong with them, each error under its
 * field's full path ({@code healthChecks[0].intervalSeconds}), so that one answer lists every bad
 * field instead of stopping at the first. Every section reader shares one error list through it.
 *
 * <p>A reader made by {@link #at(String)} reads the fields of a nested object: it reports under
 * {@code path.field} while its messages still name the bare field, as an operator writes it.
 * An absent field and a JSON {@code null} both mean "not given" and yield the fallback.
 */
public final class FieldReader {
    private static final Pattern ENV_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");

    private final List<FieldError> errors;
    /** The path of the object this reader reads; "" at the top level. */
    private final String prefix;

    public FieldReader() {
        this(new ArrayList<>(), "");
    }

    private FieldReader(List<FieldError> errors, String prefix) {
        this.errors = errors;
        this.prefix = prefix;
    }

    /** A reader of the object at {@code path} (a full path), sharing this reader's errors. */
    public FieldReader at(String path) {
        return new FieldReader(errors, path);
    }

    /** Records an error under {@code path}, a full path taken as it is (no prefix is added). */
    public void error(String path, String message) {
        errors.add(new FieldError(path, message));
    }

    /** How many errors have been recorded so far: a section compares it before and after it reads. */
    public int errorCount() {
        return errors.size();
    }

    public List<FieldError> errors() {
        return List.copyOf(errors);
    }

    /** The full path of {@code field} of the object this reader reads. */
    public String path(String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }

    /** Refuses every field of {@code node} not in {@code known}: a typo should not pass unnoticed. */
    public void unknownFields(JsonNode node, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                error(path(name), "unknown field '" + name + "'");
            }
        }
    }

    public String optionalString(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            error(path(field), field + " must be a non-empty string");
            return null;
        }
        return node.asText();
    }

    /** A string that must be given; {@code meaning} tells the operator what to put there. */
    public String requiredString(JsonNode object, String field, String meaning) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            error(path(field), field + " is required: " + meaning);
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            error(path(field), field + " must be a non-empty string: " + meaning);
            return null;
        }
        return node.asText();
    }

    /** Null when not given; otherwise the strings read, every non-string item reported by its index. */
    public List<String> stringList(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            error(path(field), field + " must be an array of strings");
            return null;
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                error(path(field) + "[" + i + "]", "must be a string");
            } else {
                values.add(node.get(i).asText());
            }
        }
        return values;
    }

    /** A whole number from min to max; one out of range is reported and still returned. */
    public int wholeNumber(JsonNode object, String field, int fallback, int min, int max) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            error(path(field), field + " must be a whole number from " + min + " to " + max);
            return fallback;
        }
        int value = node.asInt();
        if (value < min || value > max) {
            error(path(field), field + " must be from " + min + " to " + max + ", was " + value);
        }
        return value;
    }

    /** A finite number from min to max; one out of range is reported and still returned. */
    public double number(JsonNode object, String field, double fallback, double min, double max) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
            error(path(field), field + " must be a number");
            return fallback;
        }
        double value = node.asDouble();
        if (value < min || value > max) {
            error(path(field), field + " must be from " + plain(min) + " to " + plain(max) + ", was " + node.asText());
        }
        return value;
    }

    /** 16777216, not 1.6777216E7: bounds are written as an operator would write them. */
    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    public boolean bool(JsonNode object, String field, boolean fallback) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            error(path(field), field + " must be true or false");
            return fallback;
        }
        return node.asBoolean();
    }

    /**
     * An object of string values (numbers and booleans are taken as their text), in the order given.
     * {@code namesAreEnvVars} also checks each name is a valid environment variable name.
     */
    public Map<String, String> stringMap(JsonNode object, String field, boolean namesAreEnvVars) {
        JsonNode node = object.get(field);
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isObject()) {
            error(path(field), field + " must be an object of string values");
            return values;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String entryPath = path(field) + "." + entry.getKey();
            if (namesAreEnvVars && !ENV_NAME.matcher(entry.getKey()).matches()) {
                error(entryPath, "'" + entry.getKey() + "' is not a valid environment variable name");
            } else if (entry.getValue().isObject() && entry.getValue().has("secret")) {
                error(entryPath, "secret references are not supported yet; give a string value");
            } else if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                error(entryPath, "must be a string");
            } else {
                values.put(entry.getKey(), entry.getValue().asText());
            }
        }
        return values;
    }

    /** One of an enum's names; {@code anyCase} accepts "spread" for SPREAD. */
    public <E extends Enum<E>> E enumValue(JsonNode object, String field, Class<E> type, E fallback,
                                           boolean anyCase) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        String names = String.join(" or ", Arrays.stream(type.getEnumConstants())
                .map(Enum::name).toList());
        if (node.isTextual()) {
            String text = anyCase ? node.asText().toUpperCase(Locale.ROOT) : node.asText();
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(text)) {
                    return constant;
                }
            }
        }
        error(path(field), field + " must be " + names + ", was " + node);
        return fallback;
    }
}
