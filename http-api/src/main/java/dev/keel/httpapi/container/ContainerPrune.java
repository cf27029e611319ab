package dev.keel.httpapi.container;

import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.Containers;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code docker container prune}: removes every stopped container (created or exited) the filter keeps. A container
 * that cannot be removed (it was started meanwhile) is left out of the answer, as by dockerd.
 */
public final class ContainerPrune {

    private ContainerPrune() {
    }

    /** The ids of the containers removed. */
    public static CompletionStage<List<String>> run(Containers containers, ContainerFilter filter) {
        return containers.list(true).thenCompose(all -> {
            List<CompletableFuture<Optional<String>>> removals = all.stream()
                    .filter(s -> s.status() == ContainerEntity.Status.CREATED || s.status() == ContainerEntity.Status.EXITED)
                    .filter(filter::test)
                    .map(s -> containers.remove(s.containerId(), false, false).toCompletableFuture()
                            .thenApply(removed -> Optional.of(s.containerId()))
                            .exceptionally(refused -> Optional.empty()))
                    .toList();
            return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                    .thenApply(done -> removals.stream().flatMap(r -> r.join().stream()).toList());
        });
    }
}
