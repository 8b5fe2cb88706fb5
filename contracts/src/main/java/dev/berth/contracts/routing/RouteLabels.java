package dev.berth.contracts.routing;

import dev.berth.contracts.app.FieldError;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an app's routes from its labels, marathon-lb's way (its users know it): per port index N,
 * {@code BERTH_ROUTE_N_PATH}, {@code BERTH_ROUTE_N_VHOST}, {@code BERTH_ROUTE_N_STRIP},
 * {@code BERTH_ROUTE_N_AFFINITY} and {@code BERTH_ROUTE_N_AFFINITY_HEADER}; and for the whole app
 * {@code BERTH_ROUTE_DRAIN_SECONDS}. marathon-lb's {@code HAPROXY_N_PATH}, {@code HAPROXY_N_VHOST} and
 * {@code HAPROXY_N_STICKY} are read as aliases, so DC/OS definitions carry over; Berth's own label
 * wins where both are set. Pure: the gateway checks a definition with it, the scheduler decides
 * routes with it, the router never needs it.
 */
public final class RouteLabels {
    /** How long a task's open requests may finish after the router stopped sending it new ones. */
    public static final int DEFAULT_DRAIN_SECONDS = 5;
    /** The header TRANSACTION affinity reads when the app names none. */
    public static final String DEFAULT_TRANSACTION_HEADER = "X-Transaction-Id";
    public static final String DRAIN_SECONDS = "BERTH_ROUTE_DRAIN_SECONDS";
    private static final Pattern ROUTE_LABEL = Pattern.compile("(BERTH_ROUTE|HAPROXY)_(\\d{1,3})_([A-Z_]+)");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*");
    private static final Pattern HOST = Pattern.compile("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");

    private RouteLabels() {
    }

    /** An app's routes and the labels refused, each with why. */
    public record Read(List<RouteClaim> claims, int drainSeconds, List<FieldError> errors) {
    }

    /** The routes {@code labels} ask for, for an app with {@code ports} port definitions or mappings. */
    public static Read read(Map<String, String> labels, int ports) {
        List<FieldError> errors = new ArrayList<>();
        Map<Integer, Map<String, String>> byPort = new TreeMap<>();
        labels.forEach((name, value) -> {
            Matcher label = ROUTE_LABEL.matcher(name);
            if (!label.matches()) {
                return;
            }
            String field = label.group(3);
            boolean alias = label.group(1).equals("HAPROXY");
            if (alias && !(field.equals("PATH") || field.equals("VHOST") || field.equals("STICKY"))) {
                return; // marathon-lb's other labels (its templates, its groups) mean nothing here
            }
            // Berth's own label wins over marathon-lb's alias for the same field.
            Map<String, String> fields = byPort.computeIfAbsent(Integer.parseInt(label.group(2)), n -> new TreeMap<>());
            if (!alias || !fields.containsKey(field)) {
                fields.put(field, value);
            }
        });
        List<RouteClaim> claims = new ArrayList<>();
        byPort.forEach((index, fields) -> {
            RouteClaim claim = claim(index, fields, ports, errors);
            if (claim != null) {
                claims.add(claim);
            }
        });
        return new Read(List.copyOf(claims), drainSeconds(labels.get(DRAIN_SECONDS), errors), List.copyOf(errors));
    }

    private static RouteClaim claim(int index, Map<String, String> fields, int ports, List<FieldError> errors) {
        String at = "labels.BERTH_ROUTE_" + index + "_";
        int before = errors.size();
        for (String field : fields.keySet()) {
            if (!List.of("PATH", "VHOST", "STRIP", "AFFINITY", "AFFINITY_HEADER", "STICKY").contains(field)) {
                errors.add(new FieldError(at + field, "not a route label: use PATH, VHOST, STRIP, AFFINITY or AFFINITY_HEADER"));
            }
        }
        String path = fields.get("PATH");
        String vhost = fields.get("VHOST") == null ? null : fields.get("VHOST").strip().toLowerCase(Locale.ROOT);
        if (path == null && vhost == null) {
            errors.add(new FieldError(at + "PATH", "a route needs a PATH or a VHOST"));
        }
        if (path != null && (!PATH.matcher(path).matches() || path.contains("//") || path.contains("/../")
                || path.endsWith("/.."))) {
            errors.add(new FieldError(at + "PATH", "not a path prefix: '" + path + "' (e.g. /team-a/hello)"));
        }
        if (vhost != null && !HOST.matcher(vhost).matches()) {
            errors.add(new FieldError(at + "VHOST", "not a host name: '" + vhost + "'"));
        }
        if (index >= ports) {
            errors.add(new FieldError(at + "PATH", "the app has no port with index " + index
                    + (ports == 0 ? " (it declares no ports)" : " (it declares " + ports + ")")));
        }
        boolean strip = true;
        if (fields.containsKey("STRIP")) {
            String value = fields.get("STRIP").strip().toLowerCase(Locale.ROOT);
            if (!value.equals("true") && !value.equals("false")) {
                errors.add(new FieldError(at + "STRIP", "true or false, not '" + fields.get("STRIP") + "'"));
            }
            strip = !value.equals("false");
        }
        RouteAffinity affinity = RouteAffinity.NONE;
        if (fields.containsKey("AFFINITY")) {
            try {
                affinity = RouteAffinity.valueOf(fields.get("AFFINITY").strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(at + "AFFINITY", "none, session, transaction or server, not '"
                        + fields.get("AFFINITY") + "'"));
            }
        } else if ("true".equalsIgnoreCase(fields.getOrDefault("STICKY", "").strip())) {
            affinity = RouteAffinity.SESSION;
        }
        String header = fields.get("AFFINITY_HEADER");
        if (header != null && !HEADER.matcher(header.strip()).matches()) {
            errors.add(new FieldError(at + "AFFINITY_HEADER", "not a header name: '" + header + "'"));
        }
        if (header != null && (affinity == RouteAffinity.NONE || affinity == RouteAffinity.SESSION)) {
            errors.add(new FieldError(at + "AFFINITY_HEADER", "only transaction and server affinity read a header"));
        }
        if (affinity == RouteAffinity.TRANSACTION && header == null) {
            header = DEFAULT_TRANSACTION_HEADER;
        }
        if (errors.size() > before) {
            return null;
        }
        return new RouteClaim(index, path, vhost, strip, affinity, header == null ? null : header.strip());
    }

    private static int drainSeconds(String value, List<FieldError> errors) {
        if (value == null) {
            return DEFAULT_DRAIN_SECONDS;
        }
        try {
            int seconds = Integer.parseInt(value.strip());
            if (seconds >= 0 && seconds <= 3600) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        errors.add(new FieldError("labels." + DRAIN_SECONDS, "a whole number of seconds from 0 to 3600, not '" + value + "'"));
        return DEFAULT_DRAIN_SECONDS;
    }
}
