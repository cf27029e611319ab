package dev.keel.actors.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.keel.actors.Domain;
import dev.keel.actors.network.LocalNetworks;
import dev.keel.actors.volume.LocalVolumes;
import dev.keel.pluginhost.PluginHostSettings;
import dev.keel.pluginhost.Plugins;
import dev.keel.netplane.IsolatedNetplane;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.journal.store.EmbeddedJournalConfig;
import dev.keel.os.archive.Syscalls;
import dev.keel.os.image.ImageCatalog;
import dev.keel.os.image.ImageJson;
import dev.keel.os.image.ImagePlatform;
import dev.keel.os.image.ImageReference;
import dev.keel.os.image.ImageSettings;
import dev.keel.os.image.ImageStore;
import dev.keel.os.image.ReferenceIndex;
import dev.keel.os.image.RootfsImport;
import dev.keel.os.image.StoredImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * One host's containers for integration tests: a single-node cluster with the embedded journal in a temporary
 * directory, {@link LocalContainers} on real runc, keel-monitor and overlayfs, and the image {@link #IMAGE} made from the
 * host's static busybox. Each test class gives its own cgroup parent, so that what it leaves on the host (mounts
 * under its root, processes, cgroups) can be told apart and listed by {@link #residue()}.
 */
final class ContainerHost implements AutoCloseable {

    static final String IMAGE = "busybox:it";
    static final Duration WAIT = Duration.ofSeconds(30);

    private static final List<String> APPLETS = List.of("sh", "echo", "sleep", "true", "false", "cat", "id", "pwd",
            "tty", "ls", "rm", "mkdir");

    private final String name;
    private final String cgroupParent;
    private final Path root;
    private final Config config;
    private final ImageCatalog catalog;
    private final IsolatedNetplane netplane;
    private ActorSystem<Void> system;
    private Domain domain;
    private LocalContainers containers;
    private LocalNetworks networks;
    private LocalVolumes volumes;

    private ContainerHost(String name, String cgroupParent, Path root, Config config, ImageCatalog catalog,
                          IsolatedNetplane netplane) {
        this.netplane = netplane;
        this.name = name;
        this.cgroupParent = cgroupParent;
        this.root = root;
        this.config = config;
        this.catalog = catalog;
    }

    /** A host named {@code name} (its actor system's name) whose containers' cgroups go under {@code cgroupParent}. */
    static ContainerHost start(String name, String cgroupParent) throws Exception {
        Path root = Files.createTempDirectory(Path.of("/tmp"), "kit");
        IsolatedNetplane netplane = IsolatedNetplane.random(root.resolve("netns"));
        Config config = ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0,
                        "keel.native.runtime.state-root", root.resolve("state").toString(),
                        "keel.native.runtime.exec-root", root.resolve("x").toString(),
                        "keel.native.runtime.cgroup-parent", cgroupParent,
                        "keel.native.image.data-root", root.resolve("data").toString(),
                        "keel.stateplane.volumes-root", root.resolve("data").resolve("volumes").toString()))
                .withFallback(netplane.config())
                .withFallback(EmbeddedJournalConfig.forDir(root.resolve("journal")));
        ImageSettings images = ImageSettings.fromConfig(config.getConfig("keel.native.image"));
        ImageJson json = new ImageJson();
        ImageCatalog catalog = new ImageCatalog(new ImageStore(images, Syscalls.load(), json),
                new ReferenceIndex(images, json));
        StoredImage image = new RootfsImport(catalog, json, ImagePlatform.host(), Clock.systemUTC())
                .importTarball(new ByteArrayInputStream(busyboxRootfs()), List.of("CMD [\"sh\"]"), null);
        catalog.references().tag(ImageReference.parse(IMAGE), image.id());
        ContainerHost host = new ContainerHost(name, cgroupParent, root, config, catalog, netplane);
        host.startSystem();
        return host;
    }

    /** keeld coming (back) up: a new actor system on the root's directories, containers reconciled. */
    void startSystem() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), name, config);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        assertThat(eventually(() -> cluster.selfMember().status().equals(MemberStatus.up()))).isTrue();
        domain = Domain.start(system, Clock.systemUTC());
        Plugins plugins = new Plugins(PluginHostSettings.fromConfig(system.settings().config().getConfig("keel.plugin-host")));
        networks = LocalNetworks.open(system, domain, root.resolve("data").resolve("containers"), plugins);
        volumes = LocalVolumes.open(system, domain, plugins);
        containers = LocalContainers.start(system, domain, catalog, Clock.systemUTC(), networks, volumes);
        networks.useContainers(containers);
        volumes.useContainers(containers);
        await(networks.recover());
        await(volumes.recover());
        await(containers.reconcile());
        await(volumes.adoptMounts(await(containers.list(false))));
    }

    /** keeld going away: its containers keep running. */
    void stopSystem() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    ActorSystem<Void> system() {
        return system;
    }

    Domain domain() {
        return domain;
    }

    LocalContainers containers() {
        return containers;
    }

    ImageCatalog catalog() {
        return catalog;
    }

    Path root() {
        return root;
    }

    String cgroupParent() {
        return cgroupParent;
    }

    /** A container of {@link #IMAGE} running {@code config}, started. */
    String run(ContainerConfig config) throws Exception {
        String id = await(containers.create(new Containers.CreateRequest("", IMAGE, config))).containerId();
        await(containers.start(id));
        return id;
    }

    /** Removes every container (force) and checks that nothing of them is left on the host. */
    void removeEveryContainer() throws Exception {
        for (State state : await(containers.list(true))) {
            await(containers.remove(state.containerId(), true, false));
        }
        assertThat(eventually(() -> residue().isEmpty())).as("left on the host: %s", residue()).isTrue();
    }

    /** Mounts under the root, processes that mention it or live in a container cgroup, and those cgroups. */
    List<String> residue() {
        List<String> residue = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (line.contains(root.toString())) {
                    residue.add("mount " + line);
                }
            }
            long self = ProcessHandle.current().pid();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    if (Long.parseLong(p.getFileName().toString()) == self) {
                        continue;
                    }
                    String cmdline = readQuietly(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains(root.toString()) || readQuietly(p.resolve("cgroup")).contains(cgroupParent + "/")) {
                        residue.add("process " + p.getFileName() + " " + cmdline.trim());
                    }
                }
            }
            try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path controller : controllers.toList()) {
                    Path parent = controller.resolve(cgroupParent.substring(1));
                    if (Files.isDirectory(parent)) {
                        try (Stream<Path> children = Files.list(parent)) {
                            children.filter(Files::isDirectory).forEach(c -> residue.add("cgroup " + c));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return residue;
    }

    /** Stops the actor system, removes the cgroup parent and the root directory. */
    @Override
    public void close() throws Exception {
        stopSystem();
        netplane.remove();
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                Files.deleteIfExists(controller.resolve(cgroupParent.substring(1)));
            }
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // --- for the tests --------------------------------------------------------------------------------------------

    /** A configuration running {@code cmd}, everything else empty. */
    static ContainerConfig config(String... cmd) {
        ContainerConfig e = ContainerConfig.EMPTY;
        return new ContainerConfig(List.of(cmd), e.entrypoint(), e.env(), e.workingDir(), e.user(), e.hostname(),
                e.labels(), e.tty(), e.openStdin(), e.stopSignal(), e.restartPolicy(), e.resources(), e.autoRemove(),
                e.networkMode(), e.binds(), e.exposedPorts());
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return await(stage);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code condition} holds within {@link #WAIT}, checked every 20 ms. */
    static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return true;
    }

    /** bin/busybox with the applets the tests use, /tmp, and /etc/passwd and /etc/group with root and nobody. */
    static byte[] busyboxRootfs() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : List.of("bin/", "etc/", "tmp/", "proc/", "sys/", "dev/")) {
                TarArchiveEntry entry = new TarArchiveEntry(dir);
                entry.setMode(dir.equals("tmp/") ? 041777 : 040755);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
            tarFile(tar, "bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
            for (String applet : APPLETS) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            tarFile(tar, "etc/passwd", ("root:x:0:0:root:/root:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n").getBytes(StandardCharsets.UTF_8), 0644);
            tarFile(tar, "etc/group", "root:x:0:\nnobody:x:65534:\n".getBytes(StandardCharsets.UTF_8), 0644);
        }
        return bytes.toByteArray();
    }

    static void tarFile(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0100000 | mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
