package dev.keel.netplane.bridge;

import dev.keel.netplane.sandbox.KernelCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The bridge driver's iptables rules, Docker's layout under our own chain names: {@code <P>-FORWARD} with
 * {@code <P>-ISOLATION-STAGE-1/2} and {@code <P>} (published ports) in filter, {@code <P>} (DNAT) and
 * {@code <P>-POSTROUTING} (masquerade) in nat, each jumped to once from the built-in chain.
 *
 * <p>The whole rule set is derived from the driver's state and written with one {@code iptables-restore --noflush}:
 * declaring a chain flushes it, so every change, and reconciliation after a restart, is the same single process and
 * leaves no stale rule. Chains and rules that are not ours (dockerd's, say) are never touched.
 */
final class Firewall {

    private static final Set<String> BUILT_IN = Set.of("INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING");
    private static final List<String> RESTORE = List.of("iptables-restore", "--noflush", "-w");

    /**
     * What one bridge needs.
     *
     * @param subnet the network's first IPv4 subnet (CIDR)
     * @param icc whether containers on the bridge may talk to each other
     * @param masquerade whether traffic leaving the host from the subnet is masqueraded
     */
    record BridgeRules(String bridge, String subnet, boolean internal, boolean icc, boolean masquerade,
                       List<Forward> forwards) {
        BridgeRules {
            forwards = List.copyOf(forwards);
        }
    }

    /** One published port: {@code hostIp:hostPort/protocol} to {@code containerIp:containerPort}. */
    record Forward(String protocol, String hostIp, int hostPort, String containerIp, int containerPort) {}

    private final String ports;
    private final String forward;
    private final String stage1;
    private final String stage2;
    private final String postrouting;
    private final KernelCommands commands;
    private boolean jumpsInPlace;

    Firewall(String chainPrefix, KernelCommands commands) {
        this.ports = chainPrefix;
        this.forward = chainPrefix + "-FORWARD";
        this.stage1 = chainPrefix + "-ISOLATION-STAGE-1";
        this.stage2 = chainPrefix + "-ISOLATION-STAGE-2";
        this.postrouting = chainPrefix + "-POSTROUTING";
        this.commands = commands;
    }

    /**
     * Makes our chains hold exactly the rules for {@code bridges}. The first call of an instance also replaces the
     * jumps from the built-in chains that an earlier daemon left, so that there is exactly one of each.
     */
    synchronized void apply(List<BridgeRules> bridges) {
        List<String> staleJumps = jumpsInPlace ? List.of() : currentJumps();
        commands.run(RESTORE, render(bridges, staleJumps, !jumpsInPlace));
        jumpsInPlace = true;
    }

    /** Removes our jumps and chains. */
    synchronized void remove() {
        List<String> staleJumps = currentJumps();
        StringBuilder script = new StringBuilder();
        table(script, "filter", List.of(ports, forward, stage1, stage2), staleJumps);
        table(script, "nat", List.of(ports, postrouting), staleJumps);
        commands.run(RESTORE, script.toString());
        jumpsInPlace = false;
    }

    private void table(StringBuilder script, String table, List<String> chains, List<String> staleJumps) {
        script.append('*').append(table).append('\n');
        chains.forEach(chain -> script.append(':').append(chain).append(" - [0:0]\n"));
        deletions(script, table, staleJumps);
        chains.forEach(chain -> script.append("-X ").append(chain).append('\n'));
        script.append("COMMIT\n");
    }

    /** The restore script; {@code staleJumps} are iptables-save lines ("table|-A CHAIN …") to delete first. */
    String render(List<BridgeRules> bridges, List<String> staleJumps, boolean addJumps) {
        StringBuilder s = new StringBuilder();
        s.append("*filter\n");
        for (String chain : List.of(ports, forward, stage1, stage2)) {
            s.append(':').append(chain).append(" - [0:0]\n");
        }
        deletions(s, "filter", staleJumps);
        if (addJumps) {
            s.append("-I FORWARD -j ").append(forward).append('\n');
        }
        s.append("-A ").append(forward).append(" -j ").append(stage1).append('\n');
        for (BridgeRules b : bridges) {
            String br = b.bridge();
            s.append("-A ").append(forward).append(" -o ").append(br)
                    .append(" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
            s.append("-A ").append(forward).append(" -o ").append(br).append(" -j ").append(ports).append('\n');
            s.append("-A ").append(forward).append(" -i ").append(br).append(" -o ").append(br)
                    .append(b.icc() ? " -j ACCEPT\n" : " -j DROP\n");
            if (!b.internal()) {
                s.append("-A ").append(forward).append(" -i ").append(br).append(" ! -o ").append(br)
                        .append(" -j ACCEPT\n");
                for (Forward f : b.forwards()) {
                    s.append("-A ").append(ports).append(" -d ").append(f.containerIp()).append("/32 ! -i ").append(br)
                            .append(" -o ").append(br).append(match(f.protocol(), f.containerPort()))
                            .append(" -j ACCEPT\n");
                }
            }
            if (b.internal()) {
                s.append("-A ").append(stage1).append(" ! -s ").append(b.subnet()).append(" -o ").append(br)
                        .append(" -j DROP\n");
                s.append("-A ").append(stage1).append(" ! -d ").append(b.subnet()).append(" -i ").append(br)
                        .append(" -j DROP\n");
            } else {
                s.append("-A ").append(stage1).append(" -i ").append(br).append(" ! -o ").append(br)
                        .append(" -j ").append(stage2).append('\n');
            }
            s.append("-A ").append(stage2).append(" -o ").append(br).append(" -j DROP\n");
        }
        s.append("-A ").append(stage1).append(" -j RETURN\n");
        s.append("-A ").append(stage2).append(" -j RETURN\n");
        s.append("COMMIT\n");

        s.append("*nat\n");
        for (String chain : List.of(ports, postrouting)) {
            s.append(':').append(chain).append(" - [0:0]\n");
        }
        deletions(s, "nat", staleJumps);
        if (addJumps) {
            s.append("-I PREROUTING -m addrtype --dst-type LOCAL -j ").append(ports).append('\n');
            s.append("-I OUTPUT -m addrtype --dst-type LOCAL -j ").append(ports).append('\n');
            s.append("-I POSTROUTING -j ").append(postrouting).append('\n');
        }
        for (BridgeRules b : bridges) {
            String br = b.bridge();
            if (b.internal()) {
                continue;
            }
            if (b.masquerade()) {
                s.append("-A ").append(postrouting).append(" -s ").append(b.subnet()).append(" ! -o ").append(br)
                        .append(" -j MASQUERADE\n");
            }
            if (!b.forwards().isEmpty()) {
                // Connections from 127.0.0.1 reach the container only with a source it can answer (route_localnet).
                s.append("-A ").append(postrouting).append(" -s 127.0.0.0/8 -o ").append(br)
                        .append(" -j MASQUERADE\n");
            }
            for (Forward f : b.forwards()) {
                s.append("-A ").append(postrouting).append(" -s ").append(f.containerIp()).append("/32 -d ")
                        .append(f.containerIp()).append("/32").append(match(f.protocol(), f.containerPort()))
                        .append(" -j MASQUERADE\n");
                s.append("-A ").append(ports);
                if (!f.hostIp().isEmpty() && !f.hostIp().equals("0.0.0.0")) {
                    s.append(" -d ").append(f.hostIp()).append("/32");
                }
                s.append(match(f.protocol(), f.hostPort())).append(" -j DNAT --to-destination ")
                        .append(f.containerIp()).append(':').append(f.containerPort()).append('\n');
            }
        }
        s.append("COMMIT\n");
        return s.toString();
    }

    private static String match(String protocol, int port) {
        return " -p " + protocol + " -m " + protocol + " --dport " + port;
    }

    private static void deletions(StringBuilder script, String table, List<String> staleJumps) {
        String prefix = table + "|";
        for (String jump : staleJumps) {
            if (jump.startsWith(prefix)) {
                script.append("-D").append(jump.substring(prefix.length() + 2)).append('\n');
            }
        }
    }

    /** The rules of built-in chains that jump to one of ours, as "table|-A CHAIN …". */
    private List<String> currentJumps() {
        Set<String> ours = Set.of(ports, forward, stage1, stage2, postrouting);
        List<String> jumps = new ArrayList<>();
        String table = "";
        for (String line : commands.run("iptables-save").split("\n")) {
            if (line.startsWith("*")) {
                table = line.substring(1).strip();
            } else if (line.startsWith("-A ")) {
                String[] words = line.split(" ");
                int target = List.of(words).indexOf("-j");
                if (BUILT_IN.contains(words[1]) && target > 0 && target + 1 < words.length
                        && ours.contains(words[target + 1])) {
                    jumps.add(table + "|" + line);
                }
            }
        }
        return jumps;
    }
}
