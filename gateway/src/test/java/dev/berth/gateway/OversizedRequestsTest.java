package dev.berth.gateway;

import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests too large for the gateway to read — a request line over 4 KiB, headers over 20 KiB — are
 * refused as problem+json like every other error, not with the HTTP layer's bare status. Sent over a
 * raw socket, exactly as written: an HTTP client would refuse or rewrite such requests itself.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class OversizedRequestsTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    void aRequestLineOver4KiBIs414AsAProblem() throws IOException {
        // Given a list query whose request line is over 4 KiB, without a token
        String target = "/v1/tasks?node=" + "n".repeat(5000);

        // When it is sent
        RawAnswer answer = send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

        // Then it is refused with 414 and a problem document saying how long it may be
        assertEquals(414, answer.status(), answer.toString());
        assertProblem(answer, 414);
        assertTrue(answer.problem().getString("detail").contains("4096"), answer.toString());
    }

    @Test
    void aRequestLineJustWithinTheLimitIsServed() throws IOException {
        // Given a request line of exactly 4096 bytes, with a token
        String start = "GET /v1/tasks?node=";
        String end = " HTTP/1.1";
        String target = "/v1/tasks?node=" + "n".repeat(4096 - start.length() - end.length());

        // When it is sent
        RawAnswer answer = send("GET " + target + end + "\r\nHost: localhost\r\nAuthorization: Bearer "
                + TestTokens.admin() + "\r\n\r\n");

        // Then it is answered as any list is
        assertEquals(200, answer.status(), answer.toString());
    }

    @Test
    void headersOver20KiBAre431AsAProblem() throws IOException {
        // Given a request whose headers add up to over 20 KiB
        StringBuilder request = new StringBuilder("GET /v1/nodes HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i < 6; i++) {
            request.append("X-Filler-").append(i).append(": ").append("f".repeat(4000)).append("\r\n");
        }

        // When it is sent
        RawAnswer answer = send(request.append("\r\n").toString());

        // Then it is refused with 431 and a problem document
        assertEquals(431, answer.status(), answer.toString());
        assertProblem(answer, 431);
    }

    private static void assertProblem(RawAnswer answer, int status) {
        assertTrue(answer.header("content-type").startsWith("application/problem+json"), answer.toString());
        JsonPath problem = answer.problem();
        assertEquals(status, problem.getInt("status"), answer.toString());
        assertTrue(problem.getString("type").startsWith("https://berth.dev/problems/"), answer.toString());
        assertTrue(problem.getString("title") != null && problem.getString("detail") != null, answer.toString());
    }

    /** Writes the request as it is and reads the answer until the gateway closes the connection. */
    private RawAnswer send(String request) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // Connection: close after a refusal; a served request is read until its declared length.
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                read.write(buffer, 0, n);
                RawAnswer answer = RawAnswer.parse(read.toString(StandardCharsets.ISO_8859_1));
                if (answer != null && answer.complete()) {
                    return answer;
                }
            }
            RawAnswer answer = RawAnswer.parse(read.toString(StandardCharsets.ISO_8859_1));
            if (answer == null) {
                throw new IOException("no answer, only: " + read.toString(StandardCharsets.ISO_8859_1));
            }
            return answer;
        }
    }

    /** An HTTP/1.1 answer as read off the socket. */
    private record RawAnswer(int status, Map<String, String> headers, String body) {
        static RawAnswer parse(String text) {
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return null;
            }
            String[] lines = text.substring(0, headEnd).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            return new RawAnswer(status, headers, text.substring(headEnd + 4));
        }

        boolean complete() {
            String length = headers.get("content-length");
            return length != null && body.getBytes(StandardCharsets.ISO_8859_1).length >= Integer.parseInt(length);
        }

        String header(String name) {
            return headers.getOrDefault(name, "");
        }

        JsonPath problem() {
            return JsonPath.from(body);
        }
    }
}
