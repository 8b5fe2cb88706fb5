/**
 * The router's data plane: one HAProxy (Debian's package) kept serving the routes the router's Kafka
 * side decides. Plain Java, no Kafka and no Quarkus: {@link dev.berth.router.haproxy.Haproxy#apply} takes
 * the whole wanted state ({@link dev.berth.router.haproxy.HaproxyRoute}s with their
 * {@link dev.berth.router.haproxy.HaproxyServer}s) each time.
 *
 * <p>How it stays cheap: each route is one backend with a fixed number of server slots. A task keeps
 * its slot while it lives; task changes (added, gone, moved, draining) are Runtime API commands on the
 * stats socket ({@code set server B/sN addr|state}), all of one apply's on one connection; only a change of routes or their settings, or a
 * backend out of slots (their number doubles), rewrites the configuration and reloads through the
 * master socket. The configuration always shows every slot as it is, so a reload keeps the servers.
 *
 * <p>The work directory holds haproxy.cfg (and haproxy.cfg.new when haproxy refused one),
 * haproxy.sock (Runtime API), master.sock (reloads), haproxy.pid and haproxy.log (its output).
 */
package dev.berth.router.haproxy;
