package dev.keel.actors;

import dev.keel.actors.container.Containers;
import dev.keel.actors.container.Execs;
import dev.keel.actors.container.LocalContainers;
import dev.keel.actors.history.History;
import dev.keel.actors.history.JournalHistory;
import dev.keel.actors.image.Images;
import dev.keel.actors.image.LocalImages;
import dev.keel.os.image.ImageCatalog;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * This host's engine: the domain's entities and what acts for them on the host, as the Engine API sees them.
 *
 * <p>{@link #start} opens the host's image store and runtime (settings {@code keel.native.image} and
 * {@code keel.native.runtime}) and completes once both agree with the journal: image references rebuilt from the Image
 * entities, and every container the entities believe running re-adopted, or recorded dead with its real exit code.
 */
public final class Engine {

    private final Domain domain;
    private final Containers containers;
    private final Execs execs;
    private final Images images;
    private final History history;

    private Engine(Domain domain, Containers containers, Execs execs, Images images, History history) {
        this.domain = domain;
        this.containers = containers;
        this.execs = execs;
        this.images = images;
        this.history = history;
    }

    public static CompletionStage<Engine> start(ActorSystem<?> system, Clock clock) {
        Domain domain = Domain.start(system, clock);
        ImageCatalog catalog = LocalImages.openCatalog(system.settings().config());
        LocalContainers containers = LocalContainers.start(system, domain, catalog, clock);
        LocalImages images = new LocalImages(system, domain, catalog, containers::containerUsing, clock);
        History history = new JournalHistory(system);
        return images.recover()
                .thenCompose(recovered -> containers.reconcile())
                .thenApply(reconciled -> new Engine(domain, containers, containers.execs(), images, history));
    }

    public Domain domain() {
        return domain;
    }

    public Containers containers() {
        return containers;
    }

    public Execs execs() {
        return execs;
    }

    public Images images() {
        return images;
    }

    public History history() {
        return history;
    }
}
