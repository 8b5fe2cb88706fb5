package dev.berth.gateway;

import dev.berth.contracts.app.FieldError;
import dev.berth.gateway.apps.ScaleRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The body of a scale request, without a server. */
class ScaleRequestTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"instances": 0}     | 0
            {"instances": 3}     | 3
            {"instances": 10000} | 10000
            """)
    void acceptsAWholeInstanceCountFromZeroToTheLimit(String body, int expected) {
        assertEquals(expected, assertInstanceOf(ScaleRequest.Valid.class, ScaleRequest.parse(body)).instances());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {}                           | instances | is required
            {"instances": null}          | instances | is required
            {"instances": 2.5}           | instances | whole number
            {"instances": 2.0}           | instances | whole number
            {"instances": "2"}           | instances | whole number
            {"instances": true}          | instances | whole number
            {"instances": 3000000000}    | instances | whole number
            {"instances": -1}            | instances | was -1
            {"instances": 10001}         | instances | was 10001
            {"instances": 1, "cpus": 2}  | cpus      | PATCH takes only instances
            """)
    void refusesWithAReasonOnTheField(String body, String field, String messagePart) {
        List<FieldError> errors = assertInstanceOf(ScaleRequest.Invalid.class, ScaleRequest.parse(body)).errors();
        assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.message().contains(messagePart)),
                () -> "expected an error on " + field + " containing '" + messagePart + "', got " + errors);
    }

    @Test
    void namesEveryOtherFieldAndABadCountAtOnce() {
        List<FieldError> errors = assertInstanceOf(ScaleRequest.Invalid.class,
                ScaleRequest.parse("{\"cmd\": \"x\", \"instances\": -2, \"id\": \"/a\"}")).errors();

        assertEquals(List.of("cmd", "id", "instances"), errors.stream().map(FieldError::field).toList());
    }

    @Test
    void aBodyThatIsNotAnObjectIsOneErrorOnTheWholeBody() {
        for (String body : List.of("[1]", "3", "{\"instances\":", "null")) {
            List<FieldError> errors = assertInstanceOf(ScaleRequest.Invalid.class, ScaleRequest.parse(body)).errors();
            assertEquals(List.of(""), errors.stream().map(FieldError::field).toList(), body);
        }
    }
}
