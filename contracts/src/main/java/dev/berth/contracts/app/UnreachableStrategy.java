package dev.berth.contracts.app;

/**
 * What happens to an instance with a local volume whose node is lost. A local volume cannot follow
 * its task, so by default the instance waits for its node for ever and its data is kept.
 *
 * @param replaceAfterSeconds null: keep waiting; otherwise, after this long unreachable the instance
 *                            is replaced by a fresh one with fresh volumes on another node (its old
 *                            volumes are released, never destroyed)
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record UnreachableStrategy(Integer replaceAfterSeconds) {
    public static final UnreachableStrategy KEEP_WAITING = new UnreachableStrategy(null);
}
