package dev.keel.httpapi.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerMount;
import dev.keel.actors.container.ContainerResources;
import dev.keel.actors.container.RestartPolicy;
import dev.keel.actors.volume.Volumes;
import dev.keel.httpapi.route.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerMountCodecTest {

    private static final ContainerMount NAMED = new ContainerMount("volume", "data", "/data", false, Map.of());
    private static final ContainerMount PLUGIN = new ContainerMount("volume", "remote", "/remote", true,
            Map.of("nocopy", "true"));
    private static final ContainerMount BIND = new ContainerMount("bind", "/srv/www", "/www", false, Map.of());
    private static final ContainerMount FROM_V = new ContainerMount("bind", "/etc/app", "/app", true, Map.of());
    private static final ContainerMount TMPFS = new ContainerMount("tmpfs", "", "/fast", false, Map.of("size", "1m"));

    private static ContainerConfig config(List<String> binds, List<ContainerMount> mounts, List<String> volumesFrom,
                                          String volumeDriver) {
        return new ContainerConfig(List.of("sh"), List.of(), List.of(), "", "", "", Map.of(), false, false, "",
                RestartPolicy.NO, ContainerResources.UNLIMITED, false, "", binds, List.of(), List.of(), false,
                List.of(), List.of(), List.of(), List.of(), List.of(), mounts, volumesFrom, volumeDriver, "runc");
    }

    private static ObjectNode inspect() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.putObject("HostConfig").put("NetworkMode", "default");
        return out;
    }

    @Test
    void shouldShowEachVolumesHostPathAndDriverInInspect() {
        ContainerConfig c = config(List.of(), List.of(NAMED, PLUGIN), List.of(), "");
        Map<String, Volumes.MountSource> known = Map.of(
                "data", new Volumes.MountSource("local", "/var/lib/keel/volumes/data/_data"),
                "remote", new Volumes.MountSource("plug", "/plug/data/remote"));

        JsonNode mounts = ContainerMountCodec.withVolumes(inspect(), c, name -> Optional.ofNullable(known.get(name)))
                .path("Mounts");

        assertThat(mounts).hasSize(2);
        assertThat(mounts.get(0).path("Source").asText()).isEqualTo("/var/lib/keel/volumes/data/_data");
        assertThat(mounts.get(0).path("Driver").asText()).isEqualTo("local");
        assertThat(mounts.get(0).path("RW").asBoolean()).isTrue();
        assertThat(mounts.get(1).path("Source").asText()).isEqualTo("/plug/data/remote");
        assertThat(mounts.get(1).path("Driver").asText()).isEqualTo("plug");
        assertThat(mounts.get(1).path("RW").asBoolean()).isFalse();
    }

    @Test
    void shouldListMountsBesidesBindsAndTmpfsInHostConfig() {
        ContainerConfig c = config(List.of("/etc/app:/app:ro"), List.of(FROM_V, NAMED, PLUGIN, BIND, TMPFS),
                List.of("other:ro"), "plug");

        JsonNode host = ContainerMountCodec.withVolumes(inspect(), c, name -> Optional.empty()).path("HostConfig");

        assertThat(host.path("Mounts")).extracting(m -> m.path("Target").asText())
                .containsExactly("/data", "/remote", "/www");
        assertThat(host.path("Mounts").get(1).path("ReadOnly").asBoolean()).isTrue();
        assertThat(host.path("Mounts").get(1).path("VolumeOptions").path("NoCopy").asBoolean()).isTrue();
        assertThat(host.path("Tmpfs").path("/fast").asText()).isEqualTo("size=1m");
        assertThat(host.path("VolumesFrom")).extracting(JsonNode::asText).containsExactly("other:ro");
        assertThat(host.path("VolumeDriver").asText()).isEqualTo("plug");
        assertThat(host.path("NetworkMode").asText()).isEqualTo("default");
    }

    @Test
    void shouldLeaveOutTheFieldsOfMountsAContainerDoesNotHave() {
        JsonNode host = ContainerMountCodec.withVolumes(inspect(), config(List.of(), List.of(), List.of(), ""),
                name -> Optional.empty()).path("HostConfig");

        assertThat(host.has("Mounts")).isFalse();
        assertThat(host.has("Tmpfs")).isFalse();
        assertThat(host.path("VolumesFrom").isNull()).isTrue();
        assertThat(host.path("VolumeDriver").asText()).isEmpty();
    }
}
