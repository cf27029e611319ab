package dev.keel.httpapi.bench;

import dev.keel.netplane.IsolatedNetplane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The kernel objects of one {@link IsolatedNetplane} at one moment: its user-defined networks' bridges (the default
 * bridge is left out: it lives as long as the daemon), the veths whose master is one of its bridges (default bridge
 * included), the network namespace files under its sandbox root, and the iptables rules and chains that name its chain
 * prefix. Only the tag's own objects are counted, so other daemons on the host (test daemons, dockerd) do not show.
 */
record NetplaneFootprint(Set<String> bridges, Set<String> veths, Set<String> sandboxes, List<String> rules) {

    private static final Path SYS_NET = Path.of("/sys/class/net");

    static NetplaneFootprint take(IsolatedNetplane netplane) {
        Map<String, String> settings = netplane.settings();
        String defaultBridge = settings.get("keel.netplane.default-bridge");
        String userBridges = settings.get("keel.netplane.bridge-prefix") + "-";
        String chainPrefix = settings.get("keel.netplane.chain-prefix");
        try {
            List<String> links = links();
            Set<String> allBridges = new TreeSet<>();
            for (String link : links) {
                if (Files.isDirectory(SYS_NET.resolve(link).resolve("bridge"))
                        && (link.equals(defaultBridge) || link.startsWith(userBridges))) {
                    allBridges.add(link);
                }
            }
            Set<String> veths = new TreeSet<>();
            for (String link : links) {
                if (!allBridges.contains(link) && allBridges.contains(masterOf(link))) {
                    veths.add(link);
                }
            }
            Set<String> bridges = new TreeSet<>(allBridges);
            bridges.remove(defaultBridge);
            return new NetplaneFootprint(bridges, veths, sandboxes(netplane.sandboxRoot()), rules(chainPrefix));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot read the network objects of tag " + netplane.tag(), e);
        }
    }

    /**
     * What is here now and was not at {@code before}, one line per object. Rules are compared as a multiset, so a
     * rule written twice where it was once counts as one more.
     */
    List<String> addedSince(NetplaneFootprint before) {
        List<String> added = new ArrayList<>();
        bridges.stream().filter(b -> !before.bridges.contains(b)).forEach(b -> added.add("bridge " + b));
        veths.stream().filter(v -> !before.veths.contains(v)).forEach(v -> added.add("veth " + v));
        sandboxes.stream().filter(s -> !before.sandboxes.contains(s)).forEach(s -> added.add("netns " + s));
        Map<String, Integer> earlier = new HashMap<>();
        before.rules.forEach(rule -> earlier.merge(rule, 1, Integer::sum));
        for (String rule : rules) {
            if (earlier.merge(rule, -1, Integer::sum) < 0) {
                added.add("iptables " + rule);
            }
        }
        return added;
    }

    private static List<String> links() throws IOException {
        try (Stream<Path> entries = Files.list(SYS_NET)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** The link's bridge, or "" when it has none (or went away while being read). */
    private static String masterOf(String link) {
        try {
            return Files.readSymbolicLink(SYS_NET.resolve(link).resolve("master")).getFileName().toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static Set<String> sandboxes(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(root)) {
            return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    /**
     * {@code table|rule} for each rule and chain of iptables-save that names the prefix; a chain's packet counters are
     * dropped, as they change with traffic.
     */
    private static List<String> rules(String chainPrefix) throws IOException, InterruptedException {
        Process save = new ProcessBuilder("iptables-save").redirectErrorStream(true).start();
        String output = new String(save.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (save.waitFor() != 0) {
            throw new IOException("iptables-save failed: " + output);
        }
        List<String> rules = new ArrayList<>();
        String table = "";
        for (String line : output.split("\n")) {
            if (line.startsWith("*")) {
                table = line.substring(1).strip();
            } else if (line.contains(chainPrefix)) {
                rules.add(table + "|" + (line.startsWith(":") ? line.split(" ")[0] : line));
            }
        }
        return rules;
    }
}
