package dev.berth.gateway.apps;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.FieldError;
import dev.berth.gateway.query.QueryValues;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The filters of {@code GET /v1/apps}, each optional: {@code team} (exactly the first segment of
 * the app id: {@code team-a} for {@code /team-a/web}) and {@code label}, {@code key} (the label is
 * there) or {@code key=value} (with that value), which may repeat: an app matches all of them.
 *
 */
public record AppFilter(String team, List<Label> labels) implements Predicate<AppDefinition> {
    // Each label is one more check on every app; a few suffice to select, thousands are an attack.
    static final int MAX_LABELS = 32;

    /** A label the app must carry; {@code value} null when any value will do. */
    public record Label(String key, String value) {
        boolean on(AppDefinition app) {
            return app.labels().containsKey(key) && (value == null || value.equals(app.labels().get(key)));
        }
    }

    /** Reads the query parameters as given ({@code team} null, {@code labels} empty when absent). */
    public static AppFilter parse(String team, List<String> labels, List<FieldError> errors) {
        List<Label> wanted = new ArrayList<>();
        if (labels.size() > MAX_LABELS) {
            errors.add(new FieldError("label", "at most " + MAX_LABELS + " label filters, were " + labels.size()));
            return new AppFilter(QueryValues.text(team), wanted);
        }
        for (String label : labels) {
            int eq = label.indexOf('=');
            String key = (eq < 0 ? label : label.substring(0, eq)).trim();
            if (key.isEmpty()) {
                errors.add(new FieldError("label", "label must be key or key=value, was '" + label + "'"));
            } else {
                wanted.add(new Label(key, eq < 0 ? null : label.substring(eq + 1)));
            }
        }
        return new AppFilter(QueryValues.text(team), wanted);
    }

    @Override
    public boolean test(AppDefinition app) {
        return (team == null || team.equals(teamOf(app.id())))
                && labels.stream().allMatch(label -> label.on(app));
    }

    /** The first segment of an app id: {@code /team-a/web} → {@code team-a}. */
    static String teamOf(String appId) {
        int end = appId.indexOf('/', 1);
        return end < 0 ? appId.substring(1) : appId.substring(1, end);
    }
}
