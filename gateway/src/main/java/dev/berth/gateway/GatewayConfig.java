package dev.berth.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Configuration of the gateway ({@code berth.gateway.*}, or BERTH_GATEWAY_* environment variables). */
@ConfigMapping(prefix = "berth.gateway")
public interface GatewayConfig {
    /** Largest request body accepted; larger ones get 413. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /**
     * Longest request line (method, path with query, version) accepted; longer ones get 414
     * problem+json. Keep {@code quarkus.http.limits.max-initial-line-length} well above it: past that,
     * the HTTP layer answers a bare 414 before Berth sees the request.
     */
    @WithDefault("4096")
    int maxRequestLineBytes();

    /**
     * Most bytes of header lines ({@code name: value}) accepted in all; more get 431 problem+json.
     * Keep {@code quarkus.http.limits.max-header-size} well above it, for the same reason.
     */
    @WithDefault("20480")
    int maxHeaderBytes();

    /** How long to wait for Kafka to acknowledge a command before answering 503. */
    @WithDefault("5s")
    Duration kafkaAckTimeout();

    /**
     * How long an app command waits for the scheduler's reply on {@code berth.command-replies} before
     * the request answers 503 (the command stays in Kafka and is carried out once a scheduler reads it).
     * A failover takes a few seconds; a client retrying after Retry-After gets the outcome then.
     */
    @WithDefault("5s")
    Duration commandReplyTimeout();

    /**
     * After the scheduler accepted a command, how long the answer waits for this gateway's view to show
     * the app at the accepted version, so that a GET right after sees the change. The scheduler commits
     * the state with the reply, so this is normally milliseconds; past it the answer goes out anyway.
     */
    @WithDefault("2s")
    Duration viewCatchUpWait();

    /**
     * A node whose agent has not been heard from for this long is shown {@code reachable: false}.
     * A few heartbeat intervals, so one late heartbeat does not flap it.
     */
    @WithDefault("5s")
    Duration nodeTimeout();

    /** How long to try to connect to a node agent (for a task's logs) before answering 502. */
    @WithDefault("2s")
    Duration agentConnectTimeout();

    /**
     * How long a node agent may take to start answering (for a task's logs) before 504. A followed
     * log may then stay quiet for as long as the task writes nothing: no limit applies to the body.
     */
    @WithDefault("10s")
    Duration agentAnswerTimeout();

    /**
     * How long {@code DELETE /v1/volumes/{id}} waits for the volume service's answer (DELETED or
     * DELETE_REFUSED) before it answers 202 with the volume's Location to follow up on.
     */
    @WithDefault("5s")
    Duration volumeDeleteWait();

    /**
     * Where the volume service answers, for a volume's history ({@code GET /v1/volumes/{id}/history}),
     * which only its database keeps whole: the compacted {@code berth.volume-events} holds the latest
     * state of each volume, not the way it got there.
     */
    @WithDefault("http://localhost:8082")
    URI volumeServiceUrl();

    @WithDefault("1")
    short topicReplicationFactor();

    /** Who may do what ({@code berth.gateway.auth.*}); the token itself is checked by quarkus-oidc. */
    Auth auth();

    interface Auth {
        /**
         * false turns every check off: no token is asked for and every caller is an administrator.
         * Only for measuring what authentication costs (bench/) and for a gateway nobody else can
         * reach; the gateway says so loudly at start.
         */
        @WithDefault("true")
        boolean enabled();

        /** The token claim that lists the caller's teams: Keycloak's group membership mapper writes {@code groups}. */
        @WithDefault("groups")
        String teamsClaim();
    }

    /** {@code GET /v1/events} ({@code berth.gateway.events.*}). */
    Events events();

    interface Events {
        /**
         * Streams open at once; one more gets 503. Each holds a Kafka consumer and a thread, so this
         * bounds what readers can take from the gateway.
         */
        @WithDefault("100")
        int maxStreams();

        /** How often an SSE comment is sent on a quiet stream, so proxies and clients keep the connection. */
        @WithDefault("15s")
        Duration heartbeat();
    }

    /** The web UI ({@code berth.gateway.ui.*}): where its users sign in. */
    Ui ui();

    interface Ui {
        /**
         * The Keycloak realm the browser signs in at ({@code http://host:port/realms/berth}); by default
         * the gateway's own {@code quarkus.oidc.auth-server-url}. Set it when browsers reach Keycloak at
         * another address than the gateway does.
         */
        Optional<String> issuer();

        /** The realm's public client for the UI (authorization code with PKCE). */
        @WithDefault("berth-web")
        String clientId();
    }
}
