package dev.keel.httpapi.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorBodyTest {

    @Test
    void shouldWriteDockersMessageShape() {
        assertThat(ErrorBody.json("page not found")).isEqualTo("{\"message\":\"page not found\"}\n");
    }

    @Test
    void shouldEscapeQuotesBackslashesAndControlCharacters() {
        assertThat(ErrorBody.json("a \"b\" \\ c\nd\u0001")).isEqualTo("{\"message\":\"a \\\"b\\\" \\\\ c\\nd\\u0001\"}\n");
    }
}
