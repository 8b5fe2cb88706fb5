package dev.berth.contracts.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.berth.contracts.json.JsonCodec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Marathon-style app definition, fills Marathon's defaults, and explains every field it
 * refuses. It works on the JSON tree rather than binding straight to a record so that it can tell
 * apart an unknown field (a typo), a Marathon field Berth does not support yet, and a bad value,
 * and report all of them at once instead of stopping at the first.
 */
public final class AppDefinitionParser {

    /** The most instances one app may ask for; also the bound of a scale request. */
    public static final int MAX_INSTANCES = 10_000;
    static final double MAX_CPUS = 1024;
    static final double MAX_MEM_MIB = 16L * 1024 * 1024;
    static final double MAX_DISK_MIB = 1024L * 1024 * 1024;
    private static final Pattern PORT_NAME = Pattern.compile("^[a-z0-9-]+$");
    private static final Pattern ENV_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");

    private static final Set<String> SUPPORTED = Set.of("id", "cmd", "args", "instances", "cpus", "mem", "disk",
            "env", "labels", "portDefinitions", "requirePorts", "container", "acceptedResourceRoles",
            "constraints", "affinity", "placementStrategy", "backoffSeconds", "backoffFactor",
            "maxLaunchDelaySeconds", "taskKillGracePeriodSeconds", "killSelection", "healthChecks", "user",
            "isolation", "networks", "unreachableStrategy", "upgradeStrategy",
            // Nomad-style spellings the issue uses; folded into upgradeStrategy.
            "autoRollback", "progressDeadlineSeconds",
            // Marathon returns these on GET; an exported definition posted back must still be accepted.
            "version", "versionInfo");

    /**
     * Marathon fields Berth does not run yet. Each is accepted only with a value that changes nothing
     * (absent, null, empty, or Marathon's own default), so exported definitions still load.
     */
    private static final Map<String, Set<String>> NOT_YET_SUPPORTED = Map.ofEntries(
            Map.entry("readinessChecks", Set.of("[]")),
            Map.entry("dependencies", Set.of("[]")),
            Map.entry("executor", Set.of("\"\"", "\"//cmd\"")),
            Map.entry("fetch", Set.of("[]")),
            Map.entry("uris", Set.of("[]")),
            Map.entry("storeUrls", Set.of("[]")),
            Map.entry("gpus", Set.of("0")),
            Map.entry("ipAddress", Set.of()),
            Map.entry("residency", Set.of()),
            Map.entry("secrets", Set.of("{}")),
            Map.entry("tty", Set.of("false")),
            Map.entry("role", Set.of("\"*\"")),
            Map.entry("resourceLimits", Set.of("{}")),
            Map.entry("ports", Set.of()));

    private static final Set<String> PORT_DEFINITION_FIELDS = Set.of("port", "name", "protocol", "labels");
    private static final Set<String> CONTAINER_FIELDS = Set.of("type", "volumes", "docker", "portMappings");
    private static final Set<String> PORT_MAPPING_FIELDS = Set.of("containerPort", "hostPort", "servicePort",
            "protocol", "name", "labels", "networkNames");
    private static final Set<String> NETWORK_FIELDS = Set.of("mode", "name", "labels");
    private static final Set<String> AFFINITY_FIELDS = Set.of("field", "value", "weight");
    private static final Set<String> HEALTH_CHECK_FIELDS = Set.of("protocol", "path", "portIndex", "port", "command",
            "gracePeriodSeconds", "intervalSeconds", "timeoutSeconds", "maxConsecutiveFailures", "delaySeconds",
            "ignoreHttp1xx", "ipProtocol");
    private static final Set<String> UPGRADE_STRATEGY_FIELDS = Set.of("minimumHealthCapacity",
            "maximumOverCapacity", "canary", "autoPromote", "autoRollback", "progressDeadlineSeconds");
    private static final Set<String> ISOLATION_FIELDS = Set.of("network", "pidsLimit", "enforceDisk", "filesystem");
    /** Marathon's default on a bridge network without portMappings: one port, the host's number inside too. */
    private static final List<PortMapping> DEFAULT_MAPPINGS = List.of(new PortMapping(0, 0, "tcp", null, Map.of()));
    /** POSIX's portable user names (as useradd accepts them). */
    private static final Pattern USER_NAME = Pattern.compile("^[a-z_][a-z0-9_-]{0,30}\\$?$");
    static final int MAX_HEALTH_CHECKS = 16;
    static final int MAX_HEALTH_SECONDS = 24 * 3600;
    static final int MAX_PIDS_LIMIT = 4_194_304;

    /*
     * The restart delays are Marathon's, unbounded there; Berth caps them at a year so that the
     * scheduler's delay arithmetic (seconds × factor^n, as an Instant) can never overflow.
     */
    static final double MAX_DELAY_SECONDS = 365L * 24 * 3600;
    static final double MAX_BACKOFF_FACTOR = 1000;
    static final int MAX_KILL_GRACE_PERIOD_SECONDS = 3600;
    static final int MAX_AFFINITY_WEIGHT = 100;

    private AppDefinitionParser() {
    }

    /** Parses JSON text; malformed JSON is one error on the field "" (the whole body). */
    public static ParsedApp parse(String json) {
        JsonNode tree;
        try {
            tree = JsonCodec.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            return new ParsedApp.Invalid(List.of(new FieldError("", "not valid JSON: " + e.getOriginalMessage())));
        }
        return parse(tree);
    }

    public static ParsedApp parse(JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            return new ParsedApp.Invalid(List.of(new FieldError("", "an app definition must be a JSON object")));
        }
        Reader r = new Reader();
        r.checkFieldNames(tree);
        String id = r.id(tree.get("id"));
        String cmd = r.optionalString(tree, "cmd");
        List<String> args = r.stringList(tree, "args");
        if (cmd != null && args != null) {
            r.error("cmd", "give either cmd or args, not both");
        } else if (cmd == null && args == null) {
            r.error("cmd", "a command is required: set cmd (run by /bin/sh -c) or args (run directly)");
        } else if (args != null && args.isEmpty()) {
            r.error("args", "args must name at least the program to run");
        }
        int instances = r.wholeNumber(tree, "instances", 1, 0, MAX_INSTANCES);
        double cpus = r.number(tree, "cpus", 1, 0.001, MAX_CPUS);
        double mem = r.number(tree, "mem", 128, 0, MAX_MEM_MIB);
        double disk = r.number(tree, "disk", 0, 0, MAX_DISK_MIB);
        Map<String, String> env = r.stringMap(tree, "env", true);
        Map<String, String> labels = r.stringMap(tree, "labels", false);
        boolean requirePorts = r.bool(tree, "requirePorts", false);
        // The network decides how ports are declared (definitions on the host, mappings on a bridge).
        Isolation.Network fromNetworks = r.networks(tree.get("networks"));
        Isolation isolation = r.isolation(tree.get("isolation"), fromNetworks);
        Isolation.Network network = isolation.network();
        List<PortDefinition> ports = r.portDefinitions(tree.get("portDefinitions"), requirePorts, network);
        Container container = r.container(tree.get("container"), network);
        r.acceptedResourceRoles(tree.get("acceptedResourceRoles"));
        List<Constraint> constraints = r.constraints(tree.get("constraints"));
        List<Affinity> affinity = r.affinity(tree.get("affinity"));
        PlacementStrategy strategy = r.enumValue(tree, "placementStrategy", PlacementStrategy.class, null, true);
        double backoffSeconds = r.number(tree, "backoffSeconds", AppDefinition.DEFAULT_BACKOFF_SECONDS, 0,
                MAX_DELAY_SECONDS);
        double backoffFactor = r.number(tree, "backoffFactor", AppDefinition.DEFAULT_BACKOFF_FACTOR, 1,
                MAX_BACKOFF_FACTOR);
        double maxLaunchDelay = r.number(tree, "maxLaunchDelaySeconds", AppDefinition.DEFAULT_MAX_LAUNCH_DELAY_SECONDS,
                0, MAX_DELAY_SECONDS);
        int killGrace = r.wholeNumber(tree, "taskKillGracePeriodSeconds",
                AppDefinition.DEFAULT_KILL_GRACE_PERIOD_SECONDS, 0, MAX_KILL_GRACE_PERIOD_SECONDS);
        KillSelection killSelection = r.enumValue(tree, "killSelection", KillSelection.class,
                KillSelection.YOUNGEST_FIRST, false);
        int hostPorts = network == Isolation.Network.BRIDGE ? container.portMappings().size() : ports.size();
        List<HealthCheck> healthChecks = r.healthChecks(tree.get("healthChecks"), hostPorts);
        String user = r.user(tree.get("user"));
        UnreachableStrategy unreachable = new VolumeDefinitions(r::error).unreachableStrategy(
                tree.get("unreachableStrategy"));
        UpgradeStrategy upgrade = r.upgradeStrategy(tree, instances, !container.volumes().isEmpty());
        if (!r.errors.isEmpty()) {
            return new ParsedApp.Invalid(r.errors);
        }
        return new ParsedApp.Valid(new AppDefinition(id, cmd, args, instances, cpus, mem, disk, env, labels, ports,
                container, constraints, affinity, strategy, backoffSeconds, backoffFactor, maxLaunchDelay, killGrace,
                killSelection, healthChecks, user, isolation, unreachable, upgrade));
    }

    /** Collects errors while reading fields, so one response lists them all. */
    private static final class Reader {
        final List<FieldError> errors = new ArrayList<>();

        void error(String field, String message) {
            errors.add(new FieldError(field, message));
        }

        void checkFieldNames(JsonNode tree) {
            for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                if (SUPPORTED.contains(name)) {
                    continue;
                }
                Set<String> harmless = NOT_YET_SUPPORTED.get(name);
                if (harmless == null) {
                    error(name, "unknown field '" + name + "'");
                } else if (!isHarmless(field.getValue(), harmless)) {
                    error(name, "'" + name + "' is a Marathon field Berth does not support yet; remove it"
                            + (name.equals("ports") ? " and use portDefinitions" : ""));
                }
            }
        }

        private static boolean isHarmless(JsonNode value, Set<String> harmlessValues) {
            if (value.isNull() || (value.isContainerNode() && value.isEmpty())) {
                return true;
            }
            return harmlessValues.contains(value.toString());
        }

        /**
         * {@code upgradeStrategy} (Marathon's object, with canary and rollback fields added) and the
         * top-level {@code autoRollback} / {@code progressDeadlineSeconds} the issue writes, folded into it
         * (the object's own value wins when both are given).
         */
        UpgradeStrategy upgradeStrategy(JsonNode tree, int instances, boolean stateful) {
            UpgradeStrategy defaults = UpgradeStrategy.defaultFor(stateful);
            JsonNode node = tree.get("upgradeStrategy");
            if (node != null && !node.isNull() && !node.isObject()) {
                error("upgradeStrategy", "upgradeStrategy must be an object");
                node = null;
            }
            if (node == null || node.isNull()) {
                node = JsonCodec.mapper().createObjectNode();
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!UPGRADE_STRATEGY_FIELDS.contains(name)) {
                    error("upgradeStrategy." + name, "unknown field '" + name + "'");
                }
            }
            int before = errors.size();
            double minimumHealth = number(node, "minimumHealthCapacity", defaults.minimumHealthCapacity(), 0, 1);
            double maximumOver = number(node, "maximumOverCapacity", defaults.maximumOverCapacity(), 0, 1);
            int canary = wholeNumber(node, "canary", 0, 0, MAX_INSTANCES);
            boolean autoPromote = bool(node, "autoPromote", defaults.autoPromote());
            boolean autoRollback = bool(node, "autoRollback", bool(tree, "autoRollback", defaults.autoRollback()));
            int deadline = wholeNumber(node, "progressDeadlineSeconds",
                    wholeNumber(tree, "progressDeadlineSeconds", defaults.progressDeadlineSeconds(),
                            UpgradeStrategy.MIN_PROGRESS_DEADLINE_SECONDS, UpgradeStrategy.MAX_PROGRESS_DEADLINE_SECONDS),
                    UpgradeStrategy.MIN_PROGRESS_DEADLINE_SECONDS, UpgradeStrategy.MAX_PROGRESS_DEADLINE_SECONDS);
            for (int i = before; i < errors.size(); i++) {
                FieldError e = errors.get(i);
                if (!e.field().equals("autoRollback") && !e.field().equals("progressDeadlineSeconds")
                        || node.has(e.field())) {
                    errors.set(i, new FieldError("upgradeStrategy." + e.field(), e.message()));
                }
            }
            if (canary > 0 && canary >= instances) {
                error("upgradeStrategy.canary", "canary must be fewer than the " + instances
                        + " instances, or the canaries would be the whole app; was " + canary);
            }
            if (stateful && maximumOver > 0) {
                error("upgradeStrategy.maximumOverCapacity", "an app with persistent volumes upgrades in place"
                        + " (never two versions on one volume), so it cannot run extra instances: set 0");
            } else if (minimumHealth == 1 && maximumOver == 0 && !stateful) {
                // Nothing may go down and nothing may be added: no step is possible. (Both 0 is fine:
                // everything is replaced at once, as an operator who asks for it may want.) A stateful app
                // always moves one identity at a time, so it has no such dead end.
                error("upgradeStrategy", "minimumHealthCapacity 1 with maximumOverCapacity 0 leaves no room to"
                        + " replace any instance: lower minimumHealthCapacity or raise maximumOverCapacity");
            }
            return new UpgradeStrategy(minimumHealth, maximumOver, canary, autoPromote, autoRollback, deadline);
        }

        String id(JsonNode node) {
            if (node != null && !node.isNull() && !node.isTextual()) {
                error("id", "id must be a string such as \"/team-a/web\"");
                return null;
            }
            AppIds.Result result = AppIds.normalize(node == null || node.isNull() ? null : node.asText());
            if (result.error() != null) {
                error("id", result.error());
            }
            return result.id();
        }

        String optionalString(JsonNode tree, String field) {
            JsonNode node = tree.get(field);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isTextual() || node.asText().isBlank()) {
                error(field, field + " must be a non-empty string");
                return null;
            }
            return node.asText();
        }

        List<String> stringList(JsonNode tree, String field) {
            JsonNode node = tree.get(field);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isArray()) {
                error(field, field + " must be an array of strings");
                return null;
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                if (!node.get(i).isTextual()) {
                    error(field + "[" + i + "]", "must be a string");
                } else {
                    values.add(node.get(i).asText());
                }
            }
            return values;
        }

        int wholeNumber(JsonNode tree, String field, int fallback, int min, int max) {
            JsonNode node = tree.get(field);
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                error(field, field + " must be a whole number from " + min + " to " + max);
                return fallback;
            }
            int value = node.asInt();
            if (value < min || value > max) {
                error(field, field + " must be from " + min + " to " + max + ", was " + value);
            }
            return value;
        }

        double number(JsonNode tree, String field, double fallback, double min, double max) {
            JsonNode node = tree.get(field);
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
                error(field, field + " must be a number");
                return fallback;
            }
            double value = node.asDouble();
            if (value < min || value > max) {
                error(field, field + " must be from " + plain(min) + " to " + plain(max) + ", was " + node.asText());
            }
            return value;
        }

        private static String plain(double value) {
            return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
        }

        boolean bool(JsonNode tree, String field, boolean fallback) {
            JsonNode node = tree.get(field);
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isBoolean()) {
                error(field, field + " must be true or false");
                return fallback;
            }
            return node.asBoolean();
        }

        Map<String, String> stringMap(JsonNode tree, String field, boolean namesAreEnvVars) {
            JsonNode node = tree.get(field);
            Map<String, String> values = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return values;
            }
            if (!node.isObject()) {
                error(field, field + " must be an object of string values");
                return values;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String path = field + "." + entry.getKey();
                if (namesAreEnvVars && !ENV_NAME.matcher(entry.getKey()).matches()) {
                    error(path, "'" + entry.getKey() + "' is not a valid environment variable name");
                } else if (entry.getValue().isObject() && entry.getValue().has("secret")) {
                    error(path, "secret references are not supported yet; give a string value");
                } else if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                    error(path, "must be a string");
                } else {
                    values.put(entry.getKey(), entry.getValue().asText());
                }
            }
            return values;
        }

        List<PortDefinition> portDefinitions(JsonNode node, boolean requirePorts, Isolation.Network network) {
            if (network == Isolation.Network.BRIDGE) {
                // Marathon 1.5 ignores them there and warns that it may refuse them; Berth refuses at once
                // rather than run an app whose ports are not what its author thought.
                if (node != null && !node.isNull() && !(node.isArray() && node.isEmpty())) {
                    error("portDefinitions", "portDefinitions are for host networking; on a bridge network "
                            + "declare the ports as container.portMappings, e.g. [{\"containerPort\": 8080, "
                            + "\"hostPort\": 0, \"name\": \"http\"}]");
                }
                return List.of();
            }
            if (node == null || node.isNull()) {
                // Marathon's default: one port, assigned from the node's range.
                return List.of(new PortDefinition(0, null, "tcp", Map.of()));
            }
            if (!node.isArray()) {
                error("portDefinitions", "portDefinitions must be an array such as [{\"port\": 0, \"name\": \"http\"}]");
                return List.of();
            }
            List<PortDefinition> ports = new ArrayList<>();
            Set<String> names = new HashSet<>();
            Set<Integer> fixed = new HashSet<>();
            for (int i = 0; i < node.size(); i++) {
                String path = "portDefinitions[" + i + "]";
                JsonNode item = node.get(i);
                if (!item.isObject()) {
                    error(path, "must be an object such as {\"port\": 0, \"name\": \"http\"}");
                    continue;
                }
                item.fieldNames().forEachRemaining(name -> {
                    if (!PORT_DEFINITION_FIELDS.contains(name)) {
                        error(path + "." + name, "unknown field '" + name + "'");
                    }
                });
                int port = wholeNumber(item, "port", 0, 0, 65535, path);
                if (port != 0 && !requirePorts) {
                    error(path + ".port", "Berth has no service ports yet: use 0 for any free host port, "
                            + "or set requirePorts: true to ask for host port " + port);
                }
                if (port != 0 && !fixed.add(port)) {
                    error(path + ".port", "host port " + port + " is requested twice");
                }
                String name = null;
                JsonNode nameNode = item.get("name");
                if (nameNode != null && !nameNode.isNull()) {
                    name = nameNode.asText();
                    if (!nameNode.isTextual() || !PORT_NAME.matcher(name).matches()) {
                        error(path + ".name", "a port name uses lowercase letters, digits and '-'");
                    } else if (!names.add(name)) {
                        error(path + ".name", "port name '" + name + "' is used twice");
                    }
                }
                String protocol = "tcp";
                JsonNode protocolNode = item.get("protocol");
                if (protocolNode != null && !protocolNode.isNull()) {
                    protocol = protocolNode.asText();
                    if (!Set.of("tcp", "udp", "udp,tcp").contains(protocol)) {
                        error(path + ".protocol", "protocol must be tcp, udp or \"udp,tcp\"");
                    }
                }
                Map<String, String> labels = stringMap(item, "labels", false);
                ports.add(new PortDefinition(port, name, protocol, labels));
            }
            return ports;
        }

        private int wholeNumber(JsonNode item, String field, int fallback, int min, int max, String path) {
            int before = errors.size();
            int value = wholeNumber(item, field, fallback, min, max);
            // Re-label the errors just added with the full path of the nested field.
            for (int i = before; i < errors.size(); i++) {
                FieldError e = errors.get(i);
                errors.set(i, new FieldError(path + "." + e.field(), e.message()));
            }
            return value;
        }

        Container container(JsonNode node, Isolation.Network network) {
            if (node == null || node.isNull()) {
                return network == Isolation.Network.BRIDGE ? new Container("MESOS", List.of(), DEFAULT_MAPPINGS)
                        : Container.MESOS;
            }
            if (!node.isObject()) {
                error("container", "container must be an object such as {\"type\": \"MESOS\"}");
                return Container.MESOS;
            }
            node.fieldNames().forEachRemaining(name -> {
                if (!CONTAINER_FIELDS.contains(name)) {
                    error("container." + name, "unknown field '" + name + "'");
                }
            });
            String type = node.path("type").asText("MESOS");
            if (type.equals("DOCKER")) {
                error("container.type", "Berth has no Docker runtime yet: use type MESOS and a cmd");
            } else if (!type.equals("MESOS")) {
                error("container.type", "container type must be MESOS");
            }
            List<AppVolume> volumes = new VolumeDefinitions(this::error).volumes(node.get("volumes"));
            JsonNode docker = node.get("docker");
            if (docker != null && !docker.isNull() && !(docker.isContainerNode() && docker.isEmpty())) {
                error("container.docker", "'container.docker' is not supported yet; remove it");
            }
            List<PortMapping> mappings = portMappings(node.get("portMappings"), network);
            return new Container("MESOS", volumes, mappings);
        }

        /**
         * Marathon's {@code container.portMappings}: only on a bridge network, where absent means one port
         * ({@code containerPort} 0, {@code hostPort} 0), as Marathon's default mapping; {@code []} means none.
         */
        List<PortMapping> portMappings(JsonNode node, Isolation.Network network) {
            boolean given = node != null && !node.isNull();
            if (network != Isolation.Network.BRIDGE) {
                if (given && !(node.isArray() && node.isEmpty())) {
                    error("container.portMappings", network == Isolation.Network.NONE
                            ? "an app without a network (mode container, or isolation.network NONE) has no ports "
                            + "to map; remove portMappings, or use networks: [{\"mode\": \"container/bridge\"}]"
                            : "port mappings need a bridge network: add networks: [{\"mode\": \"container/bridge\"}],"
                            + " or declare host ports as portDefinitions");
                }
                return List.of();
            }
            if (!given) {
                return DEFAULT_MAPPINGS;
            }
            if (!node.isArray()) {
                error("container.portMappings", "portMappings must be an array such as [{\"containerPort\": 8080, "
                        + "\"hostPort\": 0, \"name\": \"http\"}]");
                return List.of();
            }
            List<PortMapping> mappings = new ArrayList<>();
            Set<String> names = new HashSet<>();
            Set<Integer> fixed = new HashSet<>();
            for (int i = 0; i < node.size(); i++) {
                String path = "container.portMappings[" + i + "]";
                JsonNode item = node.get(i);
                if (!item.isObject()) {
                    error(path, "must be an object such as {\"containerPort\": 8080, \"hostPort\": 0}");
                    continue;
                }
                int before = errors.size();
                item.fieldNames().forEachRemaining(name -> {
                    if (!PORT_MAPPING_FIELDS.contains(name)) {
                        error(path + "." + name, "unknown field '" + name + "'");
                    }
                });
                int containerPort = wholeNumber(item, "containerPort", 0, 0, 65535, path);
                // Marathon: on a bridge an absent (null) hostPort is 0, any free one.
                int hostPort = wholeNumber(item, "hostPort", 0, 0, 65535, path);
                if (hostPort != 0 && !fixed.add(hostPort)) {
                    error(path + ".hostPort", "host port " + hostPort + " is requested twice");
                }
                if (wholeNumber(item, "servicePort", 0, 0, 65535, path) != 0) {
                    error(path + ".servicePort", "Berth has no service ports yet: remove servicePort or set 0");
                }
                JsonNode networkNames = item.get("networkNames");
                if (networkNames != null && !networkNames.isNull()
                        && !(networkNames.isArray() && networkNames.isEmpty())) {
                    error(path + ".networkNames", "networkNames choose among named container networks, which "
                            + "Berth does not offer; remove it");
                }
                String name = portName(item.get("name"), path, names);
                String protocol = portProtocol(item.get("protocol"), path);
                Map<String, String> labels = stringMap(item, "labels", false);
                if (errors.size() == before) {
                    mappings.add(new PortMapping(containerPort, hostPort, protocol, name, labels));
                }
            }
            return mappings;
        }

        private String portName(JsonNode nameNode, String path, Set<String> names) {
            if (nameNode == null || nameNode.isNull()) {
                return null;
            }
            String name = nameNode.asText();
            if (!nameNode.isTextual() || !PORT_NAME.matcher(name).matches()) {
                error(path + ".name", "a port name uses lowercase letters, digits and '-'");
            } else if (!names.add(name)) {
                error(path + ".name", "port name '" + name + "' is used twice");
            }
            return name;
        }

        private String portProtocol(JsonNode protocolNode, String path) {
            if (protocolNode == null || protocolNode.isNull()) {
                return "tcp";
            }
            String protocol = protocolNode.asText();
            if (!protocolNode.isTextual() || !Set.of("tcp", "udp", "udp,tcp").contains(protocol)) {
                error(path + ".protocol", "protocol must be tcp, udp or \"udp,tcp\"");
            }
            return protocol;
        }

        /**
         * Marathon's {@code networks}: one network, {@code host}, {@code container/bridge} or {@code container}
         * without a name (no network but loopback). Null when the definition does not say (absent, null, []).
         */
        Isolation.Network networks(JsonNode node) {
            if (node == null || node.isNull() || (node.isArray() && node.isEmpty())) {
                return null;
            }
            if (!node.isArray()) {
                error("networks", "networks must be an array such as [{\"mode\": \"container/bridge\"}]");
                return null;
            }
            if (node.size() > 1) {
                error("networks", "a task joins one network here: give one of host, container/bridge or "
                        + "container (no name), not " + node.size());
                return null;
            }
            String path = "networks[0]";
            JsonNode item = node.get(0);
            if (!item.isObject()) {
                error(path, "must be an object such as {\"mode\": \"container/bridge\"}");
                return null;
            }
            int before = errors.size();
            item.fieldNames().forEachRemaining(name -> {
                if (!NETWORK_FIELDS.contains(name)) {
                    error(path + "." + name, "unknown field '" + name + "'");
                }
            });
            JsonNode modeNode = item.get("mode");
            // Marathon's default mode is container.
            String mode = modeNode == null || modeNode.isNull() ? "container" : modeNode.asText();
            JsonNode nameNode = item.get("name");
            boolean named = nameNode != null && !nameNode.isNull();
            JsonNode labels = item.get("labels");
            if (labels != null && !labels.isNull() && !(labels.isObject() && labels.isEmpty())) {
                error(path + ".labels", "network labels are for CNI plugins, which Berth does not run; remove them");
            }
            Isolation.Network network = null;
            if (modeNode != null && !modeNode.isNull() && !modeNode.isTextual()) {
                error(path + ".mode", "mode must be host, container/bridge or container");
            } else if (mode.equals("host") || mode.equals("container/bridge")) {
                network = mode.equals("host") ? Isolation.Network.HOST : Isolation.Network.BRIDGE;
                if (named) {
                    error(path + ".name", "only a container network has a name; remove it");
                }
            } else if (mode.equals("container")) {
                network = Isolation.Network.NONE;
                if (named) {
                    error(path + ".name", "named container networks (CNI) are not offered here: '"
                            + nameNode.asText() + "'; use container/bridge for a bridged network with port "
                            + "mappings, or container without a name for no network but loopback");
                }
            } else {
                error(path + ".mode", "unknown network mode '" + mode + "': use host, container/bridge or container");
            }
            return errors.size() == before ? network : null;
        }

        /**
         * Marathon's constraints: an array of {@code [field, operator]} or {@code [field, operator, value]}.
         * Every item is checked in full, so one answer names every bad rule.
         */
        List<Constraint> constraints(JsonNode node) {
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (!node.isArray()) {
                error("constraints", "constraints must be an array of [field, operator, value] arrays, "
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
                error(path, "a constraint is [field, operator] or [field, operator, value], "
                        + "such as [\"zone\", \"GROUP_BY\", \"2\"]");
                return null;
            }
            for (JsonNode part : item) {
                if (!part.isTextual()) {
                    error(path, "every part of a constraint is a string; write numbers in quotes, e.g. \"2\"");
                    return null;
                }
            }
            String field = item.get(0).asText();
            String operatorName = item.get(1).asText();
            // An empty value is no value: some tools write ["hostname", "UNIQUE", ""].
            String value = item.size() == 3 && !item.get(2).asText().isEmpty() ? item.get(2).asText() : null;
            boolean ok = true;
            if (field.isBlank()) {
                error(path, "the field of a constraint is hostname, isolation or a node attribute, and cannot be empty");
                ok = false;
            }
            Constraint.Operator operator;
            try {
                operator = Constraint.Operator.valueOf(operatorName);
            } catch (IllegalArgumentException e) {
                error(path, "unknown operator '" + operatorName + "': use one of "
                        + String.join(", ", Arrays.stream(Constraint.Operator.values())
                        .map(Enum::name).toList()));
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
                error(path, problem);
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

        /** Berth's soft preferences: {@code [{"field": "zone", "value": "a", "weight": 50}]}. */
        List<Affinity> affinity(JsonNode node) {
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (!node.isArray()) {
                error("affinity", "affinity must be an array such as [{\"field\": \"zone\", \"value\": \"a\", "
                        + "\"weight\": 50}]");
                return List.of();
            }
            List<Affinity> affinity = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                String path = "affinity[" + i + "]";
                JsonNode item = node.get(i);
                if (!item.isObject()) {
                    error(path, "must be an object such as {\"field\": \"zone\", \"value\": \"a\", \"weight\": 50}");
                    continue;
                }
                int before = errors.size();
                item.fieldNames().forEachRemaining(name -> {
                    if (!AFFINITY_FIELDS.contains(name)) {
                        error(path + "." + name, "unknown field '" + name + "'");
                    }
                });
                String field = requiredString(item, "field", path,
                        "the node attribute to prefer by (or hostname)");
                String value = requiredString(item, "value", path, "the attribute value to prefer or avoid");
                int weight = 0;
                JsonNode weightNode = item.get("weight");
                if (weightNode == null || weightNode.isNull()) {
                    error(path + ".weight", "weight is required: from -100 (avoid) to 100 (prefer), not 0");
                } else if (!weightNode.isIntegralNumber() || !weightNode.canConvertToInt()) {
                    error(path + ".weight", "weight must be a whole number from -100 to 100, not 0");
                } else {
                    weight = weightNode.asInt();
                    if (weight == 0 || Math.abs(weight) > MAX_AFFINITY_WEIGHT) {
                        error(path + ".weight", "weight must be from -100 (avoid) to 100 (prefer) and not 0 "
                                + "(which would change nothing), was " + weight);
                    }
                }
                if (errors.size() == before) {
                    affinity.add(new Affinity(field, value, weight));
                }
            }
            return affinity;
        }

        private String requiredString(JsonNode item, String name, String path, String meaning) {
            JsonNode node = item.get(name);
            if (node == null || node.isNull()) {
                error(path + "." + name, name + " is required: " + meaning);
                return null;
            }
            if (!node.isTextual() || node.asText().isBlank()) {
                error(path + "." + name, name + " must be a non-empty string: " + meaning);
                return null;
            }
            return node.asText();
        }

        /** One of an enum's names; {@code anyCase} accepts "spread" for SPREAD. Absent or null is the fallback. */
        <E extends Enum<E>> E enumValue(JsonNode tree, String field, Class<E> type, E fallback, boolean anyCase) {
            JsonNode node = tree.get(field);
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
            error(field, field + " must be " + names + ", was " + node);
            return fallback;
        }

        /** Marathon's health checks; the port a check probes must be one the task has. */
        List<HealthCheck> healthChecks(JsonNode node, int portCount) {
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (!node.isArray()) {
                error("healthChecks", "healthChecks must be an array such as [{\"protocol\": \"HTTP\", "
                        + "\"path\": \"/health\", \"portIndex\": 0}]");
                return List.of();
            }
            if (node.size() > MAX_HEALTH_CHECKS) {
                error("healthChecks", "at most " + MAX_HEALTH_CHECKS + " health checks, was " + node.size());
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
                error(path, "must be an object such as {\"protocol\": \"TCP\", \"portIndex\": 0}");
                return null;
            }
            int before = errors.size();
            item.fieldNames().forEachRemaining(name -> {
                if (!HEALTH_CHECK_FIELDS.contains(name)) {
                    error(path + "." + name, "unknown field '" + name + "'");
                }
            });
            String protocolName = item.path("protocol").asText("HTTP");
            HealthCheck.Protocol protocol = switch (protocolName) {
                case "HTTP", "MESOS_HTTP" -> HealthCheck.Protocol.HTTP;
                case "TCP", "MESOS_TCP" -> HealthCheck.Protocol.TCP;
                case "COMMAND" -> HealthCheck.Protocol.COMMAND;
                case "HTTPS", "MESOS_HTTPS" -> {
                    error(path + ".protocol", "HTTPS health checks are not supported yet: use HTTP, TCP or COMMAND");
                    yield null;
                }
                default -> {
                    error(path + ".protocol", "protocol must be HTTP, TCP or COMMAND (or Marathon's MESOS_HTTP, "
                            + "MESOS_TCP), was " + item.get("protocol"));
                    yield null;
                }
            };
            int grace = wholeNumber(item, "gracePeriodSeconds", HealthCheck.DEFAULT_GRACE_PERIOD_SECONDS, 0,
                    MAX_HEALTH_SECONDS, path);
            int interval = wholeNumber(item, "intervalSeconds", HealthCheck.DEFAULT_INTERVAL_SECONDS, 1,
                    MAX_HEALTH_SECONDS, path);
            int timeout = wholeNumber(item, "timeoutSeconds", HealthCheck.DEFAULT_TIMEOUT_SECONDS, 1,
                    MAX_HEALTH_SECONDS, path);
            int maxFailures = wholeNumber(item, "maxConsecutiveFailures",
                    HealthCheck.DEFAULT_MAX_CONSECUTIVE_FAILURES, 0, 1000, path);
            int delay = wholeNumber(item, "delaySeconds", HealthCheck.DEFAULT_DELAY_SECONDS, 0, MAX_HEALTH_SECONDS,
                    path);
            if (errors.size() == before && timeout > interval) {
                error(path + ".timeoutSeconds", "timeoutSeconds (" + timeout + ") must not be longer than "
                        + "intervalSeconds (" + interval + "): probes would overlap");
            }
            boolean ignoreHttp1xx = bool(item, "ignoreHttp1xx", false);
            if (ignoreHttp1xx) {
                error(path + ".ignoreHttp1xx", "ignoreHttp1xx is not supported: an HTTP check passes on 2xx and 3xx");
            }
            String httpPath = null;
            Integer portIndex = null;
            Integer port = null;
            HealthCheck.Command command = null;
            if (protocol == HealthCheck.Protocol.COMMAND) {
                JsonNode value = item.path("command").path("value");
                if (!value.isTextual() || value.asText().isBlank()) {
                    error(path + ".command", "a COMMAND check needs {\"command\": {\"value\": \"...\"}}, "
                            + "run by /bin/sh -c; exit code 0 passes");
                } else {
                    command = new HealthCheck.Command(value.asText());
                }
                for (String field : List.of("path", "portIndex", "port")) {
                    if (item.hasNonNull(field)) {
                        error(path + "." + field, field + " means nothing to a COMMAND check; remove it");
                    }
                }
            } else if (protocol != null) {
                if (item.hasNonNull("command")) {
                    error(path + ".command", "only a COMMAND check runs a command; remove it");
                }
                if (item.hasNonNull("port") && item.hasNonNull("portIndex")) {
                    error(path, "give port or portIndex, not both");
                } else if (item.hasNonNull("port")) {
                    port = wholeNumber(item, "port", 0, 1, 65535, path);
                } else {
                    portIndex = wholeNumber(item, "portIndex", 0, 0, 1000, path);
                    if (portIndex >= portCount) {
                        error(path + ".portIndex", portCount == 0
                                ? "the app has no ports to check: add portDefinitions or give a port"
                                : "portIndex " + portIndex + " is not one of the app's " + portCount + " ports");
                    }
                }
                if (protocol == HealthCheck.Protocol.HTTP) {
                    httpPath = item.path("path").asText("/");
                    if (!item.path("path").isMissingNode() && !item.path("path").isNull()
                            && !item.path("path").isTextual()) {
                        error(path + ".path", "path must be a string such as \"/health\"");
                    } else if (!httpPath.startsWith("/") || httpPath.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
                        error(path + ".path", "path must start with / and hold no spaces or control characters");
                    }
                } else if (item.hasNonNull("path")) {
                    error(path + ".path", "only an HTTP check has a path; remove it");
                }
            }
            if (errors.size() != before) {
                return null;
            }
            return new HealthCheck(protocol, httpPath, portIndex, port, command, grace, interval, timeout,
                    maxFailures, delay);
        }

        /** Marathon's {@code user}: a user name that must exist on the node (the agent checks). */
        String user(JsonNode node) {
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isTextual() || !USER_NAME.matcher(node.asText()).matches()) {
                error("user", "user must be a user name such as \"nobody\" (lowercase letters, digits, '_' "
                        + "and '-', at most 32)");
                return null;
            }
            return node.asText();
        }

        /**
         * Berth's {@code isolation}: {@code {"network": "NONE", "pidsLimit": 256, "enforceDisk": true}}.
         * {@code network} says what Marathon's {@code networks} says ({@code fromNetworks}, null if it says
         * nothing); either spelling works, two that disagree are refused.
         */
        Isolation isolation(JsonNode node, Isolation.Network fromNetworks) {
            Isolation.Network fallback = fromNetworks == null ? Isolation.Network.HOST : fromNetworks;
            Isolation byNetworks = new Isolation(fallback, null, false);
            if (node == null || node.isNull()) {
                return byNetworks;
            }
            if (!node.isObject()) {
                error("isolation", "isolation must be an object such as {\"pidsLimit\": 256}");
                return byNetworks;
            }
            int before = errors.size();
            node.fieldNames().forEachRemaining(name -> {
                if (!ISOLATION_FIELDS.contains(name)) {
                    error("isolation." + name, "unknown field '" + name + "'");
                }
            });
            Isolation.Network network = enumValue(node, "network", Isolation.Network.class, fallback, true);
            if (fromNetworks != null && node.hasNonNull("network") && network != fromNetworks) {
                error("network", "isolation.network " + network + " contradicts networks (" + fromNetworks
                        + "); give one of them: networks host = HOST, container/bridge = BRIDGE, container = NONE");
            }
            Integer pidsLimit = node.hasNonNull("pidsLimit")
                    ? wholeNumber(node, "pidsLimit", 0, 1, MAX_PIDS_LIMIT, "isolation") : null;
            boolean enforceDisk = bool(node, "enforceDisk", false);
            Isolation.Filesystem filesystem = enumValue(node, "filesystem", Isolation.Filesystem.class,
                    Isolation.Filesystem.OPTIONAL, true);
            for (int i = before; i < errors.size(); i++) {
                FieldError e = errors.get(i);
                if (!e.field().startsWith("isolation")) {
                    errors.set(i, new FieldError("isolation." + e.field(), e.message()));
                }
            }
            return new Isolation(network, pidsLimit, enforceDisk, filesystem);
        }

        void acceptedResourceRoles(JsonNode node) {
            if (node == null || node.isNull()) {
                return;
            }
            if (node.getNodeType() != JsonNodeType.ARRAY) {
                error("acceptedResourceRoles", "acceptedResourceRoles must be an array");
                return;
            }
            for (JsonNode role : node) {
                if (!role.asText().equals("*")) {
                    error("acceptedResourceRoles", "Berth has no resource roles: only [\"*\"] is accepted");
                    return;
                }
            }
        }
    }
}
