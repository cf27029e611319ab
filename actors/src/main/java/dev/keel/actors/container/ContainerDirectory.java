package dev.keel.actors.container;

import dev.keel.actors.Confirmation;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * This host's containers as the network and volume planes see them: looked up in the container side's index, and
 * changed through it, so that the index (which reads trust) follows every change.
 */
public interface ContainerDirectory {

    /** The container {@code ref} names (id, name or unique id prefix), if it exists. */
    Optional<ContainerEntity.State> find(String ref);

    /**
     * Has the container's entity record {@code command} and returns its new state; fails with the entity's
     * refusal as an {@link dev.keel.actors.EngineFailure}.
     */
    CompletionStage<ContainerEntity.State> record(String containerId,
                                                  Function<ActorRef<Confirmation>, ContainerEntity.Command> command);
}
