package dev.keel.httpapi.startup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class EngineIdTest {

    @TempDir
    Path dataRoot;

    @Test
    void shouldKeepTheSameIdAcrossStarts() throws Exception {
        String first = EngineId.loadOrCreate(dataRoot);
        String second = EngineId.loadOrCreate(dataRoot);

        assertThat(first).matches("[0-9a-f-]{36}");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldReadMemTotalInBytes() throws Exception {
        Path meminfo = dataRoot.resolve("meminfo");
        Files.writeString(meminfo, "MemTotal:       24617080 kB\nMemFree:        20000000 kB\n");

        assertThat(HostFacts.memTotalBytes(meminfo)).isEqualTo(24617080L * 1024);
    }
}
