package dev.berth.scheduler.leader;

import dev.berth.testkit.SharedInfra;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leader election over the real in-process broker: group membership picks exactly one leader. */
class LeaderElectorTest {
    /** The failover target after a crash; an orderly hand-over must be well within it. */
    private static final Duration FAILOVER = Duration.ofSeconds(5);
    private static final Duration JOIN = Duration.ofSeconds(30);

    private final String bootstrap = SharedInfra.kafka().bootstrapServers();
    private final List<LeaderElector> electors = new ArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private String topic;
    private String group;

    @BeforeEach
    void createALeaderTopic() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        topic = "test.scheduler-leader-" + suffix;
        group = "test-leader-" + suffix;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void closeElectors() {
        electors.forEach(LeaderElector::close);
    }

    @Test
    void ofTwoElectorsExactlyOneLeadsAndTheOtherStandsBy() {
        // Given two schedulers' electors in one group
        LeaderElector first = start("a");
        LeaderElector second = start("b");

        // When both have joined
        await("both joined").atMost(JOIN).until(() -> first.joined() && second.joined());

        // Then exactly one leads, and it was elected once
        await("one leader").atMost(JOIN).until(() -> first.leader() ^ second.leader());
        assertEquals(1, events.stream().filter(e -> e.startsWith("elected")).count(), events.toString());
    }

    @Test
    void whenTheLeaderLeavesTheStandbyTakesOverWithinTheFailoverTarget() {
        // Given a leader and a standby
        LeaderElector first = start("a");
        await("a leads").atMost(JOIN).until(first::leader);
        LeaderElector second = start("b");
        await("b joined as standby").atMost(JOIN).until(second::joined);
        assertFalse(second.leader());

        // When the leader closes (as a scheduler shutting down does)
        long closedAt = System.nanoTime();
        first.close();

        // Then it was deposed in order, and the standby leads within the target
        assertTrue(events.contains("deposed:a:orderly"), events.toString());
        await("b leads").atMost(FAILOVER).pollInterval(Duration.ofMillis(20)).until(second::leader);
        assertTrue(Duration.ofNanos(System.nanoTime() - closedAt).compareTo(FAILOVER) < 0);
        assertFalse(first.leader());
    }

    @Test
    void whenTheLeaderGoesSilentLikeAKilledProcessTheStandbyTakesOverWithinTheFailoverTarget() {
        // Given a leader and a standby
        LeaderElector first = start("a");
        await("a leads").atMost(JOIN).until(first::leader);
        LeaderElector second = start("b");
        await("b joined as standby").atMost(JOIN).until(second::joined);

        // When the leader stops heartbeating without leaving the group, as after kill -9
        long crashedAt = System.nanoTime();
        first.abandon();

        // Then the group gives the leadership away after the 3 s session, inside the 5 s target
        await("b leads").atMost(FAILOVER).pollInterval(Duration.ofMillis(20)).until(second::leader);
        long tookMillis = Duration.ofNanos(System.nanoTime() - crashedAt).toMillis();
        assertTrue(tookMillis >= 2_000, "took over after " + tookMillis + " ms: before the session could expire?");
    }

    @Test
    void aStandbyJoiningDoesNotTakeTheLeadershipAway() {
        // Given a leader
        LeaderElector first = start("a");
        await("a leads").atMost(JOIN).until(first::leader);
        long term = first.term();

        // When two more schedulers join
        LeaderElector second = start("b");
        LeaderElector third = start("c");
        await("b and c joined").atMost(JOIN).until(() -> second.joined() && third.joined());

        // Then the sticky assignment keeps the leader in its term, without a deposition
        assertTrue(first.leads(term));
        assertFalse(second.leader() || third.leader());
        assertFalse(events.stream().anyMatch(e -> e.startsWith("deposed")), events.toString());
    }

    @Test
    void anElectorWhoseSessionTheBrokerRefusesFallsBackToALongerOneAndStillLeads() {
        // Given a session shorter than the broker's group.min.session.timeout.ms (1 s on the testkit broker)
        LeaderElector elector = start("short", Duration.ofMillis(500), Duration.ofMillis(100));

        // Then it doubles the session until the broker accepts it, and is elected
        await("elected with a longer session").atMost(JOIN).until(elector::leader);
        assertEquals(Duration.ofSeconds(1), elector.sessionTimeout());
    }

    private LeaderElector start(String name) {
        return start(name, Duration.ofSeconds(3), Duration.ofMillis(500));
    }

    private LeaderElector start(String name, Duration session, Duration heartbeat) {
        LeaderElector elector = new LeaderElector(new LeaderElector.Settings(bootstrap, topic, group,
                "test-elector-" + name, session, heartbeat),
                new LeaderElector.Listener() {
                    @Override
                    public void elected(long term, int generation) {
                        events.add("elected:" + name);
                    }

                    @Override
                    public void deposed(long term, boolean orderly) {
                        events.add("deposed:" + name + (orderly ? ":orderly" : ":lost"));
                    }
                });
        electors.add(elector);
        elector.start();
        return elector;
    }
}
