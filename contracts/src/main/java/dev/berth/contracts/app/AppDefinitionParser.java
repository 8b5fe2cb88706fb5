package dev.berth.contracts.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.berth.contracts.app.parse.AffinityReader;
import dev.berth.contracts.app.parse.ConstraintsReader;
import dev.berth.contracts.app.parse.ContainerReader;
import dev.berth.contracts.app.parse.FieldReader;
import dev.berth.contracts.app.parse.HealthChecksReader;
import dev.berth.contracts.app.parse.IsolationReader;
import dev.berth.contracts.app.parse.NetworksReader;
import dev.berth.contracts.app.parse.PortDefinitionsReader;
import dev.berth.contracts.app.parse.TopLevelFieldNames;
import dev.berth.contracts.app.parse.UnreachableStrategyReader;
import dev.berth.contracts.app.parse.UpgradeStrategyReader;
import dev.berth.contracts.json.JsonCodec;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a Marathon-style app definition, fills Marathon's defaults, and explains every field it
 * refuses. It works on the JSON tree rather than binding straight to a record so that it can tell
 * apart an unknown field (a typo), a Marathon field Berth does not support yet, and a bad value,
 * and report all of them at once instead of stopping at the first.
 *
 * <p>This is the entry point: it reads the top-level scalars itself and hands each section
 * (networks, ports, container, health checks …) to its reader in {@code dev.berth.contracts.app.parse};
 * all of them report into one {@link FieldReader}.
 */
public final class AppDefinitionParser {

    /** The most instances one app may ask for; also the bound of a scale request. */
    public static final int MAX_INSTANCES = 10_000;
    static final double MAX_CPUS = 1024;
    static final double MAX_MEM_MIB = 16L * 1024 * 1024;
    static final double MAX_DISK_MIB = 1024L * 1024 * 1024;
    /** POSIX's portable user names (as useradd accepts them). */
    private static final Pattern USER_NAME = Pattern.compile("^[a-z_][a-z0-9_-]{0,30}\\$?$");

    /*
     * The restart delays are Marathon's, unbounded there; Berth caps them at a year so that the
     * scheduler's delay arithmetic (seconds × factor^n, as an Instant) can never overflow.
     */
    static final double MAX_DELAY_SECONDS = 365L * 24 * 3600;
    static final double MAX_BACKOFF_FACTOR = 1000;
    static final int MAX_KILL_GRACE_PERIOD_SECONDS = 3600;

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
        // The order of the reads is the order of the errors in the answer.
        FieldReader fields = new FieldReader();
        new TopLevelFieldNames(fields).check(tree);
        String id = id(tree.get("id"), fields);
        String cmd = fields.optionalString(tree, "cmd");
        List<String> args = fields.stringList(tree, "args");
        boolean hasImage = hasImage(tree.get("container"));
        if (cmd != null && args != null) {
            fields.error("cmd", "give either cmd or args, not both");
        } else if (cmd == null && args == null && !hasImage) {
            fields.error("cmd", "a command is required: set cmd (run by /bin/sh -c) or args (run directly), "
                    + "or run an image (container.docker.image)");
        } else if (args != null && args.isEmpty() && !hasImage) {
            fields.error("args", "args must name at least the program to run");
        }
        int instances = fields.wholeNumber(tree, "instances", 1, 0, MAX_INSTANCES);
        double cpus = fields.number(tree, "cpus", 1, 0.001, MAX_CPUS);
        double mem = fields.number(tree, "mem", 128, 0, MAX_MEM_MIB);
        double disk = fields.number(tree, "disk", 0, 0, MAX_DISK_MIB);
        Map<String, String> env = fields.stringMap(tree, "env", true);
        Map<String, String> labels = fields.stringMap(tree, "labels", false);
        boolean requirePorts = fields.bool(tree, "requirePorts", false);
        // The network decides how ports are declared (definitions on the host, mappings on a bridge).
        Isolation.Network fromNetworks = new NetworksReader(fields).read(tree.get("networks"));
        Isolation isolation = new IsolationReader(fields).read(tree.get("isolation"), fromNetworks);
        Isolation.Network network = isolation.network();
        List<PortDefinition> ports = new PortDefinitionsReader(fields).read(tree.get("portDefinitions"), requirePorts,
                network);
        Container container = new ContainerReader(fields).read(tree.get("container"), network);
        if (container.docker() != null) {
            // An image is a root file system: only a node that gives tasks their own root can run one.
            isolation = isolation.withFilesystem(Isolation.Filesystem.REQUIRED);
        }
        acceptedResourceRoles(tree.get("acceptedResourceRoles"), fields);
        List<Constraint> constraints = new ConstraintsReader(fields).read(tree.get("constraints"));
        List<Affinity> affinity = new AffinityReader(fields).read(tree.get("affinity"));
        PlacementStrategy strategy = fields.enumValue(tree, "placementStrategy", PlacementStrategy.class, null, true);
        double backoffSeconds = fields.number(tree, "backoffSeconds", AppDefinition.DEFAULT_BACKOFF_SECONDS, 0,
                MAX_DELAY_SECONDS);
        double backoffFactor = fields.number(tree, "backoffFactor", AppDefinition.DEFAULT_BACKOFF_FACTOR, 1,
                MAX_BACKOFF_FACTOR);
        double maxLaunchDelay = fields.number(tree, "maxLaunchDelaySeconds",
                AppDefinition.DEFAULT_MAX_LAUNCH_DELAY_SECONDS, 0, MAX_DELAY_SECONDS);
        int killGrace = fields.wholeNumber(tree, "taskKillGracePeriodSeconds",
                AppDefinition.DEFAULT_KILL_GRACE_PERIOD_SECONDS, 0, MAX_KILL_GRACE_PERIOD_SECONDS);
        KillSelection killSelection = fields.enumValue(tree, "killSelection", KillSelection.class,
                KillSelection.YOUNGEST_FIRST, false);
        int hostPorts = network == Isolation.Network.BRIDGE ? container.portMappings().size() : ports.size();
        List<HealthCheck> healthChecks = new HealthChecksReader(fields).read(tree.get("healthChecks"), hostPorts);
        if (container.docker() != null) {
            // A command check runs next to the task with the node's tools (nsenter, setpriv), which an image's
            // root does not have: it would fail every time and have healthy tasks replaced.
            for (int i = 0; i < healthChecks.size(); i++) {
                if (healthChecks.get(i).protocol() == HealthCheck.Protocol.COMMAND) {
                    fields.error("healthChecks[" + i + "].protocol", "COMMAND checks of apps that run an image "
                            + "are not supported yet; use an HTTP or TCP check");
                }
            }
        }
        String user = user(tree.get("user"), fields);
        UnreachableStrategy unreachable = new UnreachableStrategyReader(fields).read(tree.get("unreachableStrategy"));
        boolean stateful = !container.volumes().isEmpty();
        UpgradeStrategy upgrade = new UpgradeStrategyReader(fields).read(tree, instances, stateful);
        // Route labels (BERTH_ROUTE_N_*, HAPROXY_N_*) are checked here, so a bad one is refused at once.
        dev.berth.contracts.routing.RouteLabels.read(labels, hostPorts).errors()
                .forEach(error -> fields.error(error.field(), error.message()));
        if (fields.errorCount() > 0) {
            return new ParsedApp.Invalid(fields.errors());
        }
        return new ParsedApp.Valid(new AppDefinition(id, cmd, args, instances, cpus, mem, disk, env, labels, ports,
                container, constraints, affinity, strategy, backoffSeconds, backoffFactor, maxLaunchDelay, killGrace,
                killSelection, healthChecks, user, isolation, unreachable, upgrade));
    }

    /** True when the app names an image: then its command may come from the image. */
    private static boolean hasImage(JsonNode container) {
        return container != null && container.path("docker").path("image").isTextual();
    }

    /** The app's id, normalized by {@link AppIds} ("web" becomes "/web"). */
    private static String id(JsonNode node, FieldReader fields) {
        if (node != null && !node.isNull() && !node.isTextual()) {
            fields.error("id", "id must be a string such as \"/team-a/web\"");
            return null;
        }
        AppIds.Result result = AppIds.normalize(node == null || node.isNull() ? null : node.asText());
        if (result.error() != null) {
            fields.error("id", result.error());
        }
        return result.id();
    }

    /** Marathon's {@code user}: a user name that must exist on the node (the agent checks). */
    private static String user(JsonNode node, FieldReader fields) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !USER_NAME.matcher(node.asText()).matches()) {
            fields.error("user", "user must be a user name such as \"nobody\" (lowercase letters, digits, '_' "
                    + "and '-', at most 32)");
            return null;
        }
        return node.asText();
    }

    /** Marathon's resource roles: Berth has none, so only the default {@code ["*"]} is accepted. */
    private static void acceptedResourceRoles(JsonNode node, FieldReader fields) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.getNodeType() != JsonNodeType.ARRAY) {
            fields.error("acceptedResourceRoles", "acceptedResourceRoles must be an array");
            return;
        }
        for (JsonNode role : node) {
            if (!role.asText().equals("*")) {
                fields.error("acceptedResourceRoles", "Berth has no resource roles: only [\"*\"] is accepted");
                return;
            }
        }
    }
}
