package dev.berth.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Makes malformed or hostile HTTP requests for the gateway, reproducibly from one seed: app definitions
 * with huge numbers, deep nesting, long strings, odd characters in ids, path traversal in volume paths,
 * wrong types, duplicate and unknown fields and invalid UTF-8; mutants of a valid definition; list and
 * event-stream queries with bad values; and path ids with traversal and odd encodings.
 * <p>
 * Every request but a mutant or a posted definition is built so that a correct gateway refuses it
 * (a list query always carries at least one bad parameter, an event stream a bad resume point), so a
 * 2xx is itself a finding. Ids are kept under {@code team} so nothing generated can touch another
 * test's apps.
 */
final class HostileRequests {
    /** One request: {@code pathAndQuery} is already percent-encoded as it goes on the wire. */
    record Hostile(int index, String kind, String method, String pathAndQuery, Map<String, String> headers,
                   byte[] body) {
        /** A POST /v1/apps that a valid definition may turn into a 201. */
        boolean isAppCreation() {
            return method.equals("POST") && pathAndQuery.equals("/v1/apps");
        }

        String describe() {
            String text = body == null ? "" : new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
            return "#" + index + " [" + kind + "] " + method + " " + cut(pathAndQuery, 300) + " " + headers
                    + (body == null ? "" : " body(" + body.length + " bytes): " + text.replace("\n", "\\n"));
        }
    }

    static final int BODY_LIMIT = 1_048_576;

    private static final String[] HUGE_NUMBERS = {"1e308", "-1e308", "1.7976931348623157e309", "-0", "-0.0", "0e0",
            "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "NaN", "Infinity", "9223372036854775808",
            "-9223372036854775809", "18446744073709551616", "1e-400", "4.9e-324", "2147483648", "-2147483649",
            "123456789012345678901234567890123456789012345678901234567890", "1e999999999", "0x10", "1_000",
            "01", "+1", ".5", "1.", "1e", "\"1e3\"", "1E+2", "10000.5", "10001", "-1", "0.0000001"};
    private static final String[] NUMBER_FIELDS = {"instances", "cpus", "mem", "disk", "backoffSeconds",
            "backoffFactor", "maxLaunchDelaySeconds", "taskKillGracePeriodSeconds"};
    private static final String[] FIELDS = {"id", "cmd", "args", "instances", "cpus", "mem", "disk", "env", "labels",
            "portDefinitions", "requirePorts", "container", "acceptedResourceRoles", "constraints", "affinity",
            "placementStrategy", "backoffSeconds", "backoffFactor", "maxLaunchDelaySeconds",
            "taskKillGracePeriodSeconds", "killSelection", "healthChecks", "user", "isolation",
            "unreachableStrategy", "version", "versionInfo", "readinessChecks", "upgradeStrategy", "gpus", "ports"};
    private static final String[] WRONG_TYPES = {"\"12\"", "\"\"", "{}", "{\"a\": 1}", "[]", "[1, 2]", "[[]]", "true",
            "false", "0", "-1", "1.5", "\"true\"", "[\"x\"]", "{\"\": null}", "\"\\u0000\"", "[null]", "[{}]"};
    private static final String[] ODD_SEGMENTS = {"\u200F", "\u202Eevil", "\u0000", "a\u0000b", "\uD83D\uDE80",
            "caf\u00E9", "\uFF41", "a\u0301", "%2e%2e", "..", ".", "", " ", "\t", "a\nb", "A", "a_b", "-a", "a-",
            "a..b", "\u200Bzw", "\uFEFF", "\\", "a\\..\\b", "%00", "\uD800", "\uDFFF", "${jndi:ldap://x}",
            "<script>", "'; drop table apps; --", "a".repeat(300), "\u0130", "\u212A"};
    private static final String[] CONTAINER_PATHS = {"../", "..", "/a/../../etc", "..\\", "..\\..\\windows", "a/..",
            "a/../..", "/..", "./..", "data/../../../etc/passwd", "/proc/self", "/sys", "/dev/sda", "/dev", "/", ".",
            "./", "//", "a:b", "a\u0000b", "a\nb", "\u202E..", "%2e%2e/x", "..%2f..", "\uFF0E\uFF0E", "a/./../b",
            "/var/lib/../../root", "x".repeat(5000), "", " ", "~/..", "/.././.."};
    private static final String[] JUNK_QUERY_VALUES = {"-1", "1e9", "0", "1001", "99999999999999999999", "<script>",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%00", "%ff%fe", "%2e%2e%2f%2e%2e", "", "a%20b", "%E2%80%8F",
            "%F0%9F%9A%80", "NaN", "null", "true", "1.5", "0x10", "%C0%AF", "'", "%22", "..%2F..%2Fetc"};

    private final Random random;
    private final String team;
    private int counter;

    HostileRequests(long seed, String team) {
        this.random = new Random(seed);
        this.team = team;
    }

    Hostile next(int index) {
        int roll = random.nextInt(100);
        if (roll < 45) {
            return hostileDefinition(index);
        } else if (roll < 60) {
            return post(index, "mutant", mutant());
        } else if (roll < 75) {
            return listQuery(index);
        } else if (roll < 82) {
            return eventsQuery(index);
        }
        return pathId(index);
    }

    // ---- app definitions -----------------------------------------------------------------------

    private Hostile hostileDefinition(int index) {
        int kind = random.nextInt(12);
        return switch (kind) {
            case 0 -> post(index, "huge-number", definition(Map.of(pick(NUMBER_FIELDS), pick(HUGE_NUMBERS))));
            case 1 -> {
                String field = pick(FIELDS);
                yield post(index, "wrong-type", definition(Map.of(field, wrongType(field))));
            }
            case 2 -> post(index, "deep-json", deep());
            case 3 -> longString(index);
            case 4 -> post(index, "odd-id", definition(Map.of("id", json(oddId()))));
            case 5 -> post(index, "volume-path", definition(Map.of("container", "{\"volumes\": [{\"containerPath\": "
                    + json(pick(CONTAINER_PATHS)) + ", \"mode\": \"RW\", \"persistent\": {\"size\": 64}}]}")));
            case 6 -> post(index, "duplicate-key", duplicateKeys());
            case 7 -> post(index, "unknown-field", definition(Map.of(unknownField(), pick(WRONG_TYPES))));
            case 8 -> post(index, "invalid-utf8", invalidUtf8(definition(Map.of()).getBytes(StandardCharsets.UTF_8)));
            case 9 -> post(index, "not-an-object", bytes(pick(new String[]{"[]", "\"x\"", "1", "null", "", "   ",
                    "{", "}", "{\"id\": ", "{\"id\": \"/" + team + "/x\"}}", "/* c */ {}", "\uFEFF{}", "{'id': 'x'}",
                    "{\"cpus\": NaN}", "{id: 1}", "[" + definition(Map.of()) + "]", "\u0000", "{\"a\":1,}",
                    definition(Map.of()) + " trailing"})));
            case 10 -> wrongContentType(index);
            default -> post(index, "nested-wrong", definition(Map.of(pick(new String[]{"portDefinitions",
                    "healthChecks", "constraints", "container", "isolation", "unreachableStrategy", "env", "labels"}),
                    nestedHostile())));
        };
    }

    /** A valid definition with one field dropped, duplicated or given another type. */
    private String mutant() {
        Map<String, String> fields = validFields();
        List<String> names = new ArrayList<>(fields.keySet());
        String name = names.get(random.nextInt(names.size()));
        switch (random.nextInt(3)) {
            case 0 -> fields.remove(name);
            case 1 -> {
                // The duplicate comes last, so a parser that keeps the last value sees it.
                String text = render(fields);
                String duplicate = random.nextBoolean() ? fields.get(name) : wrongType(name);
                return text.substring(0, text.length() - 1) + ", " + json(name) + ": " + duplicate + "}";
            }
            default -> fields.put(name, wrongType(name));
        }
        return render(fields);
    }

    private String deep() {
        int depth = pick(new Integer[]{999, 1000, 1001, 2000, 10_000, 100_000, 400_000});
        boolean arrays = random.nextBoolean();
        String open = arrays ? "[" : "{\"a\":";
        String close = arrays ? "]" : "}";
        String nested = open.repeat(depth) + "1" + close.repeat(depth);
        if (nested.length() > BODY_LIMIT - 200) {
            nested = open.repeat(depth); // unterminated, and still within the limit
        }
        return random.nextBoolean() ? nested : definition(Map.of(pick(FIELDS), nested));
    }

    private Hostile longString(int index) {
        return switch (random.nextInt(4)) {
            case 0 -> post(index, "long-id", definition(Map.of("id", json("/" + team + "/" + "a".repeat(BODY_LIMIT)))));
            case 1 -> post(index, "long-cmd", definition(Map.of("cmd", json("x".repeat(BODY_LIMIT + 10)))));
            // Just under the body limit: a definition the gateway reads, the largest it could have to forward.
            case 2 -> post(index, "near-limit-cmd", definition(Map.of("cmd", json("x".repeat(BODY_LIMIT - 400)))));
            default -> post(index, "long-label", definition(Map.of("labels",
                    "{" + json("k".repeat(random.nextInt(100_000) + 1)) + ": \"v\"}")));
        };
    }

    private Hostile wrongContentType(int index) {
        String type = pick(new String[]{"text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/json; charset=utf-16", "*/*", "application/jsonx",
                "json", "application/problem+json"});
        return new Hostile(index, "content-type", "POST", "/v1/apps", Map.of("Content-Type", type),
                bytes(definition(Map.of())));
    }

    private String duplicateKeys() {
        String field = pick(new String[]{"id", "instances", "cmd", "cpus", "container", "labels"});
        String first = wrongType(field);
        String text = definition(Map.of());
        return "{" + json(field) + ": " + first + ", " + text.substring(1, text.length() - 1) + ", " + json(field)
                + ": " + wrongType(field) + "}";
    }

    /**
     * A value of another type than {@code field} takes. A string is a valid id (and would create an app
     * outside this run's team), so an id gets anything but a string.
     */
    private String wrongType(String field) {
        String value = pick(WRONG_TYPES);
        return field.equals("id") && value.startsWith("\"") ? "[" + value + "]" : value;
    }

    private String nestedHostile() {
        return pick(new String[]{
                "[{\"port\": " + pick(HUGE_NUMBERS) + "}]",
                "[{\"protocol\": \"HTTP\", \"portIndex\": " + pick(HUGE_NUMBERS) + "}]",
                "[[\"hostname\", \"UNIQUE\", " + pick(WRONG_TYPES) + "]]",
                "[[\"hostname\", \"LIKE\", \"([\"]]",
                "{\"volumes\": " + pick(WRONG_TYPES) + "}",
                "{\"volumes\": [{\"containerPath\": \"d\", \"hostPath\": \"/etc\", \"mode\": \"RW\"}]}",
                "{\"volumes\": [{\"containerPath\": \"d\", \"mode\": \"RW\", \"persistent\": {\"size\": "
                        + pick(HUGE_NUMBERS) + "}}]}",
                "{\"volumes\": [{\"containerPath\": \"d\", \"mode\": \"RW\", \"external\": {\"name\": "
                        + json(oddSegment()) + ", \"provider\": " + pick(WRONG_TYPES) + "}}]}",
                "{\"pidsLimit\": " + pick(HUGE_NUMBERS) + "}",
                "{\"inactiveAfterSeconds\": " + pick(HUGE_NUMBERS) + ", \"expungeAfterSeconds\": "
                        + pick(HUGE_NUMBERS) + "}",
                "{" + json(oddSegment()) + ": " + json(oddSegment()) + "}",
                "{\"A\": " + pick(WRONG_TYPES) + "}"});
    }

    private Hostile post(int index, String kind, String body) {
        return post(index, kind, bytes(body));
    }

    private Hostile post(int index, String kind, byte[] body) {
        return new Hostile(index, kind, "POST", "/v1/apps", Map.of("Content-Type", "application/json"), body);
    }

    /** A valid definition under this run's team, with {@code overrides} (raw JSON values) in place. */
    private String definition(Map<String, String> overrides) {
        Map<String, String> fields = validFields();
        fields.putAll(overrides);
        return render(fields);
    }

    private Map<String, String> validFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", json("/" + team + "/app-" + (counter++)));
        fields.put("cmd", json("sleep 1"));
        fields.put("instances", "1");
        fields.put("cpus", "0.1");
        fields.put("mem", "32");
        if (random.nextBoolean()) {
            fields.put("labels", "{\"tier\": \"front\"}");
            fields.put("env", "{\"A\": \"b\"}");
            fields.put("portDefinitions", "[{\"port\": 0, \"name\": \"http\"}]");
            fields.put("healthChecks", "[{\"protocol\": \"HTTP\", \"path\": \"/\", \"portIndex\": 0}]");
        }
        if (random.nextBoolean()) {
            fields.put("container", "{\"volumes\": [{\"containerPath\": \"data\", \"mode\": \"RW\", "
                    + "\"persistent\": {\"size\": 64}}]}");
            fields.put("constraints", "[[\"hostname\", \"UNIQUE\"]]");
        }
        return fields;
    }

    private static String render(Map<String, String> fields) {
        StringBuilder out = new StringBuilder("{");
        fields.forEach((name, value) -> out.append(out.length() > 1 ? ", " : "").append(json(name)).append(": ")
                .append(value));
        return out.append("}").toString();
    }

    private String oddId() {
        return switch (random.nextInt(5)) {
            case 0 -> "/" + team + "/" + oddSegment();
            case 1 -> "/" + team + "/" + oddSegment() + "/x";
            case 2 -> oddSegment();
            case 3 -> "/" + team + "/a/../../" + oddSegment();
            default -> "/" + team + "//" + oddSegment() + "/";
        };
    }

    private String oddSegment() {
        String a = pick(ODD_SEGMENTS);
        return random.nextInt(3) == 0 ? a + pick(ODD_SEGMENTS) : a;
    }

    private String unknownField() {
        return pick(new String[]{"__proto__", "constructor", "hostPath", "Id", "ID", "id ", " id", "i\u0000d",
                "\u202Eid", "cmd\u200B", "", "$where", "executor", "residency", "ipAddress", "secrets", "fetch",
                "networks", "tty", "x".repeat(10_000)});
    }

    /** Bytes that are no UTF-8, spliced into (or replacing part of) a valid definition. */
    private byte[] invalidUtf8(byte[] valid) {
        byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF}, {(byte) 0xED, (byte) 0xA0,
                (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80,
                (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}, {0x00}};
        byte[] insert = bad[random.nextInt(bad.length)];
        int at = 1 + random.nextInt(valid.length - 1);
        byte[] out = new byte[valid.length + insert.length];
        System.arraycopy(valid, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(valid, at, out, at + insert.length, valid.length - at);
        return out;
    }

    // ---- queries -------------------------------------------------------------------------------

    /** A list with at least one bad parameter, among junk that may be valid or ignored. */
    private Hostile listQuery(int index) {
        String list = pick(new String[]{"apps", "tasks", "volumes", "nodes", "queue", "deployments"});
        List<String> params = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            params.add(pick(new String[]{"team", "label", "app", "node", "state", "x", "%00", "limit[]"}) + "="
                    + pick(JUNK_QUERY_VALUES));
        }
        List<Supplier<String>> bad = new ArrayList<>(List.of(
                () -> "limit=" + pick(new String[]{"-1", "1e9", "0", "1001", "99999999999999999999", "ten", "%00",
                        "1.5", "<script>", "%3Cscript%3E", "0x10", "%E2%80%8F1"}),
                () -> "offset=" + pick(new String[]{"-1", "1e9", "99999999999999999999", "x", "%ff", "-0.5"})));
        switch (list) {
            case "apps" -> bad.add(() -> "label=" + pick(new String[]{"=x", "%3Dprod", "=", "%3D%00"}));
            case "tasks", "volumes", "deployments" -> {
                bad.add(() -> "state=" + pick(new String[]{"<script>", "%3Cscript%3E", "SLEEPING", "%00", "RUN%00NING",
                        "%E2%80%AE", "'%20OR%201%3D1"}));
                bad.add(() -> "app=" + pick(new String[]{"%2e%2e", "..%2F..%2Fetc", "%2Fa%2F..%2F..", "A", "%00",
                        "%F0%9F%9A%80", "%E2%80%8Fx", "a%5Cb"}));
            }
            default -> {
            }
        }
        params.add(random.nextInt(params.size() + 1), bad.get(random.nextInt(bad.size())).get());
        return get(index, "list-query", "/v1/" + list + "?" + String.join("&", params), Map.of());
    }

    /** The event stream with a resume point that names no offset: refused before any stream opens. */
    private Hostile eventsQuery(int index) {
        String[] badOffsets = {"abc", "99999999999999999999", "-2", "1e3", "0x10", "1.0", "--1", "+-1",
                "9223372036854775808", "-9223372036854775809", "<script>", "1 2", "NaN", "%00"};
        List<String> params = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            params.add(pick(new String[]{"type", "team", "subject", "limit", "state"}) + "=" + pick(JUNK_QUERY_VALUES));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String offset = pick(badOffsets);
        if (random.nextBoolean() && !offset.contains("%")) {
            headers.put("Last-Event-ID", offset); // the header wins, so a good since= beside it must not help
            if (random.nextBoolean()) {
                params.add("since=" + pick(new String[]{"0", "-1", "5"}));
            }
        } else {
            params.add("since=" + offset.replace("+", "%2B").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E"));
        }
        headers.put("Accept", "text/event-stream");
        return get(index, "events-query", "/v1/events?" + String.join("&", params), headers);
    }

    // ---- path ids ------------------------------------------------------------------------------

    private Hostile pathId(int index) {
        String resource = pick(new String[]{"apps", "tasks", "volumes", "deployments"});
        String method = pick(new String[]{"GET", "DELETE", "PATCH", "POST"});
        String id = pick(new String[]{
                "..%2F..%2F" + team, "%2e%2e/%2e%2e/" + team, "..%2f" + team + "%2f..%2fx", team + "%00",
                team + "/%00/x", "%ff%fe" + team, team + "%C0%AF..", "%E2%80%8F" + team, "%E2%80%AE" + team,
                "%F0%9F%9A%80" + team, team + "/a%2Fb", team + "/a%5C..%5Cb", team + "//x", "%20" + team,
                team + "/" + "a".repeat(random.nextInt(3000)), team + "/A", team + "/a..b", team + "%25",
                team + "%252e%252e", "%2e/" + team, "..;/" + team, team + "/web;jsessionid=x",
                team + "/..%00/x", team + "%2E%2E%2F", team + "/%2e%2e%2f%2e%2e%2fq"});
        String path = "/v1/" + resource + "/" + id;
        if (method.equals("POST")) {
            path += pick(new String[]{"/restart", "/instances/db-0/replace", "/instances/%2e%2e/replace",
                    "/instances/db-99999999999999999999/replace", "/drain", "/promote", "/rollback",
                    "/rollback?version=" + pick(new String[]{"1", "0", "-1", "1e3", "%00", "99999999999999999999"}),
                    "/rollback?version=1&force=" + pick(new String[]{"true", "yes", "%00"})});
        }
        if (method.equals("DELETE") && random.nextBoolean()) {
            path += "?wipe=" + pick(new String[]{"true", "yes", "1", "%00", "TRUE"});
        }
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = null;
        if (method.equals("PATCH")) {
            headers.put("Content-Type", pick(new String[]{"application/json", "application/merge-patch+json"}));
            body = bytes(pick(new String[]{"{\"instances\": 2}", "{\"instances\": 1e308}", "{\"instances\": \"NaN\"}",
                    "{\"instances\": -0}", "{\"instances\": 9223372036854775808}", "[]", "{\"cmd\": \"x\"}", "",
                    "{\"instances\": 2, \"instances\": \"x\"}"}));
        }
        return new Hostile(index, "path-id", method, path, headers, body);
    }

    private Hostile get(int index, String kind, String pathAndQuery, Map<String, String> headers) {
        return new Hostile(index, kind, "GET", pathAndQuery, headers, null);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal; lone surrogates are escaped, so the body itself stays UTF-8. */
    static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…(" + text.length() + ")";
    }
}
