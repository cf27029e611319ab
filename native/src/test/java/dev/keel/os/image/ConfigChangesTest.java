package dev.keel.os.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigChangesTest {
    private final ConfigChanges changes = new ConfigChanges(new ImageJson());

    private ContainerDefaults apply(String... instructions) {
        return changes.apply(ContainerDefaults.empty(), List.of(instructions));
    }

    @Test
    void shouldTakeJsonFormCmdLiterally() {
        assertThat(apply("CMD [\"/bin/sh\", \"-c\", \"echo hi\"]").cmd()).containsExactly("/bin/sh", "-c", "echo hi");
    }

    @Test
    void shouldWrapShellFormEntrypointInShell() {
        assertThat(apply("ENTRYPOINT echo hello world").entrypoint())
            .containsExactly("/bin/sh", "-c", "echo hello world");
    }

    @Test
    void shouldParseEnvPairsWithQuotesAndReplaceExistingKeys() {
        ContainerDefaults c = apply("ENV A=1 B=\"two words\"", "ENV A=3", "ENV LEGACY some value");
        assertThat(c.env()).containsExactly("B=two words", "A=3", "LEGACY=some value");
    }

    @Test
    void shouldResolveRelativeWorkdirAgainstThePreviousOne() {
        assertThat(apply("WORKDIR /srv", "WORKDIR app").workingDir()).isEqualTo("/srv/app");
    }

    @Test
    void shouldSetUserStopSignalLabelsPortsAndVolumes() {
        ContainerDefaults c = apply("USER 1000:1000", "STOPSIGNAL SIGINT", "LABEL a=b \"c d\"=e",
            "EXPOSE 80 53/udp", "VOLUME [\"/data\"]", "VOLUME /logs /cache");
        assertThat(c.user()).isEqualTo("1000:1000");
        assertThat(c.stopSignal()).isEqualTo("SIGINT");
        assertThat(c.labels()).containsEntry("a", "b").containsEntry("c d", "e");
        assertThat(c.exposedPorts()).containsOnlyKeys("80/tcp", "53/udp");
        assertThat(c.volumes()).containsOnlyKeys("/data", "/logs", "/cache");
    }

    @Test
    void shouldRejectInstructionsThatAreNotChanges() {
        assertThatThrownBy(() -> apply("RUN rm -rf /")).hasMessage("RUN is not a valid change command");
        assertThatThrownBy(() -> apply("FROBNICATE x")).hasMessage("unknown instruction: FROBNICATE");
    }

    @Test
    void shouldRejectInvalidPortAndBrokenJson() {
        assertThatThrownBy(() -> apply("EXPOSE http")).hasMessageContaining("invalid port");
        assertThatThrownBy(() -> apply("CMD [\"sh\"")).hasMessageContaining("invalid JSON array");
    }
}
