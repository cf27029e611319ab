package dev.keel.actors;

import dev.keel.actors.authz.Authorizer;
import dev.keel.actors.authz.PluginAuthorizer;
import dev.keel.actors.container.Containers;
import dev.keel.actors.container.Execs;
import dev.keel.actors.container.LocalContainers;
import dev.keel.actors.history.History;
import dev.keel.actors.history.JournalHistory;
import dev.keel.actors.image.Images;
import dev.keel.actors.image.LocalImages;
import dev.keel.actors.network.LocalNetworks;
import dev.keel.actors.network.Networks;
import dev.keel.actors.volume.LocalVolumes;
import dev.keel.actors.volume.Volumes;
import dev.keel.os.image.ImageCatalog;
import dev.keel.os.image.ImageSettings;
import dev.keel.pluginhost.PluginHostSettings;
import dev.keel.pluginhost.Plugins;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * This host's engine: the domain's entities and what acts for them on the host, as the Engine API sees them.
 *
 * <p>{@link #start} opens the host's image store, network plane, volume plane, plugin host and runtime (settings
 * {@code keel.native.image}, {@code keel.netplane}, {@code keel.stateplane}, {@code keel.plugin-host} and
 * {@code keel.native.runtime}) and completes once they agree with the journal: image references rebuilt from the Image
 * entities, networks' pools, bridges and rules from the Network entities, volumes from the Volume entities, and every
 * container the entities believe running re-adopted (its volume mounts counted again), or recorded dead with its real
 * exit code.
 */
public final class Engine {

    private final Domain domain;
    private final Containers containers;
    private final Execs execs;
    private final Images images;
    private final Networks networks;
    private final Volumes volumes;
    private final History history;
    private final Plugins plugins;

    private Engine(Domain domain, Containers containers, Execs execs, Images images, Networks networks,
                   Volumes volumes, History history, Plugins plugins) {
        this.domain = domain;
        this.containers = containers;
        this.execs = execs;
        this.images = images;
        this.networks = networks;
        this.volumes = volumes;
        this.history = history;
        this.plugins = plugins;
    }

    public static CompletionStage<Engine> start(ActorSystem<?> system, Clock clock) {
        Domain domain = Domain.start(system, clock);
        ImageCatalog catalog = LocalImages.openCatalog(system.settings().config());
        ImageSettings imageSettings = ImageSettings.fromConfig(system.settings().config().getConfig("keel.native.image"));
        Plugins plugins = new Plugins(PluginHostSettings.fromConfig(system.settings().config().getConfig("keel.plugin-host")));
        system.getWhenTerminated().thenRun(plugins::close);
        LocalNetworks networks = LocalNetworks.open(system, domain, imageSettings.containersDir(), plugins);
        LocalVolumes volumes = LocalVolumes.open(system, domain, plugins);
        LocalContainers containers = LocalContainers.start(system, domain, catalog, clock, networks, volumes);
        networks.useContainers(containers);
        volumes.useContainers(containers);
        LocalImages images = new LocalImages(system, domain, catalog, containers::containerUsing, clock);
        History history = new JournalHistory(system);
        return images.recover()
                .thenCompose(recovered -> networks.recover())
                .thenCompose(recovered -> volumes.recover())
                .thenCompose(recovered -> containers.reconcile())
                .thenCompose(reconciled -> containers.list(false))
                .thenCompose(running -> volumes.adoptMounts(running))
                .thenApply(adopted -> new Engine(domain, containers, containers.execs(), images, networks, volumes,
                        history, plugins));
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

    public Networks networks() {
        return networks;
    }

    public Volumes volumes() {
        return volumes;
    }

    /**
     * The authorization plugins {@code names}, asked in order; each is looked up and activated now, so that a daemon
     * whose plugin is missing does not start (blocks up to the plugin host's retry limit).
     *
     * @throws IllegalArgumentException naming the plugin that cannot be used
     */
    public Authorizer authorizer(List<String> names) {
        return PluginAuthorizer.start(plugins, names);
    }

    public History history() {
        return history;
    }
}
