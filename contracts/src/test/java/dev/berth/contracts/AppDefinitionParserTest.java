package dev.berth.contracts;

import dev.berth.contracts.app.Affinity;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.ContainerImage;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.KillSelection;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertEquals(List.of(), app.constraints());
        assertEquals(List.of(), app.affinity());
        assertNull(app.placementStrategy(), "null: the scheduler's cluster-wide default applies");
        assertEquals(AppDefinition.DEFAULT_BACKOFF_SECONDS, app.backoffSeconds());
        assertEquals(AppDefinition.DEFAULT_BACKOFF_FACTOR, app.backoffFactor());
        assertEquals(AppDefinition.DEFAULT_MAX_LAUNCH_DELAY_SECONDS, app.maxLaunchDelaySeconds());
        assertEquals(AppDefinition.DEFAULT_KILL_GRACE_PERIOD_SECONDS, app.taskKillGracePeriodSeconds());
        assertEquals(KillSelection.YOUNGEST_FIRST, app.killSelection());
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
    void aNestedFieldIsReportedUnderItsWholePath() {
        // A client shows each error next to the field it names (the web UI does): the path must be whole.
        assertRefused("{\"id\": \"/a\", \"cmd\": \"x\", \"portDefinitions\": [{\"port\": 0, \"labels\": 3}]}",
                "portDefinitions[0].labels", "");
        assertRefused("{\"id\": \"/a\", \"cmd\": \"x\", \"healthChecks\": [{\"protocol\": \"COMMAND\", "
                + "\"command\": {\"value\": \"true\"}, \"ignoreHttp1xx\": \"yes\"}]}", "healthChecks[0].ignoreHttp1xx", "");
        assertRefused("{\"id\": \"/a\", \"cmd\": \"x\", \"autoRollback\": \"no\", "
                + "\"upgradeStrategy\": {\"autoRollback\": true}}", "autoRollback", "");
    }

    @Test
    void reportsEveryBadFieldAtOnce() {
        List<FieldError> errors = errors("""
                {"id": "Bad_Id", "cmd": "x", "cpus": -1, "instances": -2, "mem": "lots", "colour": "red",
                 "portDefinitions": [{"port": 0, "name": "http"}, {"port": 0, "name": "http"}]}""");

        assertEquals(List.of("colour", "id", "instances", "cpus", "mem", "portDefinitions[1].name"),
                errors.stream().map(FieldError::field).toList());
    }

    @Test
    void readsHealthChecksUserAndIsolationWithMarathonsDefaults() {
        AppDefinition app = valid("""
                {"id": "/db", "cmd": "x", "user": "nobody",
                 "portDefinitions": [{"port": 0}, {"port": 0, "name": "admin"}],
                 "healthChecks": [
                   {"protocol": "MESOS_HTTP", "path": "/health", "portIndex": 1},
                   {"protocol": "TCP", "gracePeriodSeconds": 5, "intervalSeconds": 2, "timeoutSeconds": 1,
                    "maxConsecutiveFailures": 0},
                   {"protocol": "COMMAND", "command": {"value": "test -f ready"}}],
                 "isolation": {"network": "none", "pidsLimit": 64, "enforceDisk": true}}
                """);
        assertEquals("nobody", app.user());
        HealthCheck http = app.healthChecks().get(0);
        assertEquals(HealthCheck.Protocol.HTTP, http.protocol());
        assertEquals("/health", http.path());
        assertEquals(1, http.effectivePortIndex());
        assertEquals(300, http.gracePeriodSeconds());
        assertEquals(60, http.intervalSeconds());
        assertEquals(20, http.timeoutSeconds());
        assertEquals(3, http.maxConsecutiveFailures());
        HealthCheck tcp = app.healthChecks().get(1);
        assertEquals(HealthCheck.Protocol.TCP, tcp.protocol());
        assertEquals(0, tcp.effectivePortIndex());
        assertEquals(0, tcp.maxConsecutiveFailures());
        assertEquals(2, tcp.intervalSeconds());
        assertEquals("test -f ready", app.healthChecks().get(2).command().value());
        assertEquals(new Isolation(Isolation.Network.NONE, 64, true), app.isolation());

        AppDefinition plain = valid("{\"id\": \"/web\", \"cmd\": \"x\"}");
        assertEquals(Isolation.DEFAULT, plain.isolation());
        assertEquals(List.of(), plain.healthChecks());
        assertNull(plain.user());
        // A definition written back out reads the same (the API returns what it stored).
        assertEquals(app, valid(JsonCodec.mapper().valueToTree(app).toString()));
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
            unsupported field        | {"id":"/a","cmd":"x","readinessChecks":[{"name":"r"}]} | readinessChecks | does not support yet
            user with a path         | {"id":"/a","cmd":"x","user":"../root"}             | user      | user name
            user as a number         | {"id":"/a","cmd":"x","user":0}                     | user      | user name
            https check              | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"HTTPS"}]} | healthChecks[0].protocol | not supported yet
            unknown check protocol   | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"UDP"}]} | healthChecks[0].protocol | HTTP, TCP or COMMAND
            command check without it | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"COMMAND"}]} | healthChecks[0].command | needs
            check on a missing port  | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"TCP","portIndex":1}]} | healthChecks[0].portIndex | not one of the app's 1 ports
            check with no ports      | {"id":"/a","cmd":"x","portDefinitions":[],"healthChecks":[{"protocol":"TCP"}]} | healthChecks[0].portIndex | no ports
            port and portIndex       | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"TCP","port":80,"portIndex":0}]} | healthChecks[0] | not both
            check timeout too long   | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"TCP","intervalSeconds":2,"timeoutSeconds":5}]} | healthChecks[0].timeoutSeconds | overlap
            check interval zero      | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"TCP","intervalSeconds":0}]} | healthChecks[0].intervalSeconds | must be from
            http path without slash  | {"id":"/a","cmd":"x","healthChecks":[{"path":"health"}]} | healthChecks[0].path | start with /
            unknown check field      | {"id":"/a","cmd":"x","healthChecks":[{"protocol":"TCP","retries":3}]} | healthChecks[0].retries | unknown field
            bad network              | {"id":"/a","cmd":"x","isolation":{"network":"overlay"}} | isolation.network | HOST or BRIDGE or NONE
            zero pids limit          | {"id":"/a","cmd":"x","isolation":{"pidsLimit":0}}  | isolation.pidsLimit | must be from
            unknown isolation field  | {"id":"/a","cmd":"x","isolation":{"seccomp":true}} | isolation.seccomp | unknown field
            deprecated ports         | {"id":"/a","cmd":"x","ports":[0]}                  | ports     | use portDefinitions
            malformed id             | {"id":"/a//b","cmd":"x"}                           | id        | not a valid path segment
            id with dot dot          | {"id":"/a/../b","cmd":"x"}                         | id        | not a valid path segment
            upper case id            | {"id":"/Web","cmd":"x"}                            | id        | not a valid path segment
            missing id               | {"cmd":"x"}                                        | id        | required
            root id                  | {"id":"/","cmd":"x"}                               | id        | root
            no command               | {"id":"/a"}                                        | cmd       | a command is required
            cmd and args             | {"id":"/a","cmd":"x","args":["y"]}                 | cmd       | not both
            docker without image     | {"id":"/a","cmd":"x","container":{"type":"DOCKER"}} | container.docker.image | needs an image
            unknown container type   | {"id":"/a","cmd":"x","container":{"type":"RKT"}}    | container.type | MESOS or DOCKER
            privileged image         | {"id":"/a","container":{"type":"DOCKER","docker":{"image":"redis:7","privileged":true}}} | container.docker.privileged | never runs a task privileged
            docker parameters        | {"id":"/a","container":{"type":"DOCKER","docker":{"image":"redis:7","parameters":[{"key":"cap-add","value":"ALL"}]}}} | container.docker.parameters | no parameters
            docker network           | {"id":"/a","container":{"type":"DOCKER","docker":{"image":"redis:7","network":"BRIDGE"}}} | container.docker.network | networks
            docker pull secret       | {"id":"/a","container":{"type":"DOCKER","docker":{"image":"redis:7","pullConfig":{"secret":"s"}}}} | container.docker.pullConfig | registry-auth-file
            unknown docker field     | {"id":"/a","container":{"type":"DOCKER","docker":{"image":"redis:7","volumeDriver":"x"}}} | container.docker.volumeDriver | unknown field
            malformed image          | {"id":"/a","container":{"type":"DOCKER","docker":{"image":"Redis:7"}}} | container.docker.image | not an image reference
            image and no command     | {"id":"/a","container":{"type":"MESOS"}}           | cmd       | or run an image
            command check of image   | {"id":"/a","container":{"type":"DOCKER","docker":{"image":"redis:7"}},"healthChecks":[{"protocol":"COMMAND","command":{"value":"true"}}]} | healthChecks[0].protocol | not supported yet
            volume of neither kind   | {"id":"/a","cmd":"x","container":{"type":"MESOS","volumes":[{"containerPath":"d"}]}} | container.volumes[0] | exactly one of persistent
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
    void anImageNeedsNoCommandAndOnlyRunsWhereTasksGetTheirOwnRoot() {
        AppDefinition app = valid("""
                {"id":"/a","container":{"type":"DOCKER","docker":{"image":"127.0.0.1:5000/berth/hello-http:1",
                 "forcePullImage":true,"privileged":false}}}""");
        assertEquals(new ContainerImage("127.0.0.1:5000/berth/hello-http:1", true), app.container().docker());
        assertEquals("DOCKER", app.container().type());
        assertNull(app.cmd());
        assertEquals(Isolation.Filesystem.REQUIRED, app.isolation().filesystem());
    }

    @Test
    void mesosContainersRunImagesTooWithArgsForTheEntrypoint() {
        AppDefinition app = valid("""
                {"id":"/a","args":["--verbose"],"container":{"type":"MESOS",
                 "docker":{"image":"registry.example.com:5000/team/app@sha256:%s"}}}""".formatted("a".repeat(64)));
        assertEquals("MESOS", app.container().type());
        assertEquals(List.of("--verbose"), app.args());
        assertFalse(app.container().docker().forcePullImage());
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

    // --- placement and restart policy ---

    private static final String PLACED_APP = """
            {"id": "/team-a/db", "cmd": "x", "instances": 4,
             "constraints": [["hostname", "UNIQUE"], ["zone", "GROUP_BY", "2"], ["rack", "LIKE", "r[12]"],
                             ["rack", "UNLIKE", "r9.*"], ["zone", "GROUP_BY"], ["zone", "MAX_PER", "3"],
                             ["os", "CLUSTER", "linux"], ["disk", "IS", "ssd"]],
             "affinity": [{"field": "zone", "value": "a", "weight": 50}, {"field": "hostname", "value": "h9", "weight": -100}],
             "placementStrategy": "spread",
             "backoffSeconds": 2.5, "backoffFactor": 2, "maxLaunchDelaySeconds": 60,
             "taskKillGracePeriodSeconds": 30, "killSelection": "OLDEST_FIRST"}""";

    @Test
    void readsConstraintsAffinityStrategyAndRestartPolicy() {
        AppDefinition app = valid(PLACED_APP);

        assertEquals(List.of(
                new Constraint("hostname", Constraint.Operator.UNIQUE, null),
                new Constraint("zone", Constraint.Operator.GROUP_BY, "2"),
                new Constraint("rack", Constraint.Operator.LIKE, "r[12]"),
                new Constraint("rack", Constraint.Operator.UNLIKE, "r9.*"),
                new Constraint("zone", Constraint.Operator.GROUP_BY, null),
                new Constraint("zone", Constraint.Operator.MAX_PER, "3"),
                new Constraint("os", Constraint.Operator.CLUSTER, "linux"),
                new Constraint("disk", Constraint.Operator.IS, "ssd")), app.constraints());
        assertEquals(List.of(new Affinity("zone", "a", 50), new Affinity("hostname", "h9", -100)), app.affinity());
        assertEquals(PlacementStrategy.SPREAD, app.placementStrategy(), "strategy names are read in any case");
        assertEquals(2.5, app.backoffSeconds());
        assertEquals(2.0, app.backoffFactor());
        assertEquals(60.0, app.maxLaunchDelaySeconds());
        assertEquals(30, app.taskKillGracePeriodSeconds());
        assertEquals(KillSelection.OLDEST_FIRST, app.killSelection());
    }

    @Test
    void aParsedAppRoundTripsThroughItsJsonUnchanged() {
        AppDefinition app = valid(PLACED_APP);

        String json = JsonCodec.encode(app);

        assertTrue(json.contains("[\"hostname\",\"UNIQUE\"]"), "constraints stay Marathon arrays: " + json);
        assertEquals(app, JsonCodec.decode(json, AppDefinition.class), "as a message field");
        assertEquals(app, valid(json), "posted back to the API");
    }

    @Test
    void theDefaultsRoundTripToo() {
        AppDefinition app = valid("{\"id\": \"/a\", \"args\": [\"/bin/true\"]}");

        assertEquals(app, valid(JsonCodec.encode(app)));
    }

    @Test
    void anEmptyConstraintValueCountsAsNone() {
        AppDefinition app = valid("{\"id\":\"/a\",\"cmd\":\"x\",\"constraints\":[[\"hostname\",\"UNIQUE\",\"\"]]}");

        assertEquals(List.of(new Constraint("hostname", Constraint.Operator.UNIQUE, null)), app.constraints());
    }

    @Test
    void reportsEveryBadConstraintAndAffinityAtOnce() {
        List<FieldError> errors = errors("""
                {"id": "/a", "cmd": "x",
                 "constraints": [["hostname", "UNIQUE"], ["zone", "NEAR", "a"], ["rack", "LIKE", "r[1"]],
                 "affinity": [{"field": "zone", "value": "a", "weight": 0}],
                 "placementStrategy": "random", "backoffFactor": 0.5}""");

        assertEquals(List.of("constraints[1]", "constraints[2]", "affinity[0].weight", "placementStrategy",
                "backoffFactor"), errors.stream().map(FieldError::field).toList());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            constraints not an array   | {"id":"/a","cmd":"x","constraints":{"hostname":"UNIQUE"}}            | constraints    | array of [field, operator, value]
            constraint not an array    | {"id":"/a","cmd":"x","constraints":["hostname","UNIQUE"]}            | constraints[0] | [field, operator]
            constraint of one part     | {"id":"/a","cmd":"x","constraints":[["hostname"]]}                   | constraints[0] | [field, operator]
            constraint of four parts   | {"id":"/a","cmd":"x","constraints":[["a","IS","b","c"]]}             | constraints[0] | [field, operator]
            constraint with a number   | {"id":"/a","cmd":"x","constraints":[["zone","GROUP_BY",2]]}          | constraints[0] | string
            empty constraint field     | {"id":"/a","cmd":"x","constraints":[["","UNIQUE"]]}                  | constraints[0] | cannot be empty
            unknown operator           | {"id":"/a","cmd":"x","constraints":[["hostname","UNIQUE"],["zone","NEAR","a"]]} | constraints[1] | unknown operator 'NEAR'
            lower case operator        | {"id":"/a","cmd":"x","constraints":[["hostname","unique"]]}          | constraints[0] | unknown operator 'unique'
            unique with a value        | {"id":"/a","cmd":"x","constraints":[["hostname","UNIQUE","x"]]}      | constraints[0] | UNIQUE takes no value
            cluster without value      | {"id":"/a","cmd":"x","constraints":[["zone","CLUSTER"]]}             | constraints[0] | CLUSTER needs
            is without value           | {"id":"/a","cmd":"x","constraints":[["zone","IS"]]}                  | constraints[0] | IS needs
            like without value         | {"id":"/a","cmd":"x","constraints":[["rack","LIKE"]]}                | constraints[0] | LIKE needs a regular expression
            unlike without value       | {"id":"/a","cmd":"x","constraints":[["rack","UNLIKE",""]]}           | constraints[0] | UNLIKE needs a regular expression
            like with a bad regex      | {"id":"/a","cmd":"x","constraints":[["rack","LIKE","r[12"]]}         | constraints[0] | is not a valid regular expression: Unclosed character class
            unlike with a bad regex    | {"id":"/a","cmd":"x","constraints":[["rack","UNLIKE","*a"]]}         | constraints[0] | not a valid regular expression: Dangling meta character
            max per without value      | {"id":"/a","cmd":"x","constraints":[["zone","MAX_PER"]]}             | constraints[0] | MAX_PER needs
            max per zero               | {"id":"/a","cmd":"x","constraints":[["zone","MAX_PER","0"]]}         | constraints[0] | whole number of at least 1, was '0'
            max per fraction           | {"id":"/a","cmd":"x","constraints":[["zone","MAX_PER","1.5"]]}       | constraints[0] | whole number of at least 1
            max per text               | {"id":"/a","cmd":"x","constraints":[["zone","MAX_PER","two"]]}       | constraints[0] | whole number of at least 1
            group by zero              | {"id":"/a","cmd":"x","constraints":[["zone","GROUP_BY","0"]]}        | constraints[0] | GROUP_BY takes a whole number of at least 1
            group by negative          | {"id":"/a","cmd":"x","constraints":[["zone","GROUP_BY","-2"]]}       | constraints[0] | GROUP_BY takes a whole number
            affinity not an array      | {"id":"/a","cmd":"x","affinity":{"field":"zone"}}                    | affinity       | must be an array
            affinity item not object   | {"id":"/a","cmd":"x","affinity":[["zone","a",5]]}                    | affinity[0]    | must be an object
            affinity unknown key       | {"id":"/a","cmd":"x","affinity":[{"field":"zone","value":"a","weight":5,"hard":true}]} | affinity[0].hard | unknown field 'hard'
            affinity without field     | {"id":"/a","cmd":"x","affinity":[{"value":"a","weight":5}]}          | affinity[0].field | field is required
            affinity empty field       | {"id":"/a","cmd":"x","affinity":[{"field":"","value":"a","weight":5}]} | affinity[0].field | non-empty string
            affinity without value     | {"id":"/a","cmd":"x","affinity":[{"field":"zone","weight":5}]}       | affinity[0].value | value is required
            affinity numeric value     | {"id":"/a","cmd":"x","affinity":[{"field":"zone","value":1,"weight":5}]} | affinity[0].value | non-empty string
            affinity without weight    | {"id":"/a","cmd":"x","affinity":[{"field":"zone","value":"a"}]}      | affinity[0].weight | weight is required
            affinity weight zero       | {"id":"/a","cmd":"x","affinity":[{"field":"zone","value":"a","weight":0}]} | affinity[0].weight | not 0
            affinity weight too big    | {"id":"/a","cmd":"x","affinity":[{"field":"zone","value":"a","weight":101}]} | affinity[0].weight | was 101
            affinity weight too small  | {"id":"/a","cmd":"x","affinity":[{"field":"zone","value":"a","weight":-101}]} | affinity[0].weight | was -101
            affinity weight fraction   | {"id":"/a","cmd":"x","affinity":[{"field":"zone","value":"a","weight":0.5}]} | affinity[0].weight | whole number
            affinity weight as text    | {"id":"/a","cmd":"x","affinity":[{"field":"zone","value":"a","weight":"50"}]} | affinity[0].weight | whole number
            unknown strategy           | {"id":"/a","cmd":"x","placementStrategy":"RANDOM"}                   | placementStrategy | BINPACK or SPREAD
            strategy not a string      | {"id":"/a","cmd":"x","placementStrategy":1}                          | placementStrategy | BINPACK or SPREAD
            negative backoff           | {"id":"/a","cmd":"x","backoffSeconds":-1}                            | backoffSeconds | backoffSeconds must be from 0
            backoff as text            | {"id":"/a","cmd":"x","backoffSeconds":"1"}                           | backoffSeconds | backoffSeconds must be a number
            backoff factor below one   | {"id":"/a","cmd":"x","backoffFactor":0.99}                           | backoffFactor  | backoffFactor must be from 1
            negative max launch delay  | {"id":"/a","cmd":"x","maxLaunchDelaySeconds":-5}                     | maxLaunchDelaySeconds | maxLaunchDelaySeconds must be from 0
            negative kill grace        | {"id":"/a","cmd":"x","taskKillGracePeriodSeconds":-1}                | taskKillGracePeriodSeconds | must be from 0 to 3600
            kill grace over an hour    | {"id":"/a","cmd":"x","taskKillGracePeriodSeconds":3601}              | taskKillGracePeriodSeconds | must be from 0 to 3600
            fractional kill grace      | {"id":"/a","cmd":"x","taskKillGracePeriodSeconds":2.5}               | taskKillGracePeriodSeconds | whole number
            unknown kill selection     | {"id":"/a","cmd":"x","killSelection":"RANDOM"}                       | killSelection  | YOUNGEST_FIRST or OLDEST_FIRST
            """)
    void refusesBadPlacementAndRestartFieldsWithAReason(String why, String json, String field, String messagePart) {
        assertRefused(json, field, messagePart);
    }

    @Test
    void boundaryValuesOfTheRestartPolicyAreAccepted() {
        AppDefinition app = valid("""
                {"id": "/a", "cmd": "x", "backoffSeconds": 0, "backoffFactor": 1.0, "maxLaunchDelaySeconds": 0,
                 "taskKillGracePeriodSeconds": 0, "killSelection": "YOUNGEST_FIRST", "placementStrategy": "BINPACK",
                 "constraints": [["zone", "MAX_PER", "1"], ["zone", "GROUP_BY", "1"]],
                 "affinity": [{"field": "zone", "value": "a", "weight": 100}, {"field": "zone", "value": "b", "weight": -1}]}""");

        assertEquals(0.0, app.backoffSeconds());
        assertEquals(1.0, app.backoffFactor());
        assertEquals(0, app.taskKillGracePeriodSeconds());
        assertEquals(PlacementStrategy.BINPACK, app.placementStrategy());
        assertEquals(2, app.constraints().size());
    }

    @Test
    void nullPlacementAndRestartFieldsMeanTheDefaults() {
        AppDefinition app = valid("""
                {"id": "/a", "cmd": "x", "constraints": null, "affinity": null, "placementStrategy": null,
                 "backoffSeconds": null, "taskKillGracePeriodSeconds": null, "killSelection": null}""");

        assertEquals(List.of(), app.constraints());
        assertNull(app.placementStrategy());
        assertEquals(AppDefinition.DEFAULT_KILL_GRACE_PERIOD_SECONDS, app.taskKillGracePeriodSeconds());
        assertEquals(KillSelection.YOUNGEST_FIRST, app.killSelection());
    }
}
