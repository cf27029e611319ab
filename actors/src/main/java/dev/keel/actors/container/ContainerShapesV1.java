package dev.keel.actors.container;

import dev.keel.actors.Confirmation;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The container records as Kryo version 1 wrote them, before {@link ContainerConfig} grew published ports, networks,
 * DNS settings and mounts. Kept only to read old journals: component names and types must never change.
 */
public final class ContainerShapesV1 {

    private ContainerShapesV1() {}

    public record Config(List<String> cmd, List<String> entrypoint, List<String> env, String workingDir, String user,
                         String hostname, Map<String, String> labels, boolean tty, boolean openStdin,
                         String stopSignal, RestartPolicy restartPolicy, ContainerResources resources,
                         boolean autoRemove, String networkMode, List<String> binds, List<String> exposedPorts) {

        ContainerConfig current() {
            return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin,
                    stopSignal, restartPolicy, resources, autoRemove, networkMode, binds, exposedPorts)
                    .withRuntime(ContainerConfig.FIRST_RUNTIME);
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
