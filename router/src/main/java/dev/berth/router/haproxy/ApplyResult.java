package dev.berth.router.haproxy;

/**
 * What {@link Haproxy#apply} had to do to reach the wanted routes: a full configuration and a reload
 * (routes or their settings changed, or a backend grew), and how many Runtime API commands it sent
 * (task changes). Nothing to do is {@code (false, 0)}.
 */
public record ApplyResult(boolean reloaded, int runtimeCommands) {
}
