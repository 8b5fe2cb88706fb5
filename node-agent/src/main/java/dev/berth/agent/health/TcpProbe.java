package dev.berth.agent.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A TCP connection to the port passes. The connect blocks, so it runs on the monitor's small
 * bounded pool; the socket's own timeout bounds it, and local connects take microseconds.
 */
final class TcpProbe implements Probe {
    private final String host;
    private final int port;
    private final int timeoutSeconds;
    private final Executor pool;
    private final String description;

    TcpProbe(String host, int port, int timeoutSeconds, Executor pool, String description) {
        this.host = host;
        this.port = port;
        this.timeoutSeconds = timeoutSeconds;
        this.pool = pool;
        this.description = description;
    }

    @Override
    public CompletableFuture<ProbeResult> run() {
        return CompletableFuture.supplyAsync(this::connect, pool);
    }

    private ProbeResult connect() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutSeconds * 1000);
            return ProbeResult.pass("connected");
        } catch (SocketTimeoutException e) {
            return ProbeResult.timedOut(timeoutSeconds);
        } catch (ConnectException e) {
            return ProbeResult.fail("connection refused");
        } catch (IOException | RuntimeException e) {
            return ProbeResult.fail(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    @Override
    public String description() {
        return description;
    }
}
