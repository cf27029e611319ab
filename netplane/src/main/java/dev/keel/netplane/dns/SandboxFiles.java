package dev.keel.netplane.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The contents of a container's {@code /etc/hosts}, {@code /etc/resolv.conf} and {@code /etc/hostname}, byte for
 * byte as dockerd 20.10 writes them (checked against a running dockerd).
 */
public final class SandboxFiles {

    /** The embedded DNS's address inside every container on a user-defined network. */
    public static final String EMBEDDED_DNS_ADDRESS = "127.0.0.11";

    private static final String DEFAULT_HOSTS = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            """;
    /** Docker's fallback when none of the host's nameservers is reachable from a container. */
    private static final List<String> FALLBACK_NAMESERVERS = List.of("8.8.8.8", "8.8.4.4");
    /** A loopback nameserver, unreachable from a container, or an IPv6 one, on a network without IPv6. */
    private static final Pattern UNREACHABLE_NAMESERVER = Pattern.compile(
            "^\\s*nameserver\\s+(127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)\\s*$");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private SandboxFiles() {}

    /**
     * @param hostname the container's host name, possibly qualified ({@code web.example.com} also gets {@code web})
     * @param addresses the container's own addresses, plain, one line each
     * @param extraHosts {@code --add-host} entries as the Engine API carries them, {@code name:address}
     */
    public static String hosts(String hostname, List<String> addresses, List<String> extraHosts) {
        StringBuilder out = new StringBuilder(DEFAULT_HOSTS);
        for (String extra : extraHosts) {
            int colon = extra.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("bad format for add-host: \"" + extra + "\"");
            }
            String address = extra.substring(colon + 1);
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            out.append(address).append('\t').append(extra, 0, colon).append('\n');
        }
        int dot = hostname.indexOf('.');
        String names = dot > 0 ? hostname + " " + hostname.substring(0, dot) : hostname;
        for (String address : addresses) {
            out.append(address).append('\t').append(names).append('\n');
        }
        return out.toString();
    }

    /**
     * Containers' networks are taken to be IPv4 only, as dockerd does for a network without {@code --ipv6}: the
     * host's IPv6 nameservers are left out unless named by {@code --dns}.
     *
     * @param embeddedDns whether the container is on a user-defined network and so resolves through 127.0.0.11
     * @param hostResolvConf the host's resolv.conf
     * @param dns {@code --dns}, replacing the host's nameservers when not empty
     * @param dnsSearch {@code --dns-search}, replacing the host's search domains when not empty
     * @param dnsOptions {@code --dns-option}, replacing the host's options when not empty
     */
    public static String resolvConf(boolean embeddedDns, String hostResolvConf, List<String> dns,
                                    List<String> dnsSearch, List<String> dnsOptions) {
        HostResolver host = HostResolver.parse(hostResolvConf);
        List<String> nameservers = dns.isEmpty() ? host.nameservers() : dns;
        List<String> search = dnsSearch.isEmpty() ? host.search() : dnsSearch;
        List<String> options = dnsOptions.isEmpty() ? host.options() : dnsOptions;
        if (embeddedDns) {
            List<String> withNdots = new ArrayList<>(options);
            if (options.stream().noneMatch(option -> option.startsWith("ndots"))) {
                withNdots.add("ndots:0");
            }
            return build(List.of(EMBEDDED_DNS_ADDRESS), search, withNdots);
        }
        if (!dns.isEmpty() || !dnsSearch.isEmpty() || !dnsOptions.isEmpty()) {
            return build(nameservers, search, options);
        }
        return withReachableNameservers(hostResolvConf);
    }

    /** {@code /etc/hostname}: the name and a newline. */
    public static String hostname(String hostname) {
        return hostname + "\n";
    }

    /** The nameservers the embedded DNS forwards to: the host's, including loopback ones (it runs on the host). */
    public static List<String> upstreamNameservers(String hostResolvConf) {
        return HostResolver.parse(hostResolvConf).nameservers();
    }

    private static String build(List<String> nameservers, List<String> search, List<String> options) {
        StringBuilder out = new StringBuilder();
        String searchLine = String.join(" ", search);
        if (!search.isEmpty() && !searchLine.trim().equals(".")) {
            out.append("search ").append(searchLine).append('\n');
        }
        for (String nameserver : nameservers) {
            out.append("nameserver ").append(nameserver).append('\n');
        }
        String optionsLine = String.join(" ", options);
        if (!optionsLine.isBlank()) {
            out.append("options ").append(optionsLine).append('\n');
        }
        return out.toString();
    }

    private static String withReachableNameservers(String hostResolvConf) {
        StringBuilder out = new StringBuilder();
        boolean anyNameserver = false;
        for (String line : hostResolvConf.split("\n", -1)) {
            if (UNREACHABLE_NAMESERVER.matcher(line).matches()) {
                continue;
            }
            anyNameserver |= line.trim().startsWith("nameserver");
            out.append(line).append('\n');
        }
        String kept = out.toString().replaceAll("\n+$", "\n");
        if (kept.equals("\n")) {
            kept = "";
        }
        if (!anyNameserver) {
            StringBuilder fallback = new StringBuilder(kept);
            FALLBACK_NAMESERVERS.forEach(ns -> fallback.append("nameserver ").append(ns).append('\n'));
            return fallback.toString();
        }
        return kept;
    }

    /** What a resolv.conf says: nameservers, the last search (or domain) line, and all options. */
    private record HostResolver(List<String> nameservers, List<String> search, List<String> options) {

        static HostResolver parse(String content) {
            List<String> nameservers = new ArrayList<>();
            List<String> search = List.of();
            List<String> options = new ArrayList<>();
            for (String raw : content.split("\n")) {
                String line = raw.strip();
                int comment = indexOfComment(line);
                if (comment >= 0) {
                    line = line.substring(0, comment).strip();
                }
                String[] fields = WHITESPACE.split(line);
                if (fields.length < 2) {
                    continue;
                }
                List<String> values = List.of(fields).subList(1, fields.length);
                switch (fields[0]) {
                    case "nameserver" -> nameservers.add(fields[1]);
                    case "search", "domain" -> search = values;
                    case "options" -> options.addAll(values);
                    default -> { }
                }
            }
            return new HostResolver(nameservers, search, options);
        }

        private static int indexOfComment(String line) {
            int hash = line.indexOf('#');
            int semicolon = line.indexOf(';');
            if (hash < 0) {
                return semicolon;
            }
            return semicolon < 0 ? hash : Math.min(hash, semicolon);
        }
    }
}
