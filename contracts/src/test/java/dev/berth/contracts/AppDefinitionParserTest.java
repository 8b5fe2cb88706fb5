package dev.berth.contracts;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.app.ParsedApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppDefinitionParserTest {

    private static AppDefinition valid(String json) {
        ParsedApp parsed = AppDefinitionParser.parse(json);
        return assertInstanceOf(ParsedApp.Valid.class, parsed, () -> parsed.toString()).app();
    }

    private static List<FieldError> errors(String json) {
        return assertInstanceOf(ParsedApp.Invalid.class, AppDefinitionParser.parse(json)).errors();
    }

    private static void assertRefused(String json, String field, String messagePart) {
        List<FieldError> errors = errors(json);
        assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.message().contains(messagePart)),
                () -> "expected an error on " + field + " containing '" + messagePart + "', got " + errors);
    }

    @Test
    void fillsMarathonDefaultsAndTakesARelativeIdFromTheRoot() {
        AppDefinition app = valid("{\"id\": \"web\", \"cmd\": \"sleep 1\"}");

        assertEquals("/web", app.id());
        assertEquals(1, app.instances());
        assertEquals(1.0, app.cpus());
        assertEquals(128.0, app.mem());
        assertEquals(0.0, app.disk());
        assertEquals(1, app.portDefinitions().size(), "one dynamic port by default, as Marathon");
        assertEquals(0, app.portDefinitions().get(0).port());
        assertEquals("MESOS", app.container().type());
    }

    @Test
    void readsAMarathonAppWithHarmlessFieldsUnchanged() {
        AppDefinition app = valid("""
                {"id": "/team-a/web", "cmd": "python3 -m http.server $PORT0", "instances": 3, "cpus": 0.25,
                 "mem": 64, "disk": 10, "env": {"A": "1"}, "labels": {"x": "y"},
                 "portDefinitions": [{"port": 0, "name": "http", "protocol": "tcp"}],
                 "container": {"type": "MESOS", "volumes": []}, "acceptedResourceRoles": ["*"],
                 "constraints": [], "healthChecks": [], "gpus": 0, "backoffSeconds": 1, "backoffFactor": 1.15,
                 "upgradeStrategy": {"minimumHealthCapacity": 1, "maximumOverCapacity": 1},
                 "version": "2026-01-01T00:00:00.000Z"}""");

        assertEquals("/team-a/web", app.id());
        assertEquals("team-a", app.team());
        assertEquals("http", app.portDefinitions().get(0).name());
    }

    @Test
    void argsRunWithoutAShell() {
        AppDefinition app = valid("{\"id\": \"/a\", \"args\": [\"/bin/echo\", \"hi\"]}");
        assertNull(app.cmd());
        assertEquals(List.of("/bin/echo", "hi"), app.args());
    }

    @Test
    void reportsEveryBadFieldAtOnce() {
        List<FieldError> errors = errors("""
                {"id": "Bad_Id", "cmd": "x", "cpus": -1, "instances": -2, "mem": "lots", "colour": "red",
                 "portDefinitions": [{"port": 0, "name": "http"}, {"port": 0, "name": "http"}]}""");

        assertEquals(List.of("colour", "id", "instances", "cpus", "mem", "portDefinitions[1].name"),
                errors.stream().map(FieldError::field).toList());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            negative cpus            | {"id":"/a","cmd":"x","cpus":-1}                    | cpus      | must be from
            zero cpus                | {"id":"/a","cmd":"x","cpus":0}                     | cpus      | must be from
            instances below zero     | {"id":"/a","cmd":"x","instances":-1}               | instances | must be from
            fractional instances     | {"id":"/a","cmd":"x","instances":1.5}              | instances | whole number
            huge instances           | {"id":"/a","cmd":"x","instances":99999999999}      | instances | whole number
            cpus as text             | {"id":"/a","cmd":"x","cpus":"1"}                   | cpus      | must be a number
            unknown field            | {"id":"/a","cmd":"x","replicas":3}                 | replicas  | unknown field
            unsupported field        | {"id":"/a","cmd":"x","user":"nobody"}              | user      | does not support yet
            real health checks       | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"HTTP"}]} | healthChecks | does not support yet
            deprecated ports         | {"id":"/a","cmd":"x","ports":[0]}                  | ports     | use portDefinitions
            malformed id             | {"id":"/a//b","cmd":"x"}                           | id        | not a valid path segment
            id with dot dot          | {"id":"/a/../b","cmd":"x"}                         | id        | not a valid path segment
            upper case id            | {"id":"/Web","cmd":"x"}                            | id        | not a valid path segment
            missing id               | {"cmd":"x"}                                        | id        | required
            root id                  | {"id":"/","cmd":"x"}                               | id        | root
            no command               | {"id":"/a"}                                        | cmd       | a command is required
            cmd and args             | {"id":"/a","cmd":"x","args":["y"]}                 | cmd       | not both
            docker                   | {"id":"/a","cmd":"x","container":{"type":"DOCKER"}} | container.type | no Docker runtime
            volumes not yet          | {"id":"/a","cmd":"x","container":{"type":"MESOS","volumes":[{"containerPath":"d"}]}} | container.volumes | not supported yet
            duplicate port names     | {"id":"/a","cmd":"x","portDefinitions":[{"name":"a"},{"name":"a"}]} | portDefinitions[1].name | used twice
            port out of range        | {"id":"/a","cmd":"x","requirePorts":true,"portDefinitions":[{"port":70000}]} | portDefinitions[0].port | must be from
            fixed port without flag  | {"id":"/a","cmd":"x","portDefinitions":[{"port":8080}]} | portDefinitions[0].port | requirePorts
            bad port name            | {"id":"/a","cmd":"x","portDefinitions":[{"name":"Web UI"}]} | portDefinitions[0].name | lowercase
            secret env               | {"id":"/a","cmd":"x","env":{"PW":{"secret":"s"}}}  | env.PW    | secret
            bad env name             | {"id":"/a","cmd":"x","env":{"1X":"v"}}             | env.1X    | environment variable
            roles                    | {"id":"/a","cmd":"x","acceptedResourceRoles":["slave_public"]} | acceptedResourceRoles | only
            not an object            | [1,2]                                              | ''        | JSON object
            not json                 | {"id":                                             | ''        | not valid JSON
            """)
    void refusesWithAReasonOnTheField(String why, String json, String field, String messagePart) {
        assertRefused(json, field == null ? "" : field, messagePart);
    }

    @Test
    void aFixedHostPortIsAcceptedWithRequirePorts() {
        AppDefinition app = valid("{\"id\":\"/a\",\"cmd\":\"x\",\"requirePorts\":true,\"portDefinitions\":[{\"port\":8080}]}");
        assertEquals(8080, app.portDefinitions().get(0).port());
    }

    @Test
    void noPortsWhenAnEmptyListIsGiven() {
        assertTrue(valid("{\"id\":\"/a\",\"cmd\":\"x\",\"portDefinitions\":[]}").portDefinitions().isEmpty());
    }
}
