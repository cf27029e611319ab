package dev.keel.httpapi.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @TempDir
    Path dir;

    private final long self = ProcessHandle.current().pid();

    @Test
    void shouldWriteThePidAndRemoveItOnClose() throws Exception {
        Path path = dir.resolve("run/keeld.pid");

        PidFile pidFile = PidFile.write(path, self);
        assertThat(Files.readString(path)).isEqualTo(self + "\n");

        pidFile.close();
        assertThat(path).doesNotExist();
    }

    @Test
    void shouldReplaceAPidFileOfADeadProcess() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Path path = Files.writeString(dir.resolve("keeld.pid"), exited.pid() + "\n");

        try (PidFile pidFile = PidFile.write(path, self)) {
            assertThat(Files.readString(path)).isEqualTo(self + "\n");
        }
    }

    @Test
    void shouldRefuseAPidFileOfALiveProcess() throws Exception {
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        Path path = Files.writeString(dir.resolve("keeld.pid"), parent + "\n");

        assertThatThrownBy(() -> PidFile.write(path, self))
                .isInstanceOf(PidFile.Taken.class)
                .hasMessageContaining("names a running process (pid " + parent + ")");
    }

    @Test
    void shouldLeaveAPidFileThatIsNoLongerOurs() throws Exception {
        Path path = dir.resolve("keeld.pid");
        PidFile pidFile = PidFile.write(path, self);
        Files.writeString(path, "1\n");

        pidFile.close();

        assertThat(Files.readString(path)).isEqualTo("1\n");
    }
}
