package dev.keel.httpapi.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.image.ImageConfig;
import dev.keel.actors.image.ImageEntity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SystemCodecTest {

    private static final Instant NOW = Instant.parse("2024-05-06T07:08:09Z");
    private static final DaemonFacts DAEMON = new DaemonFacts("engine-1", "host-a", Path.of("/var/lib/keel"), "0.1.0",
            Optional.of(NOW), "6.1.0-test", "Debian GNU/Linux 12 (bookworm)", "12", "x86_64", 2, 8L << 30, "2",
            Set.of("memory", "cpu", "pids"),
            Map.of("runc", Path.of("/usr/sbin/runc"), "traced", Path.of("/usr/local/bin/traced")), "traced");
    private final SystemCodec codec = new SystemCodec(DAEMON, Clock.fixed(NOW, ZoneOffset.UTC));

    private static ContainerEntity.State container(String id, ContainerEntity.Status status, String imageId) {
        return new ContainerEntity.State(id, status, "c-" + id, imageId, "web:1", ContainerConfig.EMPTY, 0, 0, false, 0,
                NOW, NOW, NOW);
    }

    private static ImageEntity.State image(String id, long size) {
        return new ImageEntity.State(id, ImageEntity.Status.PRESENT, ImageConfig.EMPTY, size, NOW, List.of("web:1"), NOW);
    }

    @Test
    void shouldReportTheVersionsAndTheEngineComponent() {
        Map<String, Object> version = codec.version();

        assertThat(version).containsEntry("Version", "0.1.0").containsEntry("ApiVersion", "1.41")
                .containsEntry("MinAPIVersion", "1.24").containsEntry("Os", "linux").containsEntry("Arch", "amd64")
                .containsEntry("KernelVersion", "6.1.0-test").containsEntry("BuildTime", NOW.toString());
        assertThat((String) version.get("GoVersion")).startsWith("java");
        assertThat(maps(version.get("Components"))).singleElement()
                .satisfies(c -> assertThat(c).containsEntry("Name", "Engine").containsEntry("Version", "0.1.0"));
    }

    @Test
    void shouldCountContainersByStateAndImages() {
        Map<String, Object> info = codec.info(List.of(
                container("a", ContainerEntity.Status.RUNNING, "i"),
                container("b", ContainerEntity.Status.PAUSED, "i"),
                container("c", ContainerEntity.Status.EXITED, "i"),
                container("d", ContainerEntity.Status.CREATED, "i")), 3);

        assertThat(info).containsEntry("ID", "engine-1").containsEntry("Containers", 4).containsEntry("ContainersRunning", 1L)
                .containsEntry("ContainersPaused", 1L).containsEntry("ContainersStopped", 2L).containsEntry("Images", 3)
                .containsEntry("Driver", "overlay2").containsEntry("CgroupDriver", "cgroupfs").containsEntry("CgroupVersion", "2")
                .containsEntry("DockerRootDir", "/var/lib/keel").containsEntry("Name", "host-a")
                .containsEntry("Architecture", "x86_64").containsEntry("OSType", "linux").containsEntry("NCPU", 2)
                .containsEntry("MemTotal", 8L << 30).containsEntry("MemoryLimit", true).containsEntry("CPUSet", false)
                .containsEntry("Runtimes", Map.of("runc", Map.of("path", "/usr/sbin/runc"),
                        "traced", Map.of("path", "/usr/local/bin/traced")))
                .containsEntry("DefaultRuntime", "traced").containsEntry("LoggingDriver", "json-file")
                .containsEntry("ServerVersion", "0.1.0").containsEntry("Warnings", List.of())
                .containsEntry("SystemTime", NOW.toString());
    }

    @Test
    void shouldReportDiskUsageWithTheContainersOfEachImage() {
        Map<String, Object> df = codec.diskUsage(List.of(container("a", ContainerEntity.Status.RUNNING, "sha256:1"),
                container("b", ContainerEntity.Status.EXITED, "sha256:1")), List.of(image("sha256:1", 100), image("sha256:2", 50)),
                List.of());

        assertThat(df).containsEntry("LayersSize", 150L).containsEntry("Volumes", List.of()).containsEntry("BuildCache", List.of());
        assertThat(maps(df.get("Images"))).extracting(i -> i.get("Containers")).containsExactly(2L, 0L);
        assertThat(maps(df.get("Containers"))).extracting(c -> c.get("State")).containsExactly("running", "exited");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object list) {
        return (List<Map<String, Object>>) list;
    }
}
