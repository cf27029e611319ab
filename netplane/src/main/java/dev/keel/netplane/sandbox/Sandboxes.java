package dev.keel.netplane.sandbox;

import dev.keel.netplane.NetplaneSettings;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.os.netns.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Containers' network namespaces ("sandboxes"), one bind-mounted nsfs file per container under the sandbox root,
 * and the interfaces the daemon moves into them.
 *
 * <p>Attaching an interface costs one {@code ip} process inside the namespace that names it and sets its addresses,
 * state and routes, and one more on the host first when the interface has to be moved in. Moving costs 20-30 ms of
 * kernel time, so drivers that can create the interface inside the sandbox already (the bridge driver does) should.
 * Interface names inside are read from {@code /proc/thread-self/net/dev} on a thread in the namespace, which costs
 * no process.
 */
public final class Sandboxes {

    private final Path root;
    private final KernelCommands commands;

    public Sandboxes(NetplaneSettings settings) {
        this(settings, new KernelCommands());
    }

    public Sandboxes(NetplaneSettings settings, KernelCommands commands) {
        this.root = settings.sandboxRoot();
        this.commands = commands;
    }

    /** The sandbox of a container, made with only {@code lo}, up; an existing one is returned as it is. */
    public Path create(String containerId) {
        Path path = pathOf(containerId);
        try {
            if (NetNamespace.exists(path)) {
                return path;
            }
            NetNamespace.create(path);
        } catch (IOException e) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "cannot create sandbox " + path + ": " + e.getMessage(),
                    e);
        }
        inside(path, () -> {
            commands.ipBatch(List.of("link set lo up"));
            return null;
        });
        return path;
    }

    /** Removes the sandbox; its interfaces go with it (a veth's host end too). Unknown ids are ignored. */
    public void delete(String containerId) {
        Path path = pathOf(containerId);
        try {
            NetNamespace.delete(path);
        } catch (IOException e) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "cannot delete sandbox " + path + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Names the join's interface the next free {@code <dstPrefix><n>} in the sandbox, moving it in from the host unless
     * it is there already, and configures it.
     *
     * @param defaultRoute whether the join's gateways become the sandbox's default routes
     * @return the interface's name inside the sandbox
     */
    public String addInterface(Path sandbox, JoinInfo join, EndpointAddresses addresses, int mtu,
                               boolean defaultRoute) {
        if (join.srcName().isEmpty()) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT, "the join names no interface to move");
        }
        List<String> present = interfaces(sandbox);
        String name = nextName(join.dstPrefix(), present);
        List<String> lines = new ArrayList<>();
        if (present.contains(join.srcName())) {
            lines.add("link set " + join.srcName() + " name " + name);
        } else {
            commands.ipBatch(List.of("link set " + join.srcName() + " netns " + sandbox + " name " + name));
        }
        if (!addresses.macAddress().isEmpty()) {
            lines.add("link set " + name + " address " + addresses.macAddress());
        }
        lines.add("link set " + name + " mtu " + mtu);
        if (!addresses.address().isEmpty()) {
            lines.add("addr add " + addresses.address() + " dev " + name);
        }
        if (!addresses.addressIpv6().isEmpty()) {
            lines.add("addr add " + addresses.addressIpv6() + " dev " + name + " nodad");
        }
        lines.add("link set " + name + " up");
        if (defaultRoute && !join.gateway().isEmpty()) {
            lines.add("route replace default via " + join.gateway() + " dev " + name);
        }
        if (defaultRoute && !join.gatewayIpv6().isEmpty()) {
            lines.add("route replace default via " + join.gatewayIpv6() + " dev " + name);
        }
        for (JoinInfo.StaticRoute route : join.staticRoutes()) {
            lines.add("route replace " + route.destination()
                    + (route.nextHop().isEmpty() ? "" : " via " + route.nextHop()) + " dev " + name);
        }
        inside(sandbox, () -> {
            commands.ipBatch(lines);
            return null;
        });
        return name;
    }

    /** Deletes an interface in the sandbox; a missing sandbox or interface is ignored. */
    public void removeInterface(Path sandbox, String name) {
        if (!isSandbox(sandbox)) {
            return;
        }
        inside(sandbox, () -> {
            if (linkNames().contains(name)) {
                commands.ipBatch(List.of("link del " + name));
            }
            return null;
        });
    }

    /** The interfaces in the sandbox, {@code lo} included. */
    public List<String> interfaces(Path sandbox) {
        return inside(sandbox, Sandboxes::linkNames);
    }

    /** The ids of the sandboxes on disk, for reconciliation with the containers the daemon knows. */
    public List<String> existing() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(root)) {
            List<String> ids = new ArrayList<>();
            for (Path file : files.toList()) {
                if (NetNamespace.exists(file)) {
                    ids.add(file.getFileName().toString());
                }
            }
            return ids;
        } catch (IOException e) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "cannot list sandboxes in " + root + ": "
                    + e.getMessage(), e);
        }
    }

    public Path pathOf(String containerId) {
        if (containerId.isEmpty() || containerId.contains("/") || containerId.startsWith(".")) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT, "not a container id: " + containerId);
        }
        return root.resolve(containerId);
    }

    private static boolean isSandbox(Path sandbox) {
        try {
            return NetNamespace.exists(sandbox);
        } catch (IOException e) {
            return false;
        }
    }

    private static String nextName(String prefix, List<String> present) {
        int index = 0;
        while (present.contains(prefix + index)) {
            index++;
        }
        return prefix + index;
    }

    /** Called on a thread inside a namespace: /proc/thread-self/net shows that thread's namespace. */
    private static List<String> linkNames() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/thread-self/net/dev"));
        List<String> names = new ArrayList<>();
        for (String line : lines.subList(2, lines.size())) {
            int colon = line.indexOf(':');
            names.add(line.substring(0, colon).strip());
        }
        return names;
    }

    private static <T> T inside(Path sandbox, Callable<T> work) {
        try {
            return NetNamespace.inside(sandbox, work);
        } catch (IOException e) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "in sandbox " + sandbox + ": " + e.getMessage(), e);
        }
    }
}
