package dev.berth.agent.runtime;

/**
 * {@link KillWhileStartingTest} with tasks started into their own root by the helper, as the agent runs them
 * by default: there the first process is {@code berth-confine launch}, which joins the cgroup itself, and a
 * SIGTERM can reach it before it has.
 */
class OwnRootKillWhileStartingTest extends KillWhileStartingTest {
    @Override
    ProcessRuntime newRuntime(AgentMark mark) {
        return OwnRoots.runtime(host, OwnRoots.probedOrSkip(host, workDir.resolve("agent")), mark);
    }
}
