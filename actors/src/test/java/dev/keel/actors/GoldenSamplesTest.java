package dev.keel.actors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.ContainerMount;
import dev.keel.actors.container.ContainerResources;
import dev.keel.actors.container.NetworkAttachment;
import dev.keel.actors.container.PortBinding;
import dev.keel.actors.container.RestartPolicy;
import dev.keel.actors.host.HostEntity;
import dev.keel.actors.image.ImageConfig;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.name.NameEntity;
import dev.keel.actors.network.NetworkEntity;
import dev.keel.actors.network.NetworkSpec;
import dev.keel.actors.network.PublishedPort;
import dev.keel.actors.volume.VolumeEntity;
import dev.keel.journal.serialization.GoldenSamples;
import dev.keel.journal.serialization.KryoCodec;
import dev.keel.journal.serialization.KryoSerializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every type actors persists or sends, checked against its golden bytes in src/test/resources/golden. Commands are
 * sampled without their reply-to reference, which only a running actor system can encode.
 *
 * <p>Maps in samples hold at most one entry: the iteration order of larger JDK immutable maps changes between JVM
 * runs, and so would their bytes.
 */
class GoldenSamplesTest {

    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.123456789Z");
    private static final String CONTAINER_ID = "4f9c1d2e3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e";
    private static final String IMAGE_ID = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";
    static final String NETWORK_ID = "7d86d31b1478e7cca9ebed7e73aa0fdeec46c5ca29497431d3007d2d9e15ed99";

    static final ContainerConfig CONTAINER_CONFIG = new ContainerConfig(
            List.of("nginx", "-g", "daemon off;"), List.of("/docker-entrypoint.sh"), List.of("PATH=/usr/bin", "A=1"),
            "/srv", "www-data", "web-1", Map.of("com.example.tier", "front"), true, true, "SIGQUIT",
            new RestartPolicy(RestartPolicy.Mode.ON_FAILURE, 3),
            new ContainerResources(64L << 20, 128L << 20, 500_000_000L, 512, 100), false, "front",
            List.of("/data:/srv/data:ro"), List.of("80/tcp"), List.of(new PortBinding("80/tcp", "127.0.0.1", "8080")),
            true, List.of(new NetworkAttachment(NETWORK_ID, List.of("www"), "172.20.0.9", "")), List.of("10.0.0.53"),
            List.of("example.com"), List.of("ndots:2"), List.of("db:10.0.0.7"),
            List.of(new ContainerMount("volume", "pgdata", "/var/lib/data", true, Map.of("nocopy", "true"))),
            List.of("db:ro"), "local", "runc");

    static final ImageConfig IMAGE_CONFIG = new ImageConfig("amd64", "linux", List.of("nginx", "-g", "daemon off;"),
            List.of("/docker-entrypoint.sh"), List.of("PATH=/usr/bin"), "/", "", Map.of("maintainer", "nginx"),
            List.of("80/tcp"), "SIGQUIT", List.of("sha256:1111", "sha256:2222"));

    static final NetworkSpec NETWORK_SPEC = new NetworkSpec("front", "bridge",
            Map.of("com.docker.network.bridge.name", "br-front"), Map.of("tier", "front"),
            new NetworkSpec.Ipam("default", List.of(new NetworkSpec.Pool("172.20.0.0/16", "172.20.10.0/24", "172.20.0.1",
                    Map.of("printer", "172.20.0.5"))),
                    Map.of()),
            true, true, false);

    static final NetworkEntity.Endpoint ENDPOINT = new NetworkEntity.Endpoint("ep-1", "172.20.0.2/16", "",
            "02:42:ac:14:00:02", List.of(new PublishedPort("tcp", 80, "0.0.0.0", 8080)));

    static List<KryoSerializable> samples() {
        ContainerResources resources = new ContainerResources(32L << 20, 0, 1_000_000_000L, 0, 0);
        RestartPolicy always = new RestartPolicy(RestartPolicy.Mode.ALWAYS, 0);
        HostEntity.HostResources hostResources = new HostEntity.HostResources(2, 8L << 30);
        return List.of(
                new Confirmation.Accepted(),
                new Confirmation.Rejected(Rejection.CONFLICT, "Container web is not running"),

                new ContainerEntity.Create("/web", IMAGE_ID, "nginx:1.27", CONTAINER_CONFIG, null),
                new ContainerEntity.Start(4242, null),
                new ContainerEntity.Pause(null),
                new ContainerEntity.Unpause(null),
                new ContainerEntity.Stop(143, null),
                new ContainerEntity.ReportExit(137, true, null),
                new ContainerEntity.Restart(4343, null),
                new ContainerEntity.Rename("/web", "/www", null),
                new ContainerEntity.Update(resources, always, null),
                new ContainerEntity.Remove(true, null),
                new ContainerEntity.Get(null),
                new ContainerEntity.Created(CONTAINER_ID, "/web", IMAGE_ID, "nginx:1.27", CONTAINER_CONFIG, AT),
                new ContainerEntity.Started(CONTAINER_ID, 4242, AT),
                new ContainerEntity.Paused(CONTAINER_ID, AT),
                new ContainerEntity.Unpaused(CONTAINER_ID, AT),
                new ContainerEntity.Stopped(CONTAINER_ID, 143, AT),
                new ContainerEntity.Died(CONTAINER_ID, 137, true, AT),
                new ContainerEntity.Restarted(CONTAINER_ID, 4343, AT),
                new ContainerEntity.Renamed(CONTAINER_ID, "/web", "/www", AT),
                new ContainerEntity.Updated(CONTAINER_ID, resources, always, AT),
                new ContainerEntity.Removed(CONTAINER_ID, true, AT),
                new ContainerEntity.Signal("SIGHUP", null),
                new ContainerEntity.ConfirmUserRestart(null),
                new ContainerEntity.Signalled(CONTAINER_ID, "SIGHUP", AT),
                new ContainerEntity.RestartedByUser(CONTAINER_ID, AT),
                new ContainerEntity.ConnectNetwork(new NetworkAttachment(NETWORK_ID, List.of("db"), "", ""), null),
                new ContainerEntity.DisconnectNetwork(NETWORK_ID, null),
                new ContainerEntity.NetworkConnected(CONTAINER_ID,
                        new NetworkAttachment(NETWORK_ID, List.of("db"), "172.20.0.3", ""), AT),
                new ContainerEntity.NetworkDisconnected(CONTAINER_ID, NETWORK_ID, AT),
                new ContainerEntity.CreateExec("5e1f", List.of("sh", "-c", "ls /"), null),
                new ContainerEntity.StartExec("5e1f", List.of("sh", "-c", "ls /"), null),
                new ContainerEntity.ReportExecExit("5e1f", 2, null),
                new ContainerEntity.ExecCreated(CONTAINER_ID, "5e1f", List.of("sh", "-c", "ls /"), AT),
                new ContainerEntity.ExecStarted(CONTAINER_ID, "5e1f", List.of("sh", "-c", "ls /"), AT),
                new ContainerEntity.ExecDied(CONTAINER_ID, "5e1f", 2, AT),
                new ContainerEntity.State(CONTAINER_ID, ContainerEntity.Status.RUNNING, "/web", IMAGE_ID, "nginx:1.27",
                        CONTAINER_CONFIG, 4242, 0, false, 1, AT, AT.plusSeconds(1), Instant.EPOCH),

                new ImageEntity.Import(IMAGE_CONFIG, 187_000_000L, AT.minusSeconds(86_400), null),
                new ImageEntity.Tag("nginx:1.27", null),
                new ImageEntity.Untag("nginx:latest", null),
                new ImageEntity.Delete(false, null),
                new ImageEntity.Get(null),
                new ImageEntity.Imported(IMAGE_ID, IMAGE_CONFIG, 187_000_000L, AT.minusSeconds(86_400), AT),
                new ImageEntity.Tagged(IMAGE_ID, "nginx:1.27", AT),
                new ImageEntity.Untagged(IMAGE_ID, "nginx:latest", AT),
                new ImageEntity.Deleted(IMAGE_ID, false, AT),
                new ImageEntity.State(IMAGE_ID, ImageEntity.Status.PRESENT, IMAGE_CONFIG, 187_000_000L,
                        AT.minusSeconds(86_400), List.of("nginx:1.27", "nginx:latest"), AT),

                new NetworkEntity.Create(NETWORK_SPEC, null),
                new NetworkEntity.Attach(CONTAINER_ID, ENDPOINT, null),
                new NetworkEntity.Detach(CONTAINER_ID, null),
                new NetworkEntity.Remove(null),
                new NetworkEntity.Get(null),
                new NetworkEntity.Created(NETWORK_ID, NETWORK_SPEC, AT),
                new NetworkEntity.Attached(NETWORK_ID, CONTAINER_ID, ENDPOINT, AT),
                new NetworkEntity.Detached(NETWORK_ID, CONTAINER_ID, AT),
                new NetworkEntity.Removed(NETWORK_ID, AT),
                new NetworkEntity.State(NETWORK_ID, NetworkEntity.Status.ACTIVE, NETWORK_SPEC,
                        Map.of(CONTAINER_ID, ENDPOINT), AT),

                new VolumeEntity.Create("local", Map.of("type", "tmpfs"), Map.of("backup", "daily"), null),
                new VolumeEntity.Attach(CONTAINER_ID, null),
                new VolumeEntity.Detach(CONTAINER_ID, null),
                new VolumeEntity.Remove(false, null),
                new VolumeEntity.Get(null),
                new VolumeEntity.Created("pgdata", "local", Map.of("type", "tmpfs"), Map.of("backup", "daily"), AT),
                new VolumeEntity.Attached("pgdata", CONTAINER_ID, AT),
                new VolumeEntity.Detached("pgdata", CONTAINER_ID, AT),
                new VolumeEntity.Removed("pgdata", false, AT),
                new VolumeEntity.State("pgdata", VolumeEntity.Status.ACTIVE, "local", Map.of("type", "tmpfs"),
                        Map.of("backup", "daily"), List.of(CONTAINER_ID, "c2"), AT),

                new HostEntity.Register("node-1", "10.0.0.1:2552", hostResources, null),
                new HostEntity.MarkUp(null),
                new HostEntity.MarkDown("unreachable", null),
                new HostEntity.Get(null),
                new HostEntity.Registered("h-1", "node-1", "10.0.0.1:2552", hostResources, AT),
                new HostEntity.Up("h-1", AT),
                new HostEntity.Down("h-1", "unreachable", AT),
                new HostEntity.State("h-1", HostEntity.Status.DOWN, "node-1", "10.0.0.1:2552", hostResources,
                        "unreachable", AT),

                new NameEntity.Reserve(CONTAINER_ID, null),
                new NameEntity.Release(CONTAINER_ID, null),
                new NameEntity.Get(null),
                new NameEntity.Granted(true),
                new NameEntity.Taken(CONTAINER_ID),
                new NameEntity.Reserved("container:/web", CONTAINER_ID, AT),
                new NameEntity.Released("container:/web", CONTAINER_ID, AT),
                new NameEntity.State("container:/web", CONTAINER_ID));
    }

    @Test
    void shouldSerializeEverySampleAsItsGoldenFile() {
        KryoCodec codec = KryoCodec.of(List.of(new ActorsKryoRegistry()));

        new GoldenSamples(codec, Path.of("src/test/resources/golden")).verify(samples());

        assertThat(codec.messageManifests()).hasSameSizeAs(samples());
    }

    @Test
    void shouldReadAContainerCreatedBeforeTheRuntimeWasRecordedAsARuncContainer() throws Exception {
        KryoCodec codec = KryoCodec.of(List.of(new ActorsKryoRegistry()));
        String current = codec.messageManifests().get(ContainerEntity.Created.class);
        String v2 = current.substring(0, current.indexOf('v') + 1) + "2";

        Object created = codec.decode(Files.readAllBytes(Path.of("src/test/resources/golden/ContainerEntity.Created-v2")),
                v2);

        assertThat(created).isInstanceOfSatisfying(ContainerEntity.Created.class,
                c -> assertThat(c.config().runtime()).isEqualTo("runc"));
    }
}
