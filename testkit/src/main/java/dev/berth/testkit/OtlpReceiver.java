package dev.berth.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A real OTLP/HTTP trace receiver for tests: what a service's OpenTelemetry exporter sends its spans to,
 * so that a test asserts on the spans a service really exported (names, parents, attributes) and not on
 * a mock of the tracer. It listens on a free port of 127.0.0.1 and takes {@code POST /v1/traces} with
 * {@code Content-Type: application/x-protobuf}, gzip-compressed or not, as the OTLP specification's
 * http/protobuf transport has it.
 *
 * <p>Answers: 200 with an empty {@code ExportTraceServiceResponse} (zero bytes: every field unset, which
 * tells the exporter all spans were taken) once the whole body decoded; 400 for a body that is not an
 * {@code ExportTraceServiceRequest} (nothing of it is kept); 415 for another content type (OTLP/JSON is
 * not read); 405 for another method on {@code /v1/traces}; 404 for any other path.
 *
 * <p>Where to point an exporter:
 * <ul>
 *   <li>Quarkus ({@code quarkus-opentelemetry}, {@code quarkus.otel.exporter.otlp.traces.protocol=http/protobuf}):
 *       {@code quarkus.otel.exporter.otlp.traces.endpoint=}{@link #endpoint()}, the <b>base</b> URL. Quarkus's
 *       own sender ({@code VertxHttpSender}, Quarkus 3.33) appends {@code /v1/traces} to the endpoint's path
 *       itself (a trailing slash dropped first), so the full URL there would post to
 *       {@code /v1/traces/v1/traces} and get 404. It sends uncompressed unless
 *       {@code quarkus.otel.exporter.otlp.traces.compression=gzip}.</li>
 *   <li>The OpenTelemetry SDK's {@code OtlpHttpSpanExporter.builder().setEndpoint(…)}: {@link #tracesUrl()},
 *       the full URL; that builder takes its endpoint as it is.</li>
 * </ul>
 *
 * <p>Why the JDK's {@code HttpServer} and a hand-written decoder ({@link OtlpTraceDecoder}): the testkit
 * is on the local run's classpath too, and a receiver for tests should not bring a web framework or
 * protobuf-java with it.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** The path of the traces signal in OTLP/HTTP. */
    public static final String TRACES_PATH = "/v1/traces";
    private static final String PROTOBUF = "application/x-protobuf";

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    /** Listens on a port of 127.0.0.1 the system chose, until {@link #close()}. */
    public static OtlpReceiver start() {
        HttpServer server;
        try {
            // Port 0: the kernel picks a free one as it binds, so no other suite can take it in between.
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback", e);
        }
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/", receiver::handle);
        server.start();
        return receiver;
    }

    /**
     * {@code http://127.0.0.1:<port>}, without a path: what {@code quarkus.otel.exporter.otlp.traces.endpoint}
     * takes (Quarkus adds {@code /v1/traces}).
     */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * {@code http://127.0.0.1:<port>/v1/traces}: the full URL, for an exporter that does not add the path
     * (the OpenTelemetry SDK's {@code OtlpHttpSpanExporter}).
     */
    public String tracesUrl() {
        return endpoint() + TRACES_PATH;
    }

    /** Every span received so far, in the order they arrived. */
    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The spans received so far of the trace {@code traceId} (32 hex digits), in the order they arrived. */
    public List<ReceivedSpan> trace(String traceId) {
        String wanted = traceId.toLowerCase(Locale.ROOT);
        return spans.stream().filter(span -> span.traceId().equals(wanted)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!TRACES_PATH.equals(exchange.getRequestURI().getPath())) {
                answer(exchange, 404);
            } else if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answer(exchange, 405);
            } else if (!isProtobuf(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                answer(exchange, 415);
            } else {
                receive(exchange);
            }
        }
    }

    private void receive(HttpExchange exchange) throws IOException {
        List<ReceivedSpan> received;
        try {
            received = OtlpTraceDecoder.decode(body(exchange));
        } catch (ProtobufReader.MalformedProtobufException | ZipException | EOFException e) {
            // Not protobuf, or said to be gzip and not (or cut short).
            answer(exchange, 400);
            return;
        }
        // All of a request or none of it: the decoder has read the whole body before this.
        spans.addAll(received);
        exchange.getResponseHeaders().set("Content-Type", PROTOBUF);
        answer(exchange, 200);
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        InputStream in = exchange.getRequestBody();
        if (encoding != null && encoding.trim().equalsIgnoreCase("gzip")) {
            in = new GZIPInputStream(in);
        }
        try (InputStream body = in) {
            return body.readAllBytes();
        }
    }

    private static boolean isProtobuf(String contentType) {
        // "application/x-protobuf", perhaps with parameters after a ';'.
        return contentType != null
                && contentType.split(";", 2)[0].trim().equalsIgnoreCase(PROTOBUF);
    }

    /** An answer with no body: for 200, the empty ExportTraceServiceResponse. */
    private static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }
}
