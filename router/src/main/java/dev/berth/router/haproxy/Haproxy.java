package dev.berth.router.haproxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The router's data plane: one haproxy, kept serving exactly the routes it is given. Each
 * {@link #apply} gets the whole wanted state and does the least that reaches it: routes or their
 * settings changed, or a backend out of server slots, mean a new configuration and a reload; a task
 * added, gone, moved or draining is a few Runtime API commands and no reload (marathon-lb's
 * server-template approach, without its reloads). It remembers which slot each task has and what the
 * running haproxy was told, so that a reload keeps every server where it was.
 */
public final class Haproxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Haproxy.class.getName());

    private final HaproxySettings settings;
    private final int port;
    private final Path config;
    private final HaproxyProcess process;
    /** What the running haproxy serves, by route name. */
    private Map<String, Backend> backends = new LinkedHashMap<>();
    /** Read without the lock, so that asking never waits for a reload in progress. */
    private volatile int reloads;

    /** One backend as the running haproxy has it: its route's settings, who has which slot, each slot's state. */
    private static final class Backend {
        final HaproxyRoute shape;
        Map<String, Integer> slotByKey;
        final List<SlotState> running;

        Backend(HaproxyRoute shape, Map<String, Integer> slotByKey, List<SlotState> running) {
            this.shape = shape;
            this.slotByKey = slotByKey;
            this.running = new ArrayList<>(running);
        }
    }

    private Haproxy(HaproxySettings settings, int port, Path config, HaproxyProcess process) {
        this.settings = settings;
        this.port = port;
        this.config = config;
        this.process = process;
    }

    /**
     * Starts haproxy with no routes (every request answered 404) and returns once it serves; a haproxy
     * that a killed router left in the same work directory is stopped first. With port 0
     * a free port is picked; another process may take it before haproxy binds it, so that is tried
     * three times.
     */
    public static Haproxy start(HaproxySettings settings) {
        Path dir = settings.workDir().toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create haproxy's work directory " + dir, e);
        }
        Path config = dir.resolve("haproxy.cfg");
        HaproxyProcess.stopLeftover(settings.binary(), dir, config);
        int attempts = settings.port() == 0 ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            int port = settings.port() == 0 ? freePort(settings.bindAddress()) : settings.port();
            writeChecked(null, dir, config, HaproxyConfig.render(settings, port, List.of()));
            try {
                return new Haproxy(settings, port, config, HaproxyProcess.start(settings.binary(), dir, config));
            } catch (HaproxyException e) {
                if (attempt >= attempts) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, "haproxy did not start on port " + port + ", trying another: " + e.getMessage());
            }
        }
    }

    /**
     * A route name for an app's port: the app id's letters and digits, other characters as '_', then
     * the port index ({@code /team-a/web}, 0 → {@code team_a_web_0}). Ids that differ only in
     * punctuation ({@code /a-b} and {@code /a.b}) get the same name; {@link #apply} refuses such a pair.
     */
    public static String backendName(String appId, int portIndex) {
        String base = appId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return (base.isEmpty() ? "app" : base) + "_" + portIndex;
    }

    /** The port routed traffic arrives on: the configured one, or the one picked for port 0. */
    public int port() {
        return port;
    }

    /** How many times the configuration was rewritten and reloaded since the start. */
    public int reloads() {
        return reloads;
    }

    /**
     * Makes haproxy serve exactly {@code routes}, tasks included. Idempotent: the same routes again do
     * nothing. If haproxy refuses the new configuration, the old one keeps serving, the task changes of
     * the routes it serves are still made, and {@link HaproxyConfigRefusedException} says what haproxy
     * refused; a failed Runtime API command throws {@link HaproxyException}, and the next apply sends
     * what is still missing.
     */
    public synchronized ApplyResult apply(List<HaproxyRoute> routes) {
        process.ensureAlive();
        Set<String> names = new HashSet<>();
        for (HaproxyRoute route : routes) {
            if (!names.add(route.name())) {
                throw new IllegalArgumentException("two routes named " + route.name());
            }
        }
        Map<String, SlotPlan> plans = new LinkedHashMap<>();
        boolean reload = routes.size() != backends.size();
        for (HaproxyRoute route : routes) {
            Backend current = backends.get(route.name());
            SlotPlan plan = current == null
                    ? SlotPlan.plan(Map.of(), Collections.nCopies(settings.slotsPerBackend(), SlotState.UNUSED), resolve(route))
                    : SlotPlan.plan(current.slotByKey, current.running, resolve(route));
            plans.put(route.name(), plan);
            reload |= current == null || !current.shape.equals(route.shape()) || plan.capacity() != current.running.size();
        }
        if (reload) {
            try {
                reloadWith(routes, plans);
            } catch (HaproxyConfigRefusedException refused) {
                // One bad route must not freeze every other one: the tasks of the routes haproxy already
                // serves still get their changes (drains, removals), then the refusal is reported.
                sendTaskChanges(plans);
                throw refused;
            }
        }
        return new ApplyResult(reload, sendTaskChanges(plans));
    }

    /**
     * Runtime API commands for every slot that differs from its plan, in the backends the running haproxy
     * has with as many slots as planned (after a reload, all of them), all on one connection. Each reply
     * is judged on its own: a slot's state is taken as haproxy's once all its commands went through, so a
     * refused command leaves its slot for the next apply, while the slots around it, which haproxy changed
     * all the same, are not sent again.
     */
    private int sendTaskChanges(Map<String, SlotPlan> plans) {
        List<SlotChange> changes = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        for (Map.Entry<String, SlotPlan> entry : plans.entrySet()) {
            Backend backend = backends.get(entry.getKey());
            List<SlotState> wanted = entry.getValue().wanted();
            if (backend == null || backend.running.size() != wanted.size()) {
                continue;
            }
            backend.slotByKey = entry.getValue().slotByKey();
            for (int slot = 0; slot < wanted.size(); slot++) {
                List<String> slotCommands = RuntimeCommands.between(entry.getKey(), slot, backend.running.get(slot), wanted.get(slot));
                if (slotCommands.isEmpty()) {
                    backend.running.set(slot, wanted.get(slot));
                } else {
                    changes.add(new SlotChange(backend, slot, wanted.get(slot), commands.size(), slotCommands.size()));
                    commands.addAll(slotCommands);
                }
            }
        }
        if (commands.isEmpty()) {
            return 0;
        }
        List<String> replies = process.runtime(commands);
        List<String> refused = new ArrayList<>();
        for (SlotChange change : changes) {
            boolean taken = true;
            for (int i = change.firstCommand(); i < change.firstCommand() + change.commands(); i++) {
                String reply = replies.get(i).strip();
                if (!accepted(reply)) {
                    refused.add("'" + commands.get(i) + "': " + reply);
                    taken = false;
                }
            }
            if (taken) {
                change.backend().running.set(change.slot(), change.wanted());
            }
        }
        if (!refused.isEmpty()) {
            throw new HaproxyException("haproxy refused " + refused.size() + " of " + commands.size() + " commands: "
                    + String.join("; ", refused), false);
        }
        return commands.size();
    }

    /** One slot's commands in a batch: where they are in it, and the state the slot has once they went through. */
    private record SlotChange(Backend backend, int slot, SlotState wanted, int firstCommand, int commands) {
    }

    /** Success is silence, or for an address change a sentence saying what changed (or that nothing had to). */
    private static boolean accepted(String reply) {
        return reply.isEmpty() || reply.contains("changed from") || reply.startsWith("no need to change");
    }

    /**
     * Writes the configuration with every slot as planned, but draining ones disabled (the configuration
     * has no drain state; the Runtime API drains them right after), and reloads. Only once the new
     * worker answers does this object take the new state as haproxy's.
     */
    private void reloadWith(List<HaproxyRoute> routes, Map<String, SlotPlan> plans) {
        List<HaproxyConfig.Backend> written = new ArrayList<>();
        for (HaproxyRoute route : routes) {
            List<SlotState> slots = plans.get(route.name()).wanted().stream()
                    .map(s -> s.mode() == SlotState.Mode.DRAIN ? s.withMode(SlotState.Mode.MAINT) : s).toList();
            written.add(new HaproxyConfig.Backend(route.shape(), slots));
        }
        writeChecked(process, settings.workDir().toAbsolutePath(), config, HaproxyConfig.render(settings, port, written));
        process.reload();
        reloads++;
        Map<String, Backend> now = new LinkedHashMap<>();
        for (HaproxyConfig.Backend backend : written) {
            String name = backend.route().name();
            now.put(name, new Backend(backend.route(), plans.get(name).slotByKey(), backend.slots()));
        }
        backends = now;
        LOG.log(System.Logger.Level.INFO, "haproxy reloaded with " + routes.size() + " routes (reload " + reloads + ")");
    }

    /**
     * Writes {@code text} beside the configuration, has haproxy check it, and only then moves it over the
     * configuration in one step, so that haproxy never reads a half-written or refused file. A refused
     * one stays beside it, as haproxy.cfg.new, for an operator to read.
     */
    private static void writeChecked(HaproxyProcess process, Path dir, Path config, String text) {
        Path candidate = dir.resolve("haproxy.cfg.new");
        try {
            Files.writeString(candidate, text);
            if (process != null) {
                process.check(candidate);
            }
            Files.move(candidate, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write haproxy's configuration in " + dir, e);
        }
    }

    /**
     * The route's tasks with their hosts as IP literals: the Runtime API takes no host names, and a name
     * resolved here is never looked up again by haproxy. A task whose host does not resolve is left out
     * (and said in the log) rather than failing every other route.
     */
    private static List<SlotPlan.Task> resolve(HaproxyRoute route) {
        List<SlotPlan.Task> tasks = new ArrayList<>(route.servers().size());
        Set<String> keys = new HashSet<>();
        for (HaproxyServer server : route.servers()) {
            if (!keys.add(server.key())) {
                throw new IllegalArgumentException("route " + route.name() + " lists task " + server.key() + " twice");
            }
            try {
                String address = InetAddress.getByName(server.host()).getHostAddress();
                tasks.add(new SlotPlan.Task(server.key(), address, server.port(), server.draining()));
            } catch (UnknownHostException e) {
                LOG.log(System.Logger.Level.WARNING, "route " + route.name() + ": task " + server.key()
                        + " left out, its host " + server.host() + " does not resolve");
            }
        }
        return tasks;
    }

    private static int freePort(String bindAddress) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(bindAddress, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + bindAddress, e);
        }
    }

    /** Stops haproxy: its master and workers. */
    @Override
    public synchronized void close() {
        process.close();
    }
}
