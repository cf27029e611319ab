package dev.keel.actors.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.os.image.ContainerDefaults;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's merge of an image's config into a create request ({@link LocalContainers#withImageDefaults}). */
class ImageDefaultsMergeTest {

    private static final ContainerDefaults IMAGE = new ContainerDefaults("nobody", Map.of("80/tcp", Map.of()),
            List.of("PATH=/bin", "MODE=image"), List.of("/entry"), List.of("serve"), null, "/srv",
            Map.of("from", "image"), "SIGQUIT", null, null, null, null);

    private static ContainerConfig request(List<String> cmd, List<String> entrypoint, List<String> env) {
        ContainerConfig e = ContainerConfig.EMPTY;
        return new ContainerConfig(cmd, entrypoint, env, "", "", "", Map.of("from", "client"), false, false, "",
                e.restartPolicy(), e.resources(), false, "", List.of(), List.of("8080/tcp"));
    }

    @Test
    void shouldFillWhatTheRequestLeftEmpty() {
        ContainerConfig merged = LocalContainers.withImageDefaults(request(List.of(), List.of(), List.of()), IMAGE);

        assertThat(merged.entrypoint()).containsExactly("/entry");
        assertThat(merged.cmd()).containsExactly("serve");
        assertThat(merged.user()).isEqualTo("nobody");
        assertThat(merged.workingDir()).isEqualTo("/srv");
        assertThat(merged.stopSignal()).isEqualTo("SIGQUIT");
        assertThat(merged.exposedPorts()).containsExactly("8080/tcp", "80/tcp");
        assertThat(merged.labels()).containsEntry("from", "client");
    }

    @Test
    void shouldKeepTheImageEntrypointWithTheClientsCmd() {
        ContainerConfig merged = LocalContainers.withImageDefaults(request(List.of("debug"), List.of(), List.of()), IMAGE);

        assertThat(merged.entrypoint()).containsExactly("/entry");
        assertThat(merged.cmd()).containsExactly("debug");
    }

    @Test
    void shouldResetTheImageCmdWhenTheClientGivesAnEntrypoint() {
        ContainerConfig merged = LocalContainers.withImageDefaults(request(List.of(), List.of("/bin/sh"), List.of()), IMAGE);

        assertThat(merged.entrypoint()).containsExactly("/bin/sh");
        assertThat(merged.cmd()).isEmpty();
    }

    @Test
    void shouldMergeEnvByKeyWithTheClientWinning() {
        ContainerConfig merged = LocalContainers.withImageDefaults(
                request(List.of(), List.of(), List.of("MODE=client", "EXTRA=1")), IMAGE);

        assertThat(merged.env()).containsExactly("PATH=/bin", "MODE=client", "EXTRA=1");
    }
}
