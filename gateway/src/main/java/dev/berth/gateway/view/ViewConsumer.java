package dev.berth.gateway.view;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.StateFollower;
import dev.berth.contracts.kafka.TopicHandlers;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.trace.RecordTracing;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Keeps a {@link ClusterView} current: reads {@code berth.apps}, {@code berth.tasks},
 * {@code berth.node-status}, {@code berth.node-admin}, {@code berth.queue}, {@code berth.volume-events},
 * {@code berth.app-versions}, {@code berth.deployments}, {@code berth.task-history} and
 * {@code berth.routes} from the beginning ({@link StateFollower}: no consumer group, since every
 * gateway replica builds its own full view; committed records only). Tombstones remove entries. Until
 * it has read up to the end offsets it saw at start the gateway is not ready. A record it cannot read
 * goes to the dead-letter topic and the view carries on.
 */
public final class ViewConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ViewConsumer.class);
    /** The view's consumer as Kafka and its metrics ({@code client_id}) name it; one per gateway process. */
    public static final String CLIENT_ID = "berth-gateway-view";

    private final ClusterView view;
    private final StateFollower follower;
    private boolean announced;

    /**
     * @param deadLetters where a record the view cannot read goes (the command bus's producer, and a count)
     * @param tracing     continues the trace a record carries (a task's RUNNING ends its launch's trace here)
     */
    public ViewConsumer(String bootstrapServers, ClusterView view,
                        Consumer<ProducerRecord<String, byte[]>> deadLetters, RecordTracing tracing) {
        this.view = view;
        this.follower = new StateFollower("view-consumer", CLIENT_ID, bootstrapServers, handlers(), "gateway",
                deadLetters, this::polled).traced(tracing);
    }

    /**
     * Has {@code watcher} bind the consumer's own Kafka metrics, its lag among them
     * ({@link StateFollower#watchedBy}); before {@link #start}.
     */
    public void watchedBy(Function<KafkaConsumer<String, byte[]>, AutoCloseable> watcher) {
        follower.watchedBy(watcher);
    }

    public void start() {
        follower.start();
    }

    public boolean caughtUp() {
        return follower.caughtUp();
    }

    private void polled(boolean caughtUp, boolean applied) {
        if (caughtUp && !announced) {
            announced = true;
            LOG.infof("view caught up: %d apps, %d tasks, %d nodes, %d volumes, %d deployments",
                    view.apps().size(), view.tasks().size(), view.nodes().size(), view.volumes().size(),
                    view.deployments().size());
        }
    }

    /** What the view takes from each topic it reads; a tombstone removes what its key names. */
    private TopicHandlers handlers() {
        return new TopicHandlers()
                .on(Topics.APPS, view::putApp, view::removeApp)
                .on(Topics.TASKS, view::putTask, view::removeTask)
                // While replaying history, a report's age is its own; after that, it is news now.
                .on(Topics.NODE_STATUS, report -> view.putNode(report,
                        caughtUp() || report.occurredAt() == null ? Instant.now() : report.occurredAt()))
                .on(Topics.NODE_ADMIN, command -> view.putNodeMode(command.nodeId(), modeAfter(command)),
                        view::clearNodeMode)
                .on(Topics.QUEUE, view::putQueue, view::removeQueue)
                .on(Topics.VOLUME_EVENTS, this::putVolume, view::removeVolume)
                .on(Topics.APP_VERSIONS, view::putVersion, view::removeVersion)
                .on(Topics.DEPLOYMENTS, view::putDeployment, view::removeDeployment)
                .on(Topics.TASK_HISTORY, view::putHistory, view::removeHistory)
                .on(Topics.ROUTES, view::putRoutes, view::removeRoutes);
    }

    private void putVolume(VolumeEvent event) {
        if (!view.putVolume(event)) {
            LOG.debugf("ignored a stale event of volume %s (version %d)", event.volumeId(), event.volume().version());
        }
    }

    private static NodeMode modeAfter(NodeAdminCommand command) {
        if (command instanceof DrainNode) {
            return NodeMode.DRAINING;
        }
        if (command instanceof UndrainNode) {
            return NodeMode.ACTIVE;
        }
        throw new MalformedMessageException("unknown node admin command " + command.getClass().getSimpleName());
    }

    @Override
    public void close() throws InterruptedException {
        follower.close();
    }
}
