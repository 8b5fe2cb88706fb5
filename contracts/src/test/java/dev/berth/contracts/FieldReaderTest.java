package dev.berth.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.parse.FieldReader;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The field reader every section reader shares: where each kind of error is reported, and in what words. */
class FieldReaderTest {

    private static JsonNode json(String text) throws Exception {
        return JsonCodec.mapper().readTree(text);
    }

    @Test
    void reportsATopLevelFieldUnderItsName() throws Exception {
        // Given
        FieldReader fields = new FieldReader();

        // When
        int instances = fields.wholeNumber(json("{\"instances\": \"two\"}"), "instances", 1, 0, 10);

        // Then
        assertEquals(1, instances);
        assertEquals(List.of(new FieldError("instances", "instances must be a whole number from 0 to 10")),
                fields.errors());
    }

    @Test
    void reportsANestedFieldUnderItsFullPathWhileTheMessageNamesTheBareField() throws Exception {
        // Given
        FieldReader check = new FieldReader().at("healthChecks[0]");

        // When
        int interval = check.wholeNumber(json("{\"intervalSeconds\": 0}"), "intervalSeconds", 60, 1, 86400);

        // Then the value out of range is still returned, and reported
        assertEquals(0, interval);
        assertEquals(List.of(new FieldError("healthChecks[0].intervalSeconds",
                "intervalSeconds must be from 1 to 86400, was 0")), check.errors());
    }

    @Test
    void aNestedReaderSharesItsErrorsWithTheTopLevel() throws Exception {
        // Given
        FieldReader fields = new FieldReader();

        // When
        fields.at("isolation").bool(json("{\"enforceDisk\": 1}"), "enforceDisk", false);

        // Then
        assertEquals(List.of(new FieldError("isolation.enforceDisk", "enforceDisk must be true or false")),
                fields.errors());
        assertEquals(1, fields.errorCount());
    }

    @Test
    void anErrorGivenAPathIsReportedUnderThatPathAsItIs() {
        // Given
        FieldReader nested = new FieldReader().at("upgradeStrategy");

        // When
        nested.error("upgradeStrategy.canary", "too many");

        // Then
        assertEquals(List.of(new FieldError("upgradeStrategy.canary", "too many")), nested.errors());
    }

    @Test
    void absentAndNullFieldsYieldTheFallbackWithoutAnError() throws Exception {
        // Given
        FieldReader fields = new FieldReader();
        JsonNode node = json("{\"cpus\": null}");

        // When / Then
        assertEquals(1.0, fields.number(node, "cpus", 1, 0.001, 1024));
        assertEquals(128.0, fields.number(node, "mem", 128, 0, 1024));
        assertNull(fields.optionalString(node, "cmd"));
        assertNull(fields.stringList(node, "args"));
        assertEquals(Map.of(), fields.stringMap(node, "env", true));
        assertFalse(fields.bool(node, "requirePorts", false));
        assertEquals(0, fields.errorCount());
    }

    @Test
    void writesNumberBoundsAsAnOperatorWould() throws Exception {
        // Given
        FieldReader fields = new FieldReader();

        // When
        fields.number(json("{\"mem\": 1e9}"), "mem", 128, 0, 16L * 1024 * 1024);

        // Then
        assertEquals(List.of(new FieldError("mem", "mem must be from 0 to 16777216, was 1.0E9")), fields.errors());
    }

    @Test
    void reportsEachBadItemOfAListOrMapUnderItsOwnPath() throws Exception {
        // Given
        FieldReader fields = new FieldReader();

        // When
        List<String> args = fields.stringList(json("{\"args\": [\"a\", 1]}"), "args");
        Map<String, String> env = fields.stringMap(json("{\"env\": {\"1X\": \"a\", \"S\": {\"secret\": \"s\"}, "
                + "\"N\": null, \"OK\": 2}}"), "env", true);

        // Then
        assertEquals(List.of("a"), args);
        assertEquals(Map.of("OK", "2"), env);
        assertEquals(List.of(
                new FieldError("args[1]", "must be a string"),
                new FieldError("env.1X", "'1X' is not a valid environment variable name"),
                new FieldError("env.S", "secret references are not supported yet; give a string value"),
                new FieldError("env.N", "must be a string")), fields.errors());
    }

    @Test
    void namesTheUnknownFieldsOfANestedObject() throws Exception {
        // Given
        FieldReader mapping = new FieldReader().at("container.portMappings[1]");

        // When
        mapping.unknownFields(json("{\"hostPort\": 0, \"hostport\": 0}"), Set.of("hostPort"));

        // Then
        assertEquals(List.of(new FieldError("container.portMappings[1].hostport", "unknown field 'hostport'")),
                mapping.errors());
    }

    @Test
    void readsAnEnumInAnyCaseAndListsItsNamesWhenWrong() throws Exception {
        // Given
        FieldReader fields = new FieldReader().at("isolation");

        // When
        Isolation.Network bridge = fields.enumValue(json("{\"network\": \"bridge\"}"), "network",
                Isolation.Network.class, Isolation.Network.HOST, true);
        Isolation.Network wrong = fields.enumValue(json("{\"network\": 3}"), "network",
                Isolation.Network.class, Isolation.Network.HOST, true);

        // Then
        assertEquals(Isolation.Network.BRIDGE, bridge);
        assertEquals(Isolation.Network.HOST, wrong);
        assertEquals(List.of(new FieldError("isolation.network", "network must be HOST or BRIDGE or NONE, was 3")),
                fields.errors());
    }

    @Test
    void aRequiredStringSaysWhatBelongsThere() throws Exception {
        // Given
        FieldReader preference = new FieldReader().at("affinity[0]");

        // When
        preference.requiredString(json("{\"value\": \" \"}"), "field", "the node attribute");
        preference.requiredString(json("{\"value\": \" \"}"), "value", "the attribute value");

        // Then
        assertEquals(List.of(
                new FieldError("affinity[0].field", "field is required: the node attribute"),
                new FieldError("affinity[0].value", "value must be a non-empty string: the attribute value")),
                preference.errors());
    }
}
