package dev.berth.contracts.routing;

/**
 * Which instance of an app a routed request goes to (docs/routing.md). The three affinities a
 * stateful service needs from its load balancer, as the DC/OS overview names them, and none.
 */
public enum RouteAffinity {
    /** Each request to the instance with the fewest open connections. */
    NONE,
    /** A user's session stays on one instance: the router sets a cookie naming it. */
    SESSION,
    /** Every request of one transaction (the same transaction header) reaches the same instance. */
    TRANSACTION,
    /**
     * A client (its address) or a key (a named header, e.g. a tenant id) always maps to the same
     * instance, by consistent hashing: when an instance comes or goes only its own keys move.
     */
    SERVER
}
