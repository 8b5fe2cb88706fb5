package dev.berth.system;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * An HTTP load at a fixed rate over a fixed number of kept-alive connections, as a benchmark's
 * client: each connection sends its share of the rate on a schedule, and each latency is counted from
 * when the request was due, not from when it was sent, so that a stall of the server shows in the
 * figures instead of slowing the client down with it (no coordinated omission). A blocking socket per
 * connection and a plain HTTP/1.1 exchange: the client's own cost stays small and the same for every
 * target it is pointed at.
 */
final class FixedRateLoad {
    private final String host;
    private final int port;
    private final String path;

    /** What one run saw: requests answered 200, failures (other answers, broken connections), each latency. */
    record Result(int answered, int failed, double seconds, long[] latenciesNanos) {
        double rate() {
            return answered / seconds;
        }

        double percentileMillis(double percentile) {
            if (latenciesNanos.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(percentile / 100 * latenciesNanos.length) - 1;
            return latenciesNanos[Math.max(0, Math.min(index, latenciesNanos.length - 1))] / 1e6;
        }

        /** Several runs' requests taken together. */
        static Result merged(List<Result> runs) {
            int answered = runs.stream().mapToInt(Result::answered).sum();
            int failed = runs.stream().mapToInt(Result::failed).sum();
            double seconds = runs.stream().mapToDouble(Result::seconds).sum();
            long[] all = runs.stream().flatMapToLong(run -> Arrays.stream(run.latenciesNanos())).sorted().toArray();
            return new Result(answered, failed, seconds, all);
        }

        String summary() {
            return String.format(Locale.ROOT, "%.0f req/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms, %d failed",
                    rate(), percentileMillis(50), percentileMillis(99), percentileMillis(99.9), percentileMillis(100),
                    failed);
        }
    }

    FixedRateLoad(String host, int port, String path) {
        this.host = host;
        this.port = port;
        this.path = path;
    }

    /** Sends {@code rate} requests a second over {@code connections} connections for {@code duration}. */
    Result run(int connections, int rate, Duration duration) throws Exception {
        long perConnection = duration.toNanos() * rate / 1_000_000_000L / connections;
        long interval = 1_000_000_000L * connections / rate;
        long start = System.nanoTime() + 50_000_000L; // every connection opened before the first is due
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                // Connections take turns: connection c's requests are due c/rate seconds after connection 0's.
                long first = start + 1_000_000_000L * c / rate;
                results.add(threads.submit(() -> connection(first, interval, (int) perConnection)));
            }
            List<Long> latencies = new ArrayList<>();
            int failed = 0;
            for (Future<long[]> result : results) {
                long[] one = result.get();
                for (long latency : one) {
                    if (latency < 0) {
                        failed++;
                    } else {
                        latencies.add(latency);
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(latencies.size(), failed, seconds,
                    latencies.stream().mapToLong(Long::longValue).sorted().toArray());
        } finally {
            threads.shutdownNow();
        }
    }

    /** One connection's share: each request's latency from when it was due, or -1 for a failed one. */
    private long[] connection(long first, long interval, int requests) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: berth-bench\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        long[] latencies = new long[requests];
        Socket socket = null;
        InputStream in = null;
        try {
            for (int i = 0; i < requests; i++) {
                long due = first + i * interval;
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now); // pacing to the schedule, not waiting for an outcome
                }
                try {
                    if (socket == null) {
                        socket = connect();
                        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                    }
                    boolean ok = exchange(socket.getOutputStream(), in, request);
                    latencies[i] = ok ? System.nanoTime() - due : -1;
                } catch (IOException e) {
                    latencies[i] = -1;
                    closeQuietly(socket);
                    socket = null;
                }
            }
        } finally {
            closeQuietly(socket);
        }
        return latencies;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress(host, port), 2_000);
        return socket;
    }

    /** Writes the request and reads one whole answer (headers, then Content-Length bytes); true for a 200. */
    private static boolean exchange(OutputStream out, InputStream in, byte[] request) throws IOException {
        out.write(request);
        out.flush();
        String status = line(in);
        int length = 0;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(header.substring(colon + 1).trim());
            }
        }
        if (in.readNBytes(length).length != length) {
            throw new IOException("the answer ended early");
        }
        return status.startsWith("HTTP/1.1 200") || status.startsWith("HTTP/1.0 200");
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed mid-answer");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing after a failure: nothing more to learn
            }
        }
    }
}
