package dev.keel.actors.container;

import dev.keel.actors.Confirmation;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The container records as Kryo version 2 wrote them, before {@link ContainerConfig} recorded the OCI runtime. Kept
 * only to read old journals: component names and types must never change.
 */
public final class ContainerShapesV2 {

    private ContainerShapesV2() {}

    public record Config(List<String> cmd, List<String> entrypoint, List<String> env, String workingDir, String user,
                         String hostname, Map<String, String> labels, boolean tty, boolean openStdin,
                         String stopSignal, RestartPolicy restartPolicy, ContainerResources resources,
                         boolean autoRemove, String networkMode, List<String> binds, List<String> exposedPorts,
                         List<PortBinding> portBindings, boolean publishAllPorts, List<NetworkAttachment> networks,
                         List<String> dns, List<String> dnsSearch, List<String> dnsOptions, List<String> extraHosts,
                         List<ContainerMount> mounts, List<String> volumesFrom, String volumeDriver) {

        ContainerConfig current() {
            return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin,
                    stopSignal, restartPolicy, resources, autoRemove, networkMode, binds, exposedPorts, portBindings,
                    publishAllPorts, networks, dns, dnsSearch, dnsOptions, extraHosts, mounts, volumesFrom,
                    volumeDriver, ContainerConfig.FIRST_RUNTIME);
        }
    }

    public record Create(String name, String imageId, String imageRef, Config config,
                         ActorRef<Confirmation> replyTo)
            implements KryoSerializable {

        public ContainerEntity.Create current() {
            return new ContainerEntity.Create(name, imageId, imageRef, config.current(), replyTo);
        }
    }

    public record Created(String containerId, String name, String imageId, String imageRef, Config config,
                          Instant at) implements KryoSerializable {

        public ContainerEntity.Created current() {
            return new ContainerEntity.Created(containerId, name, imageId, imageRef, config.current(), at);
        }
    }

    public record State(String containerId, ContainerEntity.Status status, String name, String imageId,
                        String imageRef, Config config, long pid, int exitCode, boolean oomKilled, int restartCount,
                        Instant createdAt, Instant startedAt, Instant finishedAt) implements KryoSerializable {

        public ContainerEntity.State current() {
            return new ContainerEntity.State(containerId, status, name, imageId, imageRef, config.current(), pid,
                    exitCode, oomKilled, restartCount, createdAt, startedAt, finishedAt);
        }
    }
}
