package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonPrivilegesTest {

    @TempDir
    Path procSelf;

    private void write(String capEff, String openFiles) throws IOException {
        Files.writeString(procSelf.resolve("status"), "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\n");
        Files.writeString(procSelf.resolve("limits"), "Limit                     Soft Limit           Hard Limit           Units\n"
            + "Max open files            " + openFiles + "                files\n");
    }

    @Test
    void shouldLowerTheLimitToTheDaemonsOwnWithoutCapSysResource() throws IOException {
        write("000001fffeffffff", "20000                20000");

        assertThat(DaemonPrivileges.openFilesLimit(1_048_576L, procSelf)).isEqualTo(20_000L);
    }

    @Test
    void shouldGrantTheWantedLimitWithCapSysResource() throws IOException {
        write("000001ffffffffff", "20000                20000");

        assertThat(DaemonPrivileges.openFilesLimit(1_048_576L, procSelf)).isEqualTo(1_048_576L);
    }
}
