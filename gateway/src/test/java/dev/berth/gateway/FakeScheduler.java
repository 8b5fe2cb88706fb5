package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.KillAppTask;
import dev.berth.contracts.messages.PromoteDeployment;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.RollbackApp;
import dev.berth.contracts.messages.RollbackDeployment;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.UpdateApp;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Plays the active scheduler for one test's apps, over the real broker: reads the app commands of the
 * apps it is given (by id), and answers each on {@code berth.command-replies}, in one transaction with
 * the state it records on {@code berth.apps} and the version on {@code berth.app-versions}, as the real
 * one does. By default it accepts as the real scheduler would (create, scale, restart, update with its
 * If-Match, delete marks DELETING, replace, kill with or without scale-down) and refuses what the real
 * one refuses by app state (an existing app created again: CONFLICT; no app: NOT_FOUND; an app being
 * deleted: CONFLICT; a stale expected version: CONFLICT). A test can script the next answers
 * ({@link #refuseNext}) or silence it ({@link #silence}) to see the gateway's 503.
 *
 * <p>Deployments: it starts none by itself, but records those a test gives it ({@link #recordDeployment})
 * on {@code berth.deployments} and then answers as the real one does: {@code PromoteDeployment} of a
 * PAUSED one (RUNNING after it), {@code RollbackDeployment} of one under way (ROLLED_BACK, its app back at
 * the definition it started from as a new version), each NOT_FOUND for a deployment the app does not
 * have and CONFLICT otherwise; {@code RollbackApp} to a version it saw (NOT_FOUND for another). While
 * such a deployment is under way it refuses {@code UpdateApp} and {@code RollbackApp} without
 * {@code force}, and {@code RestartApp}, with the real one's CONFLICT; a forced change ends it SUPERSEDED.
 *
 * <p>It knows an app's state from {@code berth.apps}, read up to its end before each command, so an
 * app a test records there directly is known to it too.
 */
final class FakeScheduler implements AutoCloseable {
    private record Refusal(CommandReply.Outcome outcome, String reason) {
    }

    private final String bootstrapServers;
    private final Predicate<String> mine;
    private final KafkaConsumer<String, byte[]> commands;
    private final Map<String, AppState> states = new ConcurrentHashMap<>();
    /** Every definition of each app it recorded or read, by version: what a RollbackApp brings back. */
    private final Map<String, NavigableMap<Long, AppDefinition>> definitions = new ConcurrentHashMap<>();
    private final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
    private final List<AppCommand> received = new CopyOnWriteArrayList<>();
    private final Queue<Refusal> scripted = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean silent;
    private volatile boolean running = true;
    private KafkaConsumer<String, byte[]> apps;
    private KafkaProducer<String, byte[]> producer;

    /** Answers the commands of apps whose id passes {@code mine} (a test's group), and no others. */
    FakeScheduler(String bootstrapServers, Predicate<String> mine) {
        this.bootstrapServers = bootstrapServers;
        this.mine = mine;
        this.commands = consumer();
        this.thread = new Thread(this::run, "fake-scheduler");
        this.thread.setDaemon(true);
    }

    /** Starts reading at the end of the commands topic; returns once positioned, so no command is missed. */
    FakeScheduler start() {
        TopicPartition partition = new TopicPartition(Topics.APP_COMMANDS.name(), 0);
        commands.assign(List.of(partition));
        commands.seekToEnd(List.of(partition));
        commands.position(partition);
        thread.start();
        return this;
    }

    /** The next command is answered with this refusal instead (several calls script several answers). */
    FakeScheduler refuseNext(CommandReply.Outcome outcome, String reason) {
        scripted.add(new Refusal(outcome, reason));
        return this;
    }

    /** From now on no command is answered (a scheduler that is down); they are still recorded. */
    FakeScheduler silence() {
        silent = true;
        return this;
    }

    /** The commands of its apps it read, in order, answered or not. */
    List<AppCommand> received() {
        return List.copyOf(received);
    }

    /**
     * Records a deployment on {@code berth.deployments} (keyed by its id, in a transaction, as the real
     * scheduler does) and answers commands about it from now on.
     */
    FakeScheduler recordDeployment(Deployment deployment) {
        commit(null, null, deployment, null);
        return this;
    }

    /** The deployment as it last recorded it. */
    Optional<Deployment> deployment(String deploymentId) {
        return Optional.ofNullable(deployments.get(deploymentId));
    }

    /** The state it holds of an app, as it last recorded or read it. */
    Optional<AppState> state(String appId) {
        return Optional.ofNullable(states.get(appId));
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : commands.poll(Duration.ofMillis(50))) {
                    if (record.key() != null && mine.test(record.key()) && record.value() != null) {
                        AppCommand command = JsonCodec.decode(record.value(), AppCommand.class);
                        received.add(command);
                        if (!silent) {
                            answer(command);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            commands.close();
            if (apps != null) {
                apps.close();
            }
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    private void answer(AppCommand command) {
        catchUpWithApps();
        Refusal refusal = scripted.poll();
        AppState current = states.get(command.appId());
        long version = current == null ? 0 : current.version();
        if (refusal != null) {
            commit(null, null, CommandReply.of(command, refusal.outcome(), refusal.reason(), version));
            return;
        }
        if (command instanceof CreateApp create) {
            if (current != null) {
                commit(null, null, CommandReply.conflict(command, version, "an app " + command.appId()
                        + " already exists" + (current.deleting() ? " and is being deleted; try again once it is gone"
                        : "; delete it first or pick another id")));
            } else {
                AppState created = AppState.of(create.app(), 1, false, command.id());
                commit(created, AppVersion.CREATED, CommandReply.accepted(command, 1, "created version 1"));
            }
            return;
        }
        if (current == null) {
            commit(null, null, CommandReply.notFound(command, "no app " + command.appId()));
            return;
        }
        if (current.deleting()) {
            commit(null, null, CommandReply.conflict(command, version, "the app " + command.appId()
                    + " is being deleted"));
            return;
        }
        Deployment running = runningDeployment(command.appId()).orElse(null);
        String busy = running == null ? null : "a deployment (" + running.deploymentId() + ") of "
                + command.appId() + " is running: wait for it, or use force=true";
        if (command instanceof PromoteDeployment promote) {
            Deployment d = deploymentOf(command.appId(), promote.deploymentId());
            if (d == null) {
                commit(null, null, CommandReply.notFound(command, "no deployment " + promote.deploymentId() + " of "
                        + command.appId()));
            } else if (d.state() != DeploymentState.PAUSED) {
                commit(null, null, CommandReply.conflict(command, version, "the deployment " + d.deploymentId()
                        + " of " + command.appId() + " is " + d.state() + ", not PAUSED: only a deployment waiting"
                        + " with healthy canaries can be promoted"));
            } else {
                commit(null, null, withState(d, DeploymentState.RUNNING, null, false),
                        CommandReply.accepted(command, version, "promoted " + d.deploymentId()));
            }
            return;
        }
        if (command instanceof RollbackDeployment rollback) {
            Deployment d = deploymentOf(command.appId(), rollback.deploymentId());
            if (d == null) {
                commit(null, null, CommandReply.notFound(command, "no deployment " + rollback.deploymentId() + " of "
                        + command.appId()));
            } else if (d.isFinished()) {
                commit(null, null, CommandReply.conflict(command, version, "the deployment " + d.deploymentId()
                        + " of " + command.appId() + " has ended (" + d.state() + "); roll the app back to a version"
                        + " instead"));
            } else {
                AppState reverted = current.rolledBack(d.from() == null ? current.definition() : d.from(), List.of(),
                        command.id());
                commit(reverted, AppVersion.ROLLED_BACK,
                        withState(d, DeploymentState.ROLLED_BACK, "rolled back by an operator", true),
                        CommandReply.accepted(command, reverted.version(), "rolled back to the definition of version "
                                + d.fromVersion() + " as version " + reverted.version()));
            }
            return;
        }
        boolean forced = command instanceof UpdateApp u && u.force() || command instanceof RollbackApp r && r.force();
        if (busy != null && !forced
                && (command instanceof UpdateApp || command instanceof RestartApp || command instanceof RollbackApp)) {
            commit(null, null, CommandReply.conflict(command, version, busy));
            return;
        }
        Deployment superseded = running != null && forced
                ? withState(running, DeploymentState.SUPERSEDED, "superseded (forced)", true) : null;
        AppState next;
        String change;
        if (command instanceof RollbackApp rollback) {
            AppDefinition earlier = definitions.getOrDefault(command.appId(), new ConcurrentSkipListMap<>())
                    .get(rollback.version());
            if (earlier == null || rollback.version() > version) {
                commit(null, null, CommandReply.notFound(command, "no version " + rollback.version() + " of "
                        + command.appId() + " is kept (the latest 50 are)"));
                return;
            }
            next = current.rolledBack(earlier, List.of(), command.id());
            change = AppVersion.ROLLED_BACK;
        } else if (command instanceof ScaleApp scale) {
            next = current.scaled(current.definition().withInstances(scale.instances()), command.id());
            change = AppVersion.SCALED;
        } else if (command instanceof RestartApp) {
            next = current.restarted(command.id());
            change = AppVersion.RESTARTED;
        } else if (command instanceof UpdateApp update) {
            if (update.expectedVersion() != null && update.expectedVersion() != version) {
                commit(null, null, CommandReply.conflict(command, version, "the app " + command.appId()
                        + " is at version " + version + ", not " + update.expectedVersion()
                        + "; read it again and retry"));
                return;
            }
            next = current.updated(update.app(), command.id());
            change = AppVersion.UPDATED;
        } else if (command instanceof DeleteApp delete) {
            next = current.deleted(delete.wipe(), command.id());
            change = null; // the real scheduler records no version for the state that marks an app deleted
        } else if (command instanceof ReplaceInstance replace) {
            next = current.replacing(replace.identity(), command.id());
            change = AppVersion.REPLACED;
        } else if (command instanceof KillAppTask kill) {
            if (!kill.scaleDown()) {
                commit(null, null, CommandReply.accepted(command, version, "killing " + kill.taskId()));
                return;
            }
            next = current.scaled(current.definition().withInstances(current.definition().instances() - 1),
                    command.id());
            change = AppVersion.SCALED;
        } else {
            throw new IllegalStateException("unexpected command " + command);
        }
        commit(next, change, superseded, CommandReply.accepted(command, next.version(), "version " + next.version()));
    }

    private Optional<Deployment> runningDeployment(String appId) {
        return deployments.values().stream().filter(d -> d.appId().equals(appId) && !d.isFinished()).findFirst();
    }

    /** The deployment, if it is one of the app's (as the real one, it does not act on another app's). */
    private Deployment deploymentOf(String appId, String deploymentId) {
        Deployment d = deployments.get(deploymentId);
        return d != null && d.appId().equals(appId) ? d : null;
    }

    /** The deployment's next record: in {@code state}, for {@code reason}, finished now if {@code ends}. */
    private static Deployment withState(Deployment d, DeploymentState state, String reason, boolean ends) {
        Instant now = Instant.now();
        return new Deployment(dev.berth.contracts.messages.Ids.newId(), d.schemaVersion(), now, d.correlationId(),
                d.deploymentId(), d.appId(), d.fromVersion(), d.toVersion(), d.from(), d.to(), state, reason,
                d.steps(), ends ? d.steps().size() : Math.min(d.currentStep() + 1, d.steps().size()), d.progress(),
                d.startedAt(), d.deadline(), ends ? now : null, d.cause());
    }

    private void commit(AppState state, String change, CommandReply reply) {
        commit(state, change, null, reply);
    }

    /**
     * The state (if any), its version record (if {@code change}), a deployment's new record (if any) and the
     * reply (if any), in one transaction. Synchronized: a test records deployments from its own thread, and
     * one producer runs one transaction at a time.
     */
    private synchronized void commit(AppState state, String change, Deployment deployment, CommandReply reply) {
        KafkaProducer<String, byte[]> out = producer();
        out.beginTransaction();
        if (state != null) {
            out.send(new ProducerRecord<>(Topics.APPS.name(), state.appId(), JsonCodec.encodeBytes(state)));
            remember(state);
            if (change != null) {
                out.send(new ProducerRecord<>(Topics.APP_VERSIONS.name(), Topics.appVersionKey(state.appId(),
                        state.version()), JsonCodec.encodeBytes(AppVersion.of(state, change))));
            }
        }
        if (deployment != null) {
            out.send(new ProducerRecord<>(Topics.DEPLOYMENTS.name(), deployment.deploymentId(),
                    JsonCodec.encodeBytes(deployment)));
            deployments.put(deployment.deploymentId(), deployment);
        }
        if (reply != null) {
            out.send(new ProducerRecord<>(Topics.COMMAND_REPLIES.name(), reply.commandId(), JsonCodec.encodeBytes(reply)));
        }
        out.commitTransaction();
    }

    private void remember(AppState state) {
        states.put(state.appId(), state);
        definitions.computeIfAbsent(state.appId(), id -> new ConcurrentSkipListMap<>())
                .put(state.version(), state.definition());
    }

    /** Reads berth.apps to its (committed) end, so a state a test recorded directly is known. */
    private void catchUpWithApps() {
        TopicPartition partition = new TopicPartition(Topics.APPS.name(), 0);
        if (apps == null) {
            apps = consumer();
            apps.assign(List.of(partition));
            apps.seekToBeginning(List.of(partition));
        }
        long end = apps.endOffsets(List.of(partition)).get(partition);
        while (apps.position(partition) < end) {
            for (ConsumerRecord<String, byte[]> record : apps.poll(Duration.ofMillis(50))) {
                if (record.key() == null || !mine.test(record.key())) {
                    continue;
                }
                if (record.value() == null) {
                    states.remove(record.key());
                } else {
                    remember(JsonCodec.decode(record.value(), AppState.class));
                }
            }
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fake-scheduler-" + UUID.randomUUID(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
            producer.initTransactions();
        }
        return producer;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        commands.wakeup();
        thread.join(10_000);
    }
}
