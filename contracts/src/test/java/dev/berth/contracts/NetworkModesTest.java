package dev.berth.contracts;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.app.PortMapping;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Marathon's {@code networks} and {@code container.portMappings}, and Berth's {@code isolation.network}. */
class NetworkModesTest {

    private static AppDefinition valid(String json) {
        ParsedApp parsed = AppDefinitionParser.parse(json);
        return assertInstanceOf(ParsedApp.Valid.class, parsed, parsed::toString).app();
    }

    private static void assertRefused(String json, String field, String messagePart) {
        List<FieldError> errors = assertInstanceOf(ParsedApp.Invalid.class, AppDefinitionParser.parse(json)).errors();
        assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.message().contains(messagePart)),
                () -> "expected an error on " + field + " containing '" + messagePart + "', got " + errors);
    }

    @Test
    void aBridgedAppMapsHostPortsToContainerPortsAsMarathonWritesThem() {
        AppDefinition app = valid("""
                {"id": "/web", "cmd": "python3 -m http.server 8080",
                 "networks": [{"mode": "container/bridge"}],
                 "container": {"type": "MESOS", "portMappings": [
                   {"containerPort": 8080, "hostPort": 0, "protocol": "tcp", "name": "http"},
                   {"containerPort": 0, "name": "admin", "servicePort": 0, "labels": {"VIP_0": "x"}}]},
                 "healthChecks": [{"protocol": "HTTP", "portIndex": 1}]}
                """);
        assertEquals(Isolation.Network.BRIDGE, app.isolation().network());
        assertEquals(List.of(new PortMapping(8080, 0, "tcp", "http", Map.of()),
                new PortMapping(0, 0, "tcp", "admin", Map.of("VIP_0", "x"))), app.container().portMappings());
        assertEquals(List.of(), app.portDefinitions());
        assertEquals(List.of(new PortDefinition(0, "http", "tcp", Map.of()),
                new PortDefinition(0, "admin", "tcp", Map.of("VIP_0", "x"))), app.hostPorts());
        assertEquals(List.of(8080, 0), app.containerPorts());
        // Written out and read back (the API returns what it stored): the same app.
        assertEquals(app, valid(JsonCodec.mapper().valueToTree(app).toString()));
    }

    @Test
    void aBridgedAppWithoutPortMappingsGetsMarathonsDefaultMappingAndAnEmptyListMeansNoPorts() {
        AppDefinition app = valid("{\"id\":\"/a\",\"cmd\":\"x\",\"networks\":[{\"mode\":\"container/bridge\"}]}");
        assertEquals(List.of(new PortMapping(0, 0, "tcp", null, Map.of())), app.container().portMappings());
        assertEquals(1, app.hostPorts().size());

        AppDefinition none = valid("{\"id\":\"/a\",\"cmd\":\"x\",\"networks\":[{\"mode\":\"container/bridge\"}],"
                + "\"container\":{\"portMappings\":[]}}");
        assertEquals(List.of(), none.hostPorts());
    }

    @Test
    void aFixedHostPortIsAskedForExactlyWithoutRequirePorts() {
        AppDefinition app = valid("{\"id\":\"/a\",\"cmd\":\"x\",\"networks\":[{\"mode\":\"container/bridge\"}],"
                + "\"container\":{\"portMappings\":[{\"containerPort\":80,\"hostPort\":31080}]}}");
        assertEquals(31080, app.hostPorts().get(0).port());
    }

    @Test
    void eitherSpellingOfANetworkMeansTheSameAndHostStaysTheDefault() {
        assertEquals(Isolation.Network.BRIDGE,
                valid("{\"id\":\"/a\",\"cmd\":\"x\",\"isolation\":{\"network\":\"bridge\"}}").isolation().network());
        assertEquals(Isolation.Network.BRIDGE, valid("{\"id\":\"/a\",\"cmd\":\"x\",\"isolation\":{\"network\":"
                + "\"BRIDGE\"},\"networks\":[{\"mode\":\"container/bridge\"}]}").isolation().network());
        assertEquals(Isolation.Network.NONE,
                valid("{\"id\":\"/a\",\"cmd\":\"x\",\"networks\":[{\"mode\":\"container\"}]}").isolation().network());
        assertEquals(Isolation.Network.NONE, valid("{\"id\":\"/a\",\"cmd\":\"x\",\"isolation\":{\"network\":\"NONE\"}}")
                .isolation().network());
        AppDefinition host = valid("{\"id\":\"/a\",\"cmd\":\"x\",\"networks\":[{\"mode\":\"host\"}]}");
        assertEquals(Isolation.DEFAULT, host.isolation());
        assertEquals(host, valid("{\"id\":\"/a\",\"cmd\":\"x\"}"));
        assertEquals(host, valid("{\"id\":\"/a\",\"cmd\":\"x\",\"networks\":[]}"));
        // networks says the network; the rest of isolation still applies.
        assertEquals(new Isolation(Isolation.Network.NONE, 64, false), valid("{\"id\":\"/a\",\"cmd\":\"x\","
                + "\"networks\":[{\"mode\":\"container\"}],\"isolation\":{\"pidsLimit\":64}}").isolation());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            conflicting spellings    | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"isolation":{"network":"NONE"}} | isolation.network | contradicts networks
            named cni network        | {"id":"/a","cmd":"x","networks":[{"mode":"container","name":"dcos"}]} | networks[0].name | 'dcos'
            unknown mode             | {"id":"/a","cmd":"x","networks":[{"mode":"overlay"}]} | networks[0].mode | unknown network mode 'overlay'
            two networks             | {"id":"/a","cmd":"x","networks":[{"mode":"host"},{"mode":"container/bridge"}]} | networks | one network
            networks not an array    | {"id":"/a","cmd":"x","networks":"bridge"} | networks | must be an array
            name on a bridge         | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge","name":"b"}]} | networks[0].name | only a container network
            unknown network field    | {"id":"/a","cmd":"x","networks":[{"mode":"host","cni":1}]} | networks[0].cni | unknown field
            network labels           | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge","labels":{"a":"b"}}]} | networks[0].labels | CNI
            mappings on the host     | {"id":"/a","cmd":"x","container":{"portMappings":[{"containerPort":80}]}} | container.portMappings | need a bridge network
            mappings without network | {"id":"/a","cmd":"x","networks":[{"mode":"container"}],"container":{"portMappings":[{"containerPort":80}]}} | container.portMappings | no ports
            definitions on a bridge  | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"portDefinitions":[{"port":0}]} | portDefinitions | container.portMappings
            container port too big   | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"container":{"portMappings":[{"containerPort":70000}]}} | container.portMappings[0].containerPort | must be from
            host port twice          | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"container":{"portMappings":[{"containerPort":1,"hostPort":31000},{"containerPort":2,"hostPort":31000}]}} | container.portMappings[1].hostPort | twice
            service port             | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"container":{"portMappings":[{"containerPort":1,"servicePort":10000}]}} | container.portMappings[0].servicePort | service ports
            mapping name twice       | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"container":{"portMappings":[{"name":"a"},{"name":"a"}]}} | container.portMappings[1].name | used twice
            mapping protocol         | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"container":{"portMappings":[{"protocol":"sctp"}]}} | container.portMappings[0].protocol | tcp, udp
            unknown mapping field    | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"container":{"portMappings":[{"port":1}]}} | container.portMappings[0].port | unknown field
            check past the mappings  | {"id":"/a","cmd":"x","networks":[{"mode":"container/bridge"}],"container":{"portMappings":[]},"healthChecks":[{"protocol":"TCP"}]} | healthChecks[0].portIndex | no ports
            """)
    void refusesWhatMarathonWouldNotRunOrBerthDoesNotOffer(String why, String json, String field, String messagePart) {
        assertRefused(json, field, messagePart);
    }
}
