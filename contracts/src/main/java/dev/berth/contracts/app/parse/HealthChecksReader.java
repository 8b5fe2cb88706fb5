package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.HealthCheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads Marathon's {@code healthChecks} (HTTP, TCP and COMMAND; Marathon's MESOS_ spellings too).
 * The port a check probes must be one the task has, so it needs the app's port count; a check with
 * any bad field is left out rather than probe something its author did not mean.
 */
public final class HealthChecksReader {
    static final int MAX_HEALTH_CHECKS = 16;
    static final int MAX_HEALTH_SECONDS = 24 * 3600;
    private static final Set<String> FIELDS = Set.of("protocol", "path", "portIndex", "port", "command",
            "gracePeriodSeconds", "intervalSeconds", "timeoutSeconds", "maxConsecutiveFailures", "delaySeconds",
            "ignoreHttp1xx", "ipProtocol");

    private final FieldReader fields;

    public HealthChecksReader(FieldReader fields) {
        this.fields = fields;
    }

    /** {@code portCount}: the task's host ports (definitions on the host, mappings on a bridge). */
    public List<HealthCheck> read(JsonNode node, int portCount) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            fields.error("healthChecks", "healthChecks must be an array such as [{\"protocol\": \"HTTP\", "
                    + "\"path\": \"/health\", \"portIndex\": 0}]");
            return List.of();
        }
        if (node.size() > MAX_HEALTH_CHECKS) {
            fields.error("healthChecks", "at most " + MAX_HEALTH_CHECKS + " health checks, was " + node.size());
            return List.of();
        }
        List<HealthCheck> checks = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            HealthCheck check = healthCheck(node.get(i), "healthChecks[" + i + "]", portCount);
            if (check != null) {
                checks.add(check);
            }
        }
        return checks;
    }

    private HealthCheck healthCheck(JsonNode item, String path, int portCount) {
        if (!item.isObject()) {
            fields.error(path, "must be an object such as {\"protocol\": \"TCP\", \"portIndex\": 0}");
            return null;
        }
        int before = fields.errorCount();
        FieldReader check = fields.at(path);
        check.unknownFields(item, FIELDS);
        HealthCheck.Protocol protocol = protocol(item, path);
        int grace = check.wholeNumber(item, "gracePeriodSeconds", HealthCheck.DEFAULT_GRACE_PERIOD_SECONDS, 0,
                MAX_HEALTH_SECONDS);
        int interval = check.wholeNumber(item, "intervalSeconds", HealthCheck.DEFAULT_INTERVAL_SECONDS, 1,
                MAX_HEALTH_SECONDS);
        int timeout = check.wholeNumber(item, "timeoutSeconds", HealthCheck.DEFAULT_TIMEOUT_SECONDS, 1,
                MAX_HEALTH_SECONDS);
        int maxFailures = check.wholeNumber(item, "maxConsecutiveFailures",
                HealthCheck.DEFAULT_MAX_CONSECUTIVE_FAILURES, 0, 1000);
        int delay = check.wholeNumber(item, "delaySeconds", HealthCheck.DEFAULT_DELAY_SECONDS, 0, MAX_HEALTH_SECONDS);
        if (fields.errorCount() == before && timeout > interval) {
            fields.error(path + ".timeoutSeconds", "timeoutSeconds (" + timeout + ") must not be longer than "
                    + "intervalSeconds (" + interval + "): probes would overlap");
        }
        if (fields.at(path).bool(item, "ignoreHttp1xx", false)) {
            fields.error(path + ".ignoreHttp1xx",
                    "ignoreHttp1xx is not supported: an HTTP check passes on 2xx and 3xx");
        }
        String httpPath = null;
        Integer portIndex = null;
        Integer port = null;
        HealthCheck.Command command = null;
        if (protocol == HealthCheck.Protocol.COMMAND) {
            command = command(item, path);
        } else if (protocol != null) {
            if (item.hasNonNull("command")) {
                fields.error(path + ".command", "only a COMMAND check runs a command; remove it");
            }
            if (item.hasNonNull("port") && item.hasNonNull("portIndex")) {
                fields.error(path, "give port or portIndex, not both");
            } else if (item.hasNonNull("port")) {
                port = check.wholeNumber(item, "port", 0, 1, 65535);
            } else {
                portIndex = check.wholeNumber(item, "portIndex", 0, 0, 1000);
                if (portIndex >= portCount) {
                    fields.error(path + ".portIndex", portCount == 0
                            ? "the app has no ports to check: add portDefinitions or give a port"
                            : "portIndex " + portIndex + " is not one of the app's " + portCount + " ports");
                }
            }
            httpPath = httpPath(item, path, protocol);
        }
        if (fields.errorCount() != before) {
            return null;
        }
        return new HealthCheck(protocol, httpPath, portIndex, port, command, grace, interval, timeout,
                maxFailures, delay);
    }

    /** Null (and reported) for a protocol Berth does not probe. */
    private HealthCheck.Protocol protocol(JsonNode item, String path) {
        return switch (item.path("protocol").asText("HTTP")) {
            case "HTTP", "MESOS_HTTP" -> HealthCheck.Protocol.HTTP;
            case "TCP", "MESOS_TCP" -> HealthCheck.Protocol.TCP;
            case "COMMAND" -> HealthCheck.Protocol.COMMAND;
            case "HTTPS", "MESOS_HTTPS" -> {
                fields.error(path + ".protocol", "HTTPS health checks are not supported yet: use HTTP, TCP or COMMAND");
                yield null;
            }
            default -> {
                fields.error(path + ".protocol", "protocol must be HTTP, TCP or COMMAND (or Marathon's MESOS_HTTP, "
                        + "MESOS_TCP), was " + item.get("protocol"));
                yield null;
            }
        };
    }

    /** A COMMAND check's command; it probes no port and no path, so giving one is refused. */
    private HealthCheck.Command command(JsonNode item, String path) {
        HealthCheck.Command command = null;
        JsonNode value = item.path("command").path("value");
        if (!value.isTextual() || value.asText().isBlank()) {
            fields.error(path + ".command", "a COMMAND check needs {\"command\": {\"value\": \"...\"}}, "
                    + "run by /bin/sh -c; exit code 0 passes");
        } else {
            command = new HealthCheck.Command(value.asText());
        }
        for (String field : List.of("path", "portIndex", "port")) {
            if (item.hasNonNull(field)) {
                fields.error(path + "." + field, field + " means nothing to a COMMAND check; remove it");
            }
        }
        return command;
    }

    /** An HTTP check's path, "/" when not given; null for other protocols, which must not give one. */
    private String httpPath(JsonNode item, String path, HealthCheck.Protocol protocol) {
        JsonNode pathNode = item.path("path");
        if (protocol != HealthCheck.Protocol.HTTP) {
            if (item.hasNonNull("path")) {
                fields.error(path + ".path", "only an HTTP check has a path; remove it");
            }
            return null;
        }
        String httpPath = pathNode.asText("/");
        if (!pathNode.isMissingNode() && !pathNode.isNull() && !pathNode.isTextual()) {
            fields.error(path + ".path", "path must be a string such as \"/health\"");
        } else if (!httpPath.startsWith("/") || httpPath.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            fields.error(path + ".path", "path must start with / and hold no spaces or control characters");
        }
        return httpPath;
    }
}
