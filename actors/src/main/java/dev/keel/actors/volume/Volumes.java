package dev.keel.actors.volume;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Docker's volume verbs on this host, recorded by the {@link VolumeEntity} and carried out by the volume's driver
 * ("local" or a plugin's). Every future fails with a {@link dev.keel.actors.EngineFailure} when the request is refused,
 * in Docker's words and kinds.
 */
public interface Volumes {

    /** Docker's label on the volumes it made for a container ({@code -v /path}, an image's Volumes). */
    String ANONYMOUS_LABEL = "com.docker.volume.anonymous";

    /** {@code docker volume create}: an empty name gets a generated one; creating an existing volume is a no-op. */
    CompletionStage<Volume> create(String name, String driver, Map<String, String> options, Map<String, String> labels);

    CompletionStage<Volume> inspect(String name);

    /** Every volume, by name. */
    CompletionStage<List<Volume>> list();

    /** Refused while a container uses it, even with force; force only silences "no such volume". */
    CompletionStage<Void> remove(String name, boolean force);

    /** Bytes the volume holds, when its driver can tell. Walks the volume's files: call it off the actor threads. */
    Optional<Long> sizeBytes(String name);

    /**
     * What a container's mount of the volume shows in inspect, from memory (no driver call, so routes may ask): the
     * volume's driver and its host path as last reported by the driver, empty when unknown.
     */
    Optional<MountSource> mountSource(String name);

    /** Where a volume is on the host and who serves it. */
    record MountSource(String driver, String mountpoint) {}

    /**
     * A volume as clients see it: its recorded state, where its driver has it on the host (empty when the driver does
     * not say) and the driver's status details.
     */
    record Volume(VolumeEntity.State state, String mountpoint, Map<String, String> status) {
        public String name() {
            return state.volumeName();
        }
    }
}
