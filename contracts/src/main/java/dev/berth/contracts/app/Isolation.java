package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How an app's tasks are fenced off beyond their cpus and mem (Berth's addition; Marathon has no such
 * field). Every part is optional: {@code {"isolation": {"pidsLimit": 256}}}.
 *
 * @param network     HOST (the default: the task shares the node's network, so its host ports work) or
 *                    NONE (a network namespace of its own with only a loopback device)
 * @param pidsLimit   most processes and threads the task may have at once; null means the node's default
 * @param enforceDisk kill the task (FAILED, {@code DISK_LIMIT_EXCEEDED}) when its sandbox grows past
 *                    {@code disk}; when false the excess is only reported
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Isolation(Network network, Integer pidsLimit, boolean enforceDisk) {
    public static final Isolation DEFAULT = new Isolation(Network.HOST, null, false);

    public enum Network { HOST, NONE }

    public Isolation {
        network = network == null ? Network.HOST : network;
    }
}
