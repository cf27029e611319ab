package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RuntimeCommandTest {

    @Test
    void shouldTakeTheMessageOutOfRuncsLogLine() {
        String stderr = "time=\"2026-11-28T18:53:03Z\" level=error msg=\"exec: \\\"nope\\\": executable file not found\"\n";

        assertThat(RuntimeCommand.messageOf(stderr)).isEqualTo("exec: \"nope\": executable file not found");
    }

    @Test
    void shouldKeepPlainTextAsItIs() {
        assertThat(RuntimeCommand.messageOf("  container not running\n")).isEqualTo("container not running");
    }
}
